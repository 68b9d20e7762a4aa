"""The demo exchange behind ``vbdt demo``: two agencies talk through the local reference axis.

Everything real, nothing mocked: the local axis (:mod:`vbdt_exchange.hub`) serves the VDXP wire
protocol over loopback HTTP on an embedded SQLite store; each agency uses the VDXP client
(:class:`~vbdt_exchange.adapters.VdxpClient`) with its own system id and secret; the package is
signed (XAdES-B-B) with a certificate of a throw-away test PKI, and the receiver verifies it
against that PKI's root and CRL before acknowledging it.

1. Văn phòng Chính phủ (``000.00.00.G22``) signs a *công văn* and sends it to the People's
   Committee of Nghệ An (``000.00.00.H41``);
2. the receiver lists its inbox, fetches the package, verifies the signature, reads it, and sets
   the delivery state to ``done``;
3. the receiver answers with status packages 01 (received), 03 (accepted, assigned) and
   06 (finished); the sender fetches them, and the status tracker folds them into a timeline.

:func:`run_demo` returns a :class:`DemoResult`; it logs, it never prints (``vbdt demo`` prints).
"""

from __future__ import annotations

import datetime
import logging
import secrets
from collections.abc import Callable
from pathlib import Path

import attrs

from vbdt_exchange.adapters import VdxpClient, VdxpConfig
from vbdt_exchange.adapters.base import DeliveryState, ReceiverState
from vbdt_exchange.envelope import read, write
from vbdt_exchange.envelope.build import new_edoc
from vbdt_exchange.envelope.models import (
    Attachment,
    DocumentType,
    EdocPackage,
    Organization,
    SignerInfo,
    StatusPackage,
)
from vbdt_exchange.envelope.sources import BytesSource
from vbdt_exchange.errors import VbdtError
from vbdt_exchange.signature.keys import load_pkcs12
from vbdt_exchange.signature.policy import Indication, VerificationPolicy
from vbdt_exchange.signature.trust import TrustStore
from vbdt_exchange.signature.xml import sign_package, verify_package
from vbdt_exchange.status.build import status_for
from vbdt_exchange.status.tracker import DocumentTracker, Event
from vbdt_exchange.testing.axis import AxisSystem, LocalAxis
from vbdt_exchange.testing.pki import TestPKI

__all__ = ["RECEIVER", "SENDER", "DemoError", "DemoResult", "DemoStep", "run_demo"]

log = logging.getLogger(__name__)

SENDER = Organization(
    organ_id="000.00.00.G22",
    organ_name="Văn phòng Chính phủ",
    organ_add="Số 1 Hoàng Hoa Thám, Ba Đình, Hà Nội",
)
RECEIVER = Organization(
    organ_id="000.00.00.H41",
    organ_name="Ủy ban nhân dân tỉnh Nghệ An",
    organ_add="Số 03 Trường Thi, thành phố Vinh, Nghệ An",
)
_ANSWERS = (
    ("01", "Đã nhận văn bản"),
    ("03", "Đã phân công xử lý"),
    ("06", "Đã hoàn thành xử lý"),
)


class DemoError(VbdtError):
    """A step of the demo exchange did not go as it must (the message says which)."""


@attrs.frozen
class DemoStep:
    """One thing that happened, in order.

    :ivar actor: the organ id that acted (or ``"axis"``).
    :ivar action: what it did, in English (``"sent"``, ``"verified"``, ...).
    :ivar detail: the particulars (ids, verdicts, states).
    """

    actor: str
    action: str
    detail: str


@attrs.frozen
class DemoResult:
    """What the demo exchange did and where things stand at the end.

    :ivar url: the local axis's address while it ran.
    :ivar db: the SQLite store of the local axis.
    :ivar document_id: the edXML ``DocumentId`` of the package sent.
    :ivar axis_doc_id: the axis's ``DocId`` of the package.
    :ivar verdict: the receiver's signature verdict.
    :ivar steps: every step, in order.
    :ivar timeline: the tracker's events for the receiver (the 01 → 03 → 06 answers).
    :ivar delivery: the axis's per-receiver rows for the package (``getSentEdocList``).
    """

    url: str
    db: Path
    document_id: str
    axis_doc_id: str
    verdict: Indication
    steps: tuple[DemoStep, ...]
    timeline: tuple[Event, ...]
    delivery: tuple[ReceiverState, ...]


def _package(today: datetime.date, sent_at: datetime.datetime) -> EdocPackage:
    body = (
        b"%PDF-1.4\n% vbdt demo: a stand-in for the signed PDF of the document\n"
        b"1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
    )
    return new_edoc(
        from_=SENDER,
        to=[RECEIVER],
        number="1234",
        notation="VPCP-KSTT",
        date=today,
        place="Hà Nội",
        document_type=DocumentType(type=1, type_detail=0, type_name="Công văn"),
        signer=SignerInfo(
            competence="KT. BỘ TRƯỞNG, CHỦ NHIỆM", position="PHÓ CHỦ NHIỆM", full_name="Trần Văn B"
        ),
        subject="V/v thử nghiệm gửi, nhận văn bản điện tử qua trục liên thông",
        attachments=[
            Attachment(
                name="1234-VPCP-KSTT.pdf",
                content_type="application/pdf",
                data=BytesSource(body),
                description="Văn bản (bản điện tử)",
            )
        ],
        sent_at=sent_at,
    )


