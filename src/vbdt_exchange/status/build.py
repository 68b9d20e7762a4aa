"""Building status packages and lifecycle packages (edXML §11, §12).

* :func:`status_for` — a status package (01–06, 13, 15, 16) about a received edoc package,
  addressed as edXML §12.3 says: for the receiver's codes ``From`` is the receiving
  organisation and ``ResponseFor/OrganId`` the original sender; for 13 (take-back request)
  ``From`` is the original sender and ``ResponseFor/OrganId`` the receiver the document is taken
  back from. ``ResponseFor`` always identifies the original document (``DocumentId``, ``Code``,
  ``PromulgationDate``).
* :func:`take_back`, :func:`agree`, :func:`refuse` — the take-back request (13) and the
  receiver's answers (15, 16) to a take-back or an update.
* :func:`revocation`, :func:`update`, :func:`replacement` — edoc packages with
  ``BussinessDocType`` 1, 2 and 3, shaped like the official samples.

Every builder returns a frozen model that the strict writer accepts; a missing value raises
:class:`~vbdt_exchange.errors.EnvelopeWriteError` listing what is missing.

>>> import datetime
>>> from vbdt_exchange import Organization, new_edoc
>>> original = new_edoc(
...     from_=Organization("000.00.00.G22"), to=[Organization("000.00.00.H41")],
...     number="7816", notation="VPCP-TTĐT", date=datetime.date(2026, 11, 20),
...     subject="V/v kết nối", sent_at=datetime.datetime(2026, 11, 20, 9, 0),
... )
>>> status = status_for(original, "03", from_="000.00.00.H41",
...                     timestamp=datetime.datetime(2026, 11, 20, 10, 0))
>>> status.from_.organ_id, status.response_for.organ_id, status.response_for.document_id
('000.00.00.H41', '000.00.00.G22', '000.00.00.G22,2026/11/20,7816/VPCP-TTĐT')
>>> status.description
'Văn thư - Phòng Văn thư - Lưu trữ: Tiếp nhận văn bản điện tử, vào sổ văn bản đến của đơn vị'
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from types import MappingProxyType

import attrs

from vbdt_exchange.catalog import document_id as document_ids
from vbdt_exchange.envelope._values import KNOWN_STATUS_CODES, VIETNAM
from vbdt_exchange.envelope.models import (
    Attachment,
    Business,
    BusinessDocumentInfo,
    DateValue,
    DocumentType,
    EdocPackage,
    Organization,
    OtherInfo,
    Receiver,
    ReplacementInfo,
    ResponseFor,
    SignerInfo,
    StaffInfo,
    StatusPackage,
    TraceHeader,
    TraceHeaderList,
)
from vbdt_exchange.envelope.writer import check
from vbdt_exchange.errors import EnvelopeWriteError
from vbdt_exchange.status.codes import StatusError

__all__ = [
    "KNOWN_CODES",
    "RECEIVER_CODES",
    "REPLACEMENT_REASON",
    "REVOCATION_REASON",
    "SENDER_CODES",
    "STATUS_LABELS",
    "UPDATE_REASON",
    "UnknownStatusCode",
    "agree",
    "refuse",
    "replacement",
    "revocation",
    "status_for",
    "take_back",
    "update",
]

#: The nine status codes of the standard (edXML §12.1).
KNOWN_CODES: tuple[str, ...] = tuple(KNOWN_STATUS_CODES)
#: Codes sent by the receiver of a document (``From`` = the receiver).
RECEIVER_CODES: frozenset[str] = frozenset({"01", "02", "03", "04", "05", "06", "15", "16"})
#: Codes sent by the original sender (``From`` = the sender): the take-back request.
SENDER_CODES: frozenset[str] = frozenset({"13"})

_VAN_THU = "Văn thư - Phòng Văn thư - Lưu trữ: "

#: The default ``Description`` of each code: the labels of the official samples (edXML §12.2).
STATUS_LABELS: Mapping[str, str] = MappingProxyType(
    {
        "01": _VAN_THU + "Đã đến - Phần mềm QLVB đã nhận nhưng văn thư chưa xử lý",
        "02": _VAN_THU + "Từ chối không tiếp nhận văn bản điện tử",
        "03": _VAN_THU + "Tiếp nhận văn bản điện tử, vào sổ văn bản đến của đơn vị",
        "04": "Lãnh đạo: Phân công xử lý",
        "05": "Đang xử lý văn bản đến",
        "06": "Văn thư: Ban hành văn bản đến, hoàn thành xử lý",
        "13": "Văn thư yêu cầu lấy lại văn bản điện tử kèm lý do",
        "15": "Văn thư đồng ý yêu cầu cập nhật, lấy lại",
        "16": "Văn thư từ chối yêu cầu cập nhật, lấy lại",
    }
)

#: The reasons the official samples give for business types 1, 2 and 3.
REVOCATION_REASON = "Thu hồi văn bản điện tử"
UPDATE_REASON = "Cập nhật văn bản điện tử"
REPLACEMENT_REASON = "Văn bản thay thế"


class UnknownStatusCode(StatusError):
    """A status code that is not one of the nine of the standard (01–06, 13, 15, 16).

    Unknown codes read from the wire are preserved by the reader; only building one is refused.
    """

    def __init__(self, code: object) -> None:
        self.code = code
        super().__init__(
            f"unknown status code {code!r}: the known codes are {', '.join(KNOWN_CODES)}"
        )


# -- helpers --------------------------------------------------------------------------------------


def _known(code: object) -> str:
    if not isinstance(code, str) or code not in KNOWN_CODES:
        raise UnknownStatusCode(code)
    return code


def _now() -> datetime.datetime:
    return datetime.datetime.now(VIETNAM).replace(tzinfo=None, microsecond=0)


def _local(moment: datetime.datetime | None) -> datetime.datetime:
    """Vietnam local time, naive, whole seconds (the wire form of a timestamp)."""
    if moment is None:
        return _now()
    if moment.tzinfo is not None:
        moment = moment.astimezone(VIETNAM).replace(tzinfo=None)
    return moment.replace(microsecond=0)


def _organization(
    value: Organization | str, known: Iterable[Organization | None] = ()
) -> Organization:
    """``value`` as an organisation; an identifier is completed from ``known`` when it is there."""
    if isinstance(value, Organization):
        return value
    for org in known:
        if org is not None and org.organ_id == value:
            return org
    return Organization(value)


def _organ_id(value: Organization | str) -> str | None:
    return value if isinstance(value, str) else value.organ_id


def _checked(package: StatusPackage | EdocPackage, what: str) -> None:
    problems = check(package)
    if problems:
        raise EnvelopeWriteError(f"the {what} is incomplete: " + "; ".join(problems))


def _reference(package: EdocPackage, organ_id: str | None) -> ResponseFor:
    """A reference to the document ``package`` concerns, for ``organ_id``.

    That is the package's own document, except for an update (BussinessDocType 2) that names
    the document it updates in ``Bussiness/DocumentId``: statuses about an update answer for that
    document (as the tracker files them), with its code and date read from its DocumentId.
    """
    date: DateValue | None = package.promulgation.date if package.promulgation else None
    code = package.code.full if package.code else None
    document = package.document_id
    business = package.business
    updated = business.document_id if business is not None and business.doc_type == 2 else None
    if updated and document_ids.is_valid(updated):
        parts = document_ids.parse(updated)
        try:  # a DocumentId with an impossible date (as in the official sample) is not used
            date = datetime.date(*(int(x) for x in parts.date.split("/")))
        except ValueError:
            pass
        else:
            code, document = f"{parts.number}/{parts.notation}", updated
    return ResponseFor(organ_id=organ_id, code=code, promulgation_date=date, document_id=document)


# -- status packages ------------------------------------------------------------------------------


def status_for(
    package: EdocPackage,
    code: str,
    *,
    from_: Organization | str,
    to: Organization | str | None = None,
    staff: StaffInfo | None = None,
    description: str | None = None,
    timestamp: datetime.datetime | None = None,
) -> StatusPackage:
    """A status package with ``code`` about ``package`` (an edoc package received or sent).

    :param code: one of 01–06, 13, 15, 16 (two characters).
    :param from_: who sends the status: the receiving organisation for 01–06, 15 and 16; the
        original sender for 13. An identifier is completed (names, address) from the package's
        ``To`` (receiver codes) or ``From`` (13) when it is there.
    :param to: the organisation the status is addressed to (``ResponseFor/OrganId``). Required
        for 13 (the receiver the document is taken back from); for the other codes it defaults
        to the package's ``From``.
    :param description: default: the label of the code in the official samples
        (:data:`STATUS_LABELS`).
    :param timestamp: when the action happened (default: now, Vietnam time); an aware
        date-time is converted to Vietnam time; microseconds are dropped.
    :raises UnknownStatusCode: ``code`` is not one of the nine codes.
    :raises EnvelopeWriteError: a value the status needs is missing (``to`` for 13, the
        package's ``From``, ``DocumentId``, ``Code`` or promulgation date).
    """
    code = _known(code)
    if code in SENDER_CODES:
        if to is None:
            raise EnvelopeWriteError(
                f"status {code} is sent by the original sender to one receiver: "
                "give the receiver the document is taken back from (to=...)"
            )
        sender = _organization(from_, [package.from_])
        addressee = _organ_id(to)
    else:
        sender = _organization(from_, package.to)
        if to is not None:
            addressee = _organ_id(to)
        else:
            addressee = package.from_.organ_id if package.from_ else None
    status = StatusPackage(
        from_=sender,
        response_for=_reference(package, addressee),
        staff=staff,
        status_code=code,
        description=STATUS_LABELS[code] if description is None else description,
        timestamp=_local(timestamp),
    )
    _checked(status, f"status {code}")
    return status


def take_back(
    original: EdocPackage,
    *,
    receiver: Organization | str,
    reason: str | None = None,
    from_: Organization | str | None = None,
    staff: StaffInfo | None = None,
    timestamp: datetime.datetime | None = None,
) -> StatusPackage:
    """The original sender asks ``receiver`` to give ``original`` back: a status 13.

    :param from_: the original sender (default: the package's ``From``).
    :param reason: the ``Description`` (default: the label of 13).
    """
    if from_ is None:
        if original.from_ is None:
            raise EnvelopeWriteError("the take-back request is incomplete: From is missing")
        from_ = original.from_
    return status_for(
        original,
        "13",
        from_=from_,
        to=receiver,
        staff=staff,
        description=reason,
        timestamp=timestamp,
    )


def _answer(
    code: str,
    request: StatusPackage | EdocPackage,
    from_: Organization | str | None,
    staff: StaffInfo | None,
    description: str | None,
    timestamp: datetime.datetime | None,
) -> StatusPackage:
    if isinstance(request, StatusPackage):
        if request.status_code not in SENDER_CODES:
            raise EnvelopeWriteError(
                f"status {code} answers a take-back request (status 13), "
                f"not a status {request.status_code!r}"
            )
        asked = request.response_for
        if from_ is None:
            from_ = asked.organ_id if asked and asked.organ_id else None
        if from_ is None:
            raise EnvelopeWriteError(
                f"the status {code} is incomplete: give the receiving organisation (from_=...)"
            )
        status = StatusPackage(
            from_=_organization(from_),
            response_for=ResponseFor(
                organ_id=request.from_.organ_id if request.from_ else None,
                code=asked.code if asked else None,
                promulgation_date=asked.promulgation_date if asked else None,
                document_id=asked.document_id if asked else None,
            ),
            staff=staff,
            status_code=code,
            description=STATUS_LABELS[code] if description is None else description,
            timestamp=_local(timestamp),
        )
        _checked(status, f"status {code}")
        return status
    business = request.business
    if business is None or business.doc_type not in (1, 2):
        raise EnvelopeWriteError(
            f"status {code} answers an update or revocation (BussinessDocType 2 or 1), "
            f"not BussinessDocType {business.doc_type if business else None!r}"
        )
    if from_ is None:
        raise EnvelopeWriteError(
            f"the status {code} is incomplete: give the receiving organisation (from_=...)"
        )
    return status_for(
        request, code, from_=from_, staff=staff, description=description, timestamp=timestamp
    )


def agree(
    request: StatusPackage | EdocPackage,
    *,
    from_: Organization | str | None = None,
    staff: StaffInfo | None = None,
    description: str | None = None,
    timestamp: datetime.datetime | None = None,
) -> StatusPackage:
    """The receiver agrees (status 15) to a take-back request or an update.

    :param request: the status 13 received, or the update (or revocation) package received.
    :param from_: the receiving organisation; for a status 13 it defaults to the request's
        ``ResponseFor/OrganId``. The answer is addressed to the request's sender and refers to
        the same document.
    """
    return _answer("15", request, from_, staff, description, timestamp)


def refuse(
    request: StatusPackage | EdocPackage,
    *,
    from_: Organization | str | None = None,
    staff: StaffInfo | None = None,
    description: str | None = None,
    timestamp: datetime.datetime | None = None,
) -> StatusPackage:
    """The receiver refuses (status 16) a take-back request or an update; see :func:`agree`."""
    return _answer("16", request, from_, staff, description, timestamp)


# -- lifecycle packages ---------------------------------------------------------------------------


def _trace(
    package: EdocPackage, business: Business, sent_at: datetime.datetime | None
) -> TraceHeaderList:
    """A fresh trace: one ``TraceHeader`` for the sender at ``sent_at``, and ``business``."""
    organ_id = package.from_.organ_id if package.from_ else None
    return TraceHeaderList(headers=(TraceHeader(organ_id, _local(sent_at)),), business=business)


def _paper(package: EdocPackage, paper: int | None) -> int:
    if paper is not None:
        return paper
    old = package.business.paper if package.business else None
    return old if isinstance(old, int) else 0


def revocation(
    original: EdocPackage,
    *,
    reason: str = REVOCATION_REASON,
    staff: StaffInfo | None = None,
    paper: int | None = None,
    sent_at: datetime.datetime | None = None,
) -> EdocPackage:
    """Revoke (thu hồi) ``original``: ``BussinessDocType`` 1.

    As in the official sample, the package repeats the original's metadata, receivers and files
    with the same ``DocumentId``; its ``ResponseFor`` points to the original, and
    ``Bussiness/DocumentId`` names it too (edXML §7 asks for it; the sample leaves it out). The
    original's signature is not carried over (the package is a new one: sign it again).

    :param sent_at: the sender's ``TraceHeader`` timestamp (default: now, Vietnam time).
    """
    organ_id = original.from_.organ_id if original.from_ else None
    business = Business(
        doc_type=1,
        reason=reason,
        document_id=original.document_id,
        staff=staff,
        paper=_paper(original, paper),
    )
    package = attrs.evolve(
        original,
        response_for=(_reference(original, organ_id),),
        trace=_trace(original, business, sent_at),
        signature=None,
    )
    _checked(package, "revocation")
    return package


def update(
    original: EdocPackage,
    *,
    reason: str = UPDATE_REASON,
    changed_metadata: bool | None = None,
    added: Sequence[Organization | str] = (),
    removed: Sequence[Organization | str] = (),
    subject: str | None = None,
    content: str | None = None,
    document_type: DocumentType | None = None,
    signer: SignerInfo | None = None,
    due_date: datetime.date | None = None,
    other_info: OtherInfo | None = None,
    attachments: Sequence[Attachment] | None = None,
    staff: StaffInfo | None = None,
    paper: int | None = None,
    sent_at: datetime.datetime | None = None,
) -> EdocPackage:
    """Update (cập nhật) ``original``: ``BussinessDocType`` 2.

    The package keeps the original's ``DocumentId``; ``Bussiness/DocumentId`` names the document
    updated and ``BussinessDocumentInfo`` says what changed: ``DocumentInfo`` 1 when the
    metadata or files change, ``DocumentReceiver`` 1 when receivers are added or removed, and
    ``ReceiverList`` with ``ReceiverType`` 1 for each receiver added, 0 for each one removed.
    ``To`` lists the original receivers (removed ones included, so they learn of it) and the
    added ones, as in the official sample.

    :param changed_metadata: ``DocumentInfo``; default: whether a new value or new files are
        given.
    :param added: receivers added (organisations, or identifiers).
    :param removed: receivers removed (identifiers or organisations among the original's ``To``).
    :param subject: and the other fields: new values (``None`` keeps the original's);
        ``attachments`` replaces the files.
    :raises EnvelopeWriteError: nothing changes, a receiver is both added and removed, a removed
        one is not a receiver of the original, an added one already is, or a value is missing.
    """
    new_values = {
        "subject": subject,
        "content": content,
        "document_type": document_type,
        "signer": signer,
        "due_date": due_date,
        "other_info": other_info,
    }
    changes: dict[str, object] = {k: v for k, v in new_values.items() if v is not None}
    if attachments is not None:
        changes["attachments"] = tuple(attachments)
    if changed_metadata is None:
        changed_metadata = bool(changes)
    current = [org.organ_id for org in original.to]
    added_orgs = [_organization(org) for org in added]
    added_ids = [org.organ_id for org in added_orgs]
    removed_ids = [_organ_id(org) for org in removed]
    problems = []
    if not changed_metadata and not added_ids and not removed_ids:
        problems.append("nothing changes (no new value, no receiver added or removed)")
    problems += [f"{i} is both added and removed" for i in added_ids if i in removed_ids]
    problems += [f"{i} is already a receiver" for i in added_ids if i in current]
    problems += [f"{i} is not a receiver of the original" for i in removed_ids if i not in current]
    if problems:
        raise EnvelopeWriteError("the update is incomplete: " + "; ".join(problems))
    receivers = tuple(Receiver(i, 0) for i in removed_ids) + tuple(
        Receiver(i, 1) for i in added_ids
    )
    business = Business(
        doc_type=2,
        reason=reason,
        document_info=BusinessDocumentInfo(
            document_info=int(changed_metadata),
            document_receiver=int(bool(receivers)),
            receivers=receivers,
        ),
        document_id=original.document_id,
        staff=staff,
        paper=_paper(original, paper),
    )
    package = attrs.evolve(
        original,
        to=(*original.to, *added_orgs),
        trace=_trace(original, business, sent_at),
        signature=None,
        **changes,  # type: ignore[arg-type]
    )
    _checked(package, "update")
    return package


def replacement(
    new_package: EdocPackage,
    replaces: Mapping[str, Sequence[Organization | str]],
    *,
    reason: str = REPLACEMENT_REASON,
    staff: StaffInfo | None = None,
    paper: int | None = None,
    sent_at: datetime.datetime | None = None,
) -> EdocPackage:
    """``new_package`` replaces (thay thế) earlier documents: ``BussinessDocType`` 3.

    :param replaces: for each replaced ``DocumentId``, the receivers the replacement applies to
        (identifiers or organisations; an empty list means every receiver of ``new_package``).
    :param staff: default: the ``StaffInfo`` of ``new_package``'s ``Bussiness``.
    :param sent_at: a new sender ``TraceHeader`` at this time; default: keep ``new_package``'s
        trace headers (a fresh one at now when it has none).
    :raises EnvelopeWriteError: nothing is replaced, or a value is missing.
    """
    if not replaces:
        raise EnvelopeWriteError("the replacement is incomplete: no replaced DocumentId given")
    every = tuple(org.organ_id for org in new_package.to if org.organ_id)
    infos = tuple(
        ReplacementInfo(
            document_id,
            tuple(i for i in (_organ_id(org) for org in organs) if i) if organs else every,
        )
        for document_id, organs in replaces.items()
    )
    old = new_package.business
    business = Business(
        doc_type=3,
        reason=reason,
        staff=staff if staff is not None else (old.staff if old else None),
        paper=_paper(new_package, paper),
        replacements=infos,
    )
    trace = new_package.trace
    if sent_at is not None or trace is None or not trace.headers:
        trace = _trace(new_package, business, sent_at)
    else:
        trace = attrs.evolve(trace, business=business)
    package = attrs.evolve(new_package, trace=trace, signature=None)
    problems = [
        f"ReplacementInfo for {i.document_id!r} has no receiver" for i in infos if not i.organ_ids
    ]
    problems += ["a replaced DocumentId is empty" for i in infos if not i.document_id]
    if problems:
        raise EnvelopeWriteError("the replacement is incomplete: " + "; ".join(problems))
    _checked(package, "replacement")
    return package
