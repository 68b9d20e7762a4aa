"""A signed package round-trips through real SMTP and IMAP servers."""

from __future__ import annotations

import datetime
import io
from collections.abc import Callable
from pathlib import Path

from vbdt_exchange.adapters.base import Channel, DeliveryState
from vbdt_exchange.adapters.email import EmailChannel
from vbdt_exchange.signature.keys import KeySigner
from vbdt_exchange.signature.policy import VerificationPolicy
from vbdt_exchange.signature.trust import TrustStore
from vbdt_exchange.signature.xml import Indication, sign_package, verify_package
from vbdt_exchange.testing.pki import TestPKI

RECEIVER = "000.00.00.G22"
SENDER = "000.00.00.H29"


def test_signed_package_round_trip(
    channel_for: Callable[..., EmailChannel],
    edoc: Callable[..., bytes],
    tmp_path: Path,
) -> None:
    # the CRL is verified at the real time: the PKI must be fresh (a fixed date expired)
    pki = TestPKI.generate(now=datetime.datetime.now(datetime.UTC).replace(microsecond=0))
    signer = KeySigner(
        pki.organisation.private_key, pki.organisation.certificate, pki.organisation.chain[1:-1]
    )
    signed = io.BytesIO()
    sign_package(edoc(attachment=b"%PDF-1.7 report"), signed, signer)
    package = signed.getvalue()

    sender, receiver = channel_for(SENDER), channel_for(RECEIVER)
    assert isinstance(sender, Channel)
    sent = sender.send(package)
    assert sent.message_type == "edoc"
    assert sent.size == len(package)

    (notice,) = receiver.received()
    assert notice.doc_id == sent.doc_id
    assert notice.from_ == SENDER
    assert notice.state is DeliveryState.INITIAL
    assert receiver.received("status") == []

    target = tmp_path / "in.edxml"
    fetched = receiver.fetch(notice.doc_id, target)
    assert fetched.sha256 == sent.sha256
    assert target.read_bytes() == package
    with verify_package(
        target,
        trust=TrustStore(roots=(pki.root.certificate,)),
        policy=VerificationPolicy(crls=(pki.crl_der(),), revocation="hard-fail"),
    ) as verification:
        assert verification.indication is Indication.PASSED, verification.findings
        assert verification.package is not None

    assert receiver.received() == [notice]  # fetching does not take it out of the inbox
    ack = receiver.acknowledge(notice.doc_id, "done")
    assert ack.state is DeliveryState.DONE
    assert receiver.received() == []
    assert receiver.acknowledge(notice.doc_id, "done").state is DeliveryState.DONE  # idempotent

    (row,) = sender.sent(sent.doc_id)
    assert (row.to, row.send_status, row.receive_state) == (RECEIVER, "done", None)
    assert row.title == "Số 12/UBND-VP: Về việc thử nghiệm trục liên thông"