def run_demo(
    workdir: str | Path,
    *,
    db: str | Path | None = None,
    progress: Callable[[DemoStep], None] | None = None,
) -> DemoResult:
    """Run the demo exchange; files go to ``workdir`` (created if needed).

    :param db: the local axis's SQLite store (default ``workdir/axis.sqlite3``); kept afterwards.
    :param progress: called with each :class:`DemoStep` as it happens.
    :raises DemoError: a step did not give the result it must.
    """
    work = Path(workdir)
    work.mkdir(parents=True, exist_ok=True)
    db_path = Path(db) if db is not None else work / "axis.sqlite3"
    steps: list[DemoStep] = []

    def step(actor: str, action: str, detail: str) -> None:
        item = DemoStep(actor, action, detail)
        steps.append(item)
        log.info("%s %s: %s", actor, action, detail)
        if progress is not None:
            progress(item)

    now = datetime.datetime.now(datetime.UTC).replace(microsecond=0)
    local = now.astimezone(datetime.timezone(datetime.timedelta(hours=7)))
    pki = TestPKI.generate(now=now)
    signer = load_pkcs12(pki.organisation.pkcs12(None))
    sender_id, receiver_id = SENDER.organ_id or "", RECEIVER.organ_id or ""
    systems = [
        AxisSystem(sender_id, secrets.token_urlsafe(24)),
        AxisSystem(receiver_id, secrets.token_urlsafe(24)),
    ]
    with LocalAxis(systems, db=db_path) as axis:
        step("axis", "started", f"{axis.url} (store {db_path})")
        step("axis", "registered", f"{sender_id} {SENDER.organ_name}")
        step("axis", "registered", f"{receiver_id} {RECEIVER.organ_name}")

        def client(system: AxisSystem) -> VdxpClient:
            return VdxpClient(
                VdxpConfig(
                    endpoint=axis.url,
                    system_id=system.system_id,
                    secret=system.secret_bytes,
                    test=True,
                )
            )

        with client(systems[0]) as sender, client(systems[1]) as receiver:
            # 1. the sender signs and sends
            package = _package(local.date(), local)
            signed = work / "sent.edxml"
            result = sign_package(package, signed, signer, signing_time=now)
            document_id = package.document_id or ""
            step(sender_id, "signed", f"{signed.name}, {result.profile}, {result.algorithm}")
            sent = sender.send(signed)
            step(sender_id, "sent", f"DocumentId {document_id} -> axis DocId {sent.doc_id}")

            # 2. the receiver fetches, verifies and acknowledges
            inbox = receiver.received("edoc")
            if len(inbox) != 1 or inbox[0].from_ != sender_id:
                raise DemoError(f"the receiver's inbox is {inbox!r}, not the one package sent")
            mine = inbox[0].doc_id  # the receiver's copy has an id of its own, as on the axis
            step(receiver_id, "listed", f"1 new package from {inbox[0].from_}, axis DocId {mine}")
            fetched = receiver.fetch(mine, work / "received.edxml")
            step(receiver_id, "fetched", f"{fetched.size} bytes, sha256 {fetched.sha256[:16]}…")
            trust = TrustStore(roots=(pki.root.certificate,))
            policy = VerificationPolicy(revocation="hard-fail", crls=(pki.crl_der(),))
            with verify_package(work / "received.edxml", trust=trust, policy=policy) as checked:
                verdict = checked.indication
                signer_name = pki.organisation.common_name
                step(receiver_id, "verified", f"{verdict}: signed by {signer_name}")
                if verdict is not Indication.PASSED or checked.package is None:
                    found = "; ".join(str(f) for f in checked.findings)
                    raise DemoError(f"the signature did not verify: {found}")
                received = checked.package
            if not isinstance(received, EdocPackage):
                raise DemoError("the received package is not a document")
            receiver.acknowledge(mine, DeliveryState.DONE)
            step(receiver_id, "acknowledged", f"axis DocId {mine}: done")

            # 3. the receiver answers 01 -> 03 -> 06; the sender follows them
            for offset, (code, text) in enumerate(_ANSWERS, start=1):
                answer = status_for(
                    received,
                    code,
                    from_=receiver_id,
                    description=text,
                    timestamp=local + datetime.timedelta(minutes=offset),
                )
                path = work / f"status-{code}.edxml"
                write(answer, path)
                reply = receiver.send(path, message_type="status")
                step(receiver_id, f"answered {code}", f"{text} -> axis DocId {reply.doc_id}")

            tracker = DocumentTracker()
            tracker.add(package)
            for notice in sender.received("status"):
                target = work / f"from-axis-{notice.doc_id}.edxml"
                sender.fetch(notice.doc_id, target)
                with read(target) as status:
                    tracker.add(status.package)
                    got = status.package
                got_code = got.status_code if isinstance(got, StatusPackage) else None
                sender.acknowledge(notice.doc_id, DeliveryState.DONE)
                step(sender_id, f"received {got_code}", f"axis DocId {notice.doc_id}: done")
            delivery = tuple(sender.sent(sent.doc_id))
            timeline = tracker.timeline(document_id).get(receiver_id, ())
            codes = [e.code for e in timeline if e.kind == "status"]
            if codes != [code for code, _ in _ANSWERS]:
                raise DemoError(f"the sender's timeline has {codes}, not 01, 03, 06")
        url = axis.url
    return DemoResult(
        url=url,
        db=db_path,
        document_id=document_id,
        axis_doc_id=sent.doc_id,
        verdict=verdict,
        steps=tuple(steps),
        timeline=tuple(timeline),
        delivery=delivery,
    )
