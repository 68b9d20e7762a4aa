"""PDF signature benchmark: sign and verify times per PAdES level, 2-page and 50-page PDFs.

Run: ``python bench/pdf.py`` (``--repeat N``, ``--json OUT``). See bench/README.md.

Everything runs in this process, offline: a fresh test PKI (RSA-2048), the loopback TSA of
``vbdt_exchange.testing.tsa``, the CRL given directly (no fetching). The documents are made by
``sample_pdf`` (A4, Liberation Serif, 20 lines a page). Each operation is timed with
``time.perf_counter`` around the library call only; the median and the range of ``--repeat``
runs are printed. The first run of each kind is a warm-up and is not counted (font loading,
imports).
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

from PIL import Image, ImageDraw

from vbdt_exchange.signature.keys import KeySigner
from vbdt_exchange.signature.pdf import (
    OrganisationSeal,
    PersonSignature,
    sample_pdf,
    sign_pdf,
    verify_pdf,
)
from vbdt_exchange.signature.policy import VerificationPolicy
from vbdt_exchange.signature.trust import TrustStore
from vbdt_exchange.testing.pki import TestPKI
from vbdt_exchange.testing.tsa import TSAServer

LEVELS = ("b-b", "b-t", "b-lt", "b-lta")


def _png(size: tuple[int, int], draw: Callable[[ImageDraw.ImageDraw], None]) -> bytes:
    import io

    image = Image.new("RGBA", size, (0, 0, 0, 0))
    draw(ImageDraw.Draw(image))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def _time(func: Callable[[], Any], repeat: int) -> tuple[list[float], Any]:
    result = func()  # warm-up
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = func()
        samples.append((time.perf_counter() - start) * 1000)
    return samples, result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per operation")
    parser.add_argument("--pages", type=int, nargs="*", default=[2, 50])
    parser.add_argument("--json", metavar="OUT", help="write every sample as JSON")
    args = parser.parse_args()

    pki = TestPKI.generate()
    person = KeySigner(pki.person.private_key, pki.person.certificate, pki.person.chain[1:-1])
    office = KeySigner(
        pki.organisation.private_key, pki.organisation.certificate, pki.organisation.chain[1:-1]
    )
    trust = TrustStore(roots=(pki.root.certificate,))
    policy = VerificationPolicy(crls=(pki.crl_der(),))
    scribble = _png((300, 120), lambda d: d.line([(5, 100), (150, 15), (295, 90)], "blue", 12))
    seal = _png((300, 300), lambda d: d.ellipse((6, 6, 294, 294), outline="red", width=16))

    print(f"python {platform.python_version()} on {platform.machine()}, {args.repeat} runs")
    print(f"{'pages':>5}  {'size KB':>8}  {'level':<6} {'operation':<34} {'median ms':>9}  range")
    rows: list[dict[str, Any]] = []
    with TSAServer(pki) as tsa:
        for pages in args.pages:
            document = sample_pdf(pages=pages)
            for level in LEVELS:
                extra: dict[str, Any] = {}
                if level != "b-b":
                    extra["tsa_url"] = tsa.url
                if level in ("b-lt", "b-lta"):
                    extra.update(trust=trust, policy=policy)

                def person_sign(document: bytes = document, extra: dict[str, Any] = extra) -> Any:
                    return sign_pdf(
                        document,
                        person,
                        appearance=PersonSignature(scribble, anchor_text="Nguyễn Văn An"),
                        level=level,  # type: ignore[arg-type]  # noqa: B023
                        **extra,
                    )

                signed_person: Any
                samples, signed_person = _time(person_sign, args.repeat)
                rows.append(
                    _row(pages, len(document), level, "sign person (image, anchored)", samples)
                )

                def office_sign(
                    data: bytes = signed_person.data, extra: dict[str, Any] = extra
                ) -> Any:
                    return sign_pdf(
                        data,
                        office,
                        appearance=OrganisationSeal(seal),
                        level=level,  # type: ignore[arg-type]  # noqa: B023
                        **extra,
                    )

                samples, pair = _time(office_sign, args.repeat)
                rows.append(
                    _row(pages, len(signed_person.data), level, "sign organisation (seal)", samples)
                )

                def verify(data: bytes = pair.data) -> Any:
                    return verify_pdf(data, trust=trust, policy=policy)

                samples, report = _time(verify, args.repeat)
                if report.indication.value != "PASSED":
                    print(f"CHECK FAILED: {pages} pages {level}: {report.indication}")
                    return 2
                rows.append(_row(pages, len(pair.data), level, "verify both signatures", samples))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as out:
            json.dump(rows, out, indent=2)
    return 0


def _row(pages: int, size: int, level: str, operation: str, samples: list[float]) -> dict[str, Any]:
    median = statistics.median(samples)
    print(
        f"{pages:>5}  {size / 1024:>8.1f}  {level:<6} {operation:<34} {median:>9.1f}"
        f"  {min(samples):.1f}-{max(samples):.1f}"
    )
    sys.stdout.flush()
    return {
        "pages": pages,
        "input_bytes": size,
        "level": level,
        "operation": operation,
        "median_ms": median,
        "samples_ms": samples,
    }


if __name__ == "__main__":
    sys.exit(main())
