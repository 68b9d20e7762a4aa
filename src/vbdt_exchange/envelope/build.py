"""Building a new edoc package with the defaults the standard expects (edXML §6).

:func:`new_edoc` takes what only the sender knows (organisations, number and notation, date,
subject, files) and fills the rest the way edXML §6 says a writer should: the ``DocumentId``
built from ``From``, the promulgation date and the code; a ``TraceHeaderList`` with one
``TraceHeader`` for the sender; a ``Bussiness`` block for a new document (type 0, no paper
copy); ``SteeringType`` 1 (an ordinary document). The result is checked as the strict writer
would check it.

>>> import datetime
>>> from vbdt_exchange import Attachment, Organization
>>> package = new_edoc(
...     from_=Organization("000.00.00.H41", organ_name="UBND tỉnh Nghệ An"),
...     to=[Organization("000.00.00.G22", organ_name="Văn phòng Chính phủ")],
...     number="3244", notation="UBND-VP", date=datetime.date(2026, 11, 20),
...     subject="V/v triển khai kết nối liên thông",
...     attachments=[Attachment.from_bytes("cv.pdf", b"%PDF-1.7")],
...     sent_at=datetime.datetime(2026, 11, 20, 9, 30),
... )
>>> package.document_id
'000.00.00.H41,2026/11/20,3244/UBND-VP'
>>> package.trace.headers[0].organ_id, package.business.doc_type, package.steering_type
('000.00.00.H41', 0, 1)
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from vbdt_exchange.catalog import document_id as document_ids
from vbdt_exchange.envelope._values import VIETNAM, format_date
from vbdt_exchange.envelope.models import (
    Attachment,
    Business,
    Code,
    DocumentType,
    EdocPackage,
    Organization,
    OtherInfo,
    PromulgationInfo,
    ResponseFor,
    SignerInfo,
    StaffInfo,
    TraceHeader,
    TraceHeaderList,
)
from vbdt_exchange.envelope.writer import check
from vbdt_exchange.errors import EnvelopeWriteError

__all__ = ["new_edoc"]

#: The reason the official samples give for a new document.
NEW_DOCUMENT_REASON = "Văn bản điện tử mới"


def new_edoc(
    *,
    from_: Organization,
    to: Sequence[Organization],
    number: str,
    notation: str,
    date: datetime.date,
    subject: str,
    attachments: Sequence[Attachment] = (),
    place: str | None = None,
    document_type: DocumentType | None = None,
    content: str | None = None,
    signer: SignerInfo | None = None,
    due_date: datetime.date | None = None,
    to_places: Sequence[str] = (),
    other_info: OtherInfo | None = None,
    response_for: Sequence[ResponseFor] = (),
    steering_type: int = 1,
    staff: StaffInfo | None = None,
    paper: int = 0,
    sent_at: datetime.datetime | None = None,
) -> EdocPackage:
    """A new document (``BussinessDocType`` 0), ready for the strict writer.

    :param sent_at: the sender's ``TraceHeader`` timestamp (default: now, Vietnam time).
    :param paper: ``Bussiness/Paper``: 1 when a paper copy is also sent (meaning uncertain,
        edXML §13.6).
    :raises EnvelopeWriteError: a mandatory value is missing (the message lists them).
    """
    if sent_at is None:
        sent_at = datetime.datetime.now(VIETNAM).replace(tzinfo=None, microsecond=0)
    organ_id = from_.organ_id or ""
    package = EdocPackage(
        from_=from_,
        to=tuple(to),
        code=Code(number, notation),
        promulgation=PromulgationInfo(date, place),
        document_type=document_type,
        subject=subject,
        content=content,
        signer=signer,
        due_date=due_date,
        to_places=tuple(to_places),
        other_info=other_info,
        response_for=tuple(response_for),
        steering_type=steering_type,
        document_id=document_ids.make(organ_id, format_date(date), number, notation),
        trace=TraceHeaderList(
            headers=(TraceHeader(organ_id or None, sent_at),),
            business=Business(doc_type=0, reason=NEW_DOCUMENT_REASON, staff=staff, paper=paper),
        ),
        attachments=tuple(attachments),
    )
    problems = check(package)
    if problems:
        raise EnvelopeWriteError("the new package is incomplete: " + "; ".join(problems))
    return package
