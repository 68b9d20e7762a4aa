"""``vbdt pdf ...``: PDF signatures laid out as Nghị định 30/2020 prescribes."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from vbdt_exchange.cli._main import EXIT_ERRORS, EXIT_OK, cli, fail, guarded
from vbdt_exchange.cli._signing import (
    FILE,
    key_options,
    load_signer,
    trust_and_policy,
    verification_options,
)
from vbdt_exchange.signature.policy import Indication, VerificationPolicy

__all__ = ["pdf", "sign", "verify"]

_ROLES = ("signer", "organisation", "attachment", "copy")
_LEVELS = ("b-b", "b-t", "b-lt", "b-lta")
_COPY_FORMS = ("SAO Y", "SAO LỤC", "TRÍCH SAO")


def _box(value: str) -> tuple[float, float, float, float]:
    try:
        parts = tuple(float(v) for v in value.split(","))
    except ValueError:
        parts = ()
    if len(parts) == 4:
        return parts[0], parts[1], parts[2], parts[3]
    raise fail(f"--box must be x1,y1,x2,y2 in points, not {value!r}")


@cli.group("pdf")
def pdf() -> None:
    """Sign and verify PDF documents (PAdES, Nghị định 30/2020 layout)."""


@pdf.command("sign")
@click.argument("input_pdf", metavar="IN.pdf", type=FILE)
@click.option("-o", "--output", required=True, type=FILE, metavar="OUT.pdf", help="Where to write.")
@click.option(
    "--role",
    required=True,
    type=click.Choice(_ROLES),
    help="signer: the person's image; organisation: the seal over the signer's image; "
    "attachment, copy: text top right of page 1, no image.",
)
@key_options
@click.option("--image", type=FILE, metavar="PNG", help="The signature or seal image (PNG).")
@click.option("--anchor-text", metavar="TEXT", help="signer: centre the image above this text.")
@click.option("--box", metavar="X1,Y1,X2,Y2", help="signer: the image's box, PDF points.")
@click.option(
    "--page", type=int, default=-1, show_default=True, help="signer: 1-based page; -1 the last."
)
@click.option(
    "--seal-mm", type=float, default=40.0, show_default=True, help="organisation: seal diameter."
)
@click.option("--over", metavar="FIELD", help="organisation: the signer's field to seal over.")
@click.option("--number-notation", metavar="TEXT", help="attachment: e.g. 3244/UBND-VP.")
@click.option("--copy-form", type=click.Choice(_COPY_FORMS), help="copy: the copy form.")
@click.option("--copy-org", metavar="NAME", help="copy: the copying organisation.")
@click.option("--copy-number", metavar="TEXT", help="copy: its number, e.g. 05/SY-UBND.")
@click.option(
    "--level", type=click.Choice(_LEVELS), default="b-b", show_default=True, help="PAdES level."
)
@click.option("--tsa", metavar="URL", help="RFC 3161 time-stamping server (b-t and above).")
@click.option(
    "--trust",
    "trust_paths",
    multiple=True,
    type=click.Path(path_type=Path),
    metavar="PEM_OR_DIR",
    help="Trust anchors for the chains embedded at b-lt/b-lta (repeatable).",
)
@click.option(
    "--crl", "crls", multiple=True, type=FILE, metavar="FILE", help="A CRL to embed (repeatable)."
)
@click.option("--allow-fetching", is_flag=True, help="Fetch CRLs and OCSP responses online.")
@click.option("--pss", is_flag=True, help="Sign with RSASSA-PSS (RSA keys).")
@guarded
def sign(
    input_pdf: Path,
    output: Path,
    role: str,
    pkcs12: Path | None,
    password_env: str | None,
    key: Path | None,
    cert: Path | None,
    chain: Path | None,
    key_password_env: str | None,
    image: Path | None,
    anchor_text: str | None,
    box: str | None,
    page: int,
    seal_mm: float,
    over: str | None,
    number_notation: str | None,
    copy_form: str | None,
    copy_org: str | None,
    copy_number: str | None,
    level: str,
    tsa: str | None,
    trust_paths: tuple[Path, ...],
    crls: tuple[Path, ...],
    allow_fetching: bool,
    pss: bool,
) -> None:
    """Sign IN.pdf as ROLE and write OUT.pdf (an incremental update).

    The key comes from --pkcs12 FILE, or from --key and --cert; passwords are read from
    environment variables, never from the command line.
    """
    from vbdt_exchange.signature import pdf as pdfsig
    from vbdt_exchange.signature.trust import TrustStore

    signer = load_signer(pkcs12, password_env, key, cert, chain, key_password_env)

    appearance: pdfsig.Appearance
    if role == "signer":
        if image is None:
            raise fail("--role signer needs --image PNG")
        if (anchor_text is None) == (box is None):
            raise fail("--role signer needs either --anchor-text TEXT or --box X1,Y1,X2,Y2")
        if page == 0:
            raise fail("--page counts from 1 (and -1 is the last page)")
        index = page - 1 if page > 0 else page
        appearance = pdfsig.PersonSignature(
            image, box=_box(box) if box else None, anchor_text=anchor_text, page=index
        )
    elif role == "organisation":
        if image is None:
            raise fail("--role organisation needs --image PNG (the seal)")
        appearance = pdfsig.OrganisationSeal(image, diameter_mm=seal_mm, over=over)
    elif role == "attachment":
        if not number_notation:
            raise fail("--role attachment needs --number-notation, e.g. 3244/UBND-VP")
        appearance = pdfsig.AttachmentStamp(number_notation)
    else:
        if not copy_form or not copy_org:
            raise fail("--role copy needs --copy-form and --copy-org")
        appearance = pdfsig.CopyStamp(copy_form, copy_org, copy_number)  # type: ignore[arg-type]

    trust = TrustStore.from_paths(trust_paths) if trust_paths else None
    policy = VerificationPolicy(
        allow_fetching=allow_fetching, crls=tuple(p.read_bytes() for p in crls)
    )
    result = pdfsig.sign_pdf(
        input_pdf,
        signer,
        appearance=appearance,
        level=level,  # type: ignore[arg-type]
        tsa_url=tsa,
        trust=trust,
        policy=policy,
        pss=pss,
    )
    tmp = output.with_name(output.name + ".part")
    tmp.write_bytes(result.data)
    tmp.replace(output)
    where = (
        f" on page {result.page + 1} at {', '.join(f'{v:.0f}' for v in result.box)}"
        if result.page is not None and result.box is not None
        else ""
    )
    click.echo(
        f"signed {output} ({result.level.upper()}, field {result.field_name}{where}) as "
        f"{signer.certificate.subject.rfc4514_string()}"
    )


@pdf.command("verify")
@click.argument("input_pdf", metavar="IN.pdf", type=FILE)
@verification_options
@click.option(
    "--lang",
    type=click.Choice(["vi", "en"]),
    default="vi",
    show_default=True,
    help="Language of the text report.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@guarded
def verify(
    input_pdf: Path,
    trust_paths: tuple[Path, ...],
    crls: tuple[Path, ...],
    revocation: str,
    allow_fetching: bool,
    allow_sha1: bool,
    lang: str,
    as_json: bool,
) -> None:
    """Verify every signature of IN.pdf.

    Exit code 0 when every signature PASSED, 1 when one is FAILED or INDETERMINATE (or there is
    none), 2 when IN.pdf cannot be read (not a PDF, broken, encrypted).
    """
    from vbdt_exchange.signature.pdf import verify_pdf
    from vbdt_exchange.signature.trust import TrustStore

    trust, policy = trust_and_policy(trust_paths, crls, revocation, allow_fetching, allow_sha1)
    report = verify_pdf(input_pdf, trust=trust or TrustStore(), policy=policy)
    if as_json:
        data: dict[str, Any] = {"file": str(input_pdf), **report.to_dict()}
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        click.echo(f"{input_pdf}:")
        click.echo(report.render(lang))  # type: ignore[arg-type]
    code = EXIT_OK if report.indication is Indication.PASSED else EXIT_ERRORS
    sys.exit(code)
