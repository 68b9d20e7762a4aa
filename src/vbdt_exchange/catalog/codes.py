"""Code lists of edXML (QCVN 102:2016) and Nghị định 30/2020, with Vietnamese and English labels.

Every list is a :class:`CodeList` of :class:`Code` entries. Look a value up by its code or by
its label (Vietnamese or English, case- and diacritic-insensitive):

* :meth:`CodeList.get` returns the :class:`Code` or ``None`` when nothing matches (never raises);
* :meth:`CodeList.lookup` returns the :class:`Code` or raises :class:`UnknownCode` (a
  :class:`~vbdt_exchange.errors.CatalogError`, hence a ``ValueError``).

>>> PRIORITY.lookup(1).label_vi
'Khẩn'
>>> PRIORITY.lookup('hoa toc').code
3
>>> SECRECY.lookup('TỐI MẬT').label_en
'Secret'
>>> PRIORITY.get(9) is None
True
>>> steering_types().lookup(1).label_en
'Not a steering document'
>>> steering_types(scheme='recollected').lookup(1).label_en
'Steering document'

Sources: ``edxml.md`` §11.1 (BussinessDocType), §13.1 (Priority), §13.2 (SteeringType), §13.4
(ReceiverType), §13.5 (DocumentInfo, DocumentReceiver), §13.6 (Paper); ``catalogue.md`` §7
(urgency and secrecy of Nghị định 30/2020/NĐ-CP and Luật 29/2018/QH14). The secrecy levels have
**no codes in law**: the numbers here are the library's own ordering (0 none … 3 highest).
"""

from __future__ import annotations

import enum
from collections.abc import Iterator, Mapping
from types import MappingProxyType

import attrs

from vbdt_exchange.catalog._text import fold
from vbdt_exchange.errors import CatalogError

__all__ = [
    "BUSINESS_DOC_TYPE",
    "CODE_LISTS",
    "DOCUMENT_INFO",
    "DOCUMENT_RECEIVER",
    "PAPER",
    "PRIORITY",
    "RECEIVER_TYPE",
    "SECRECY",
    "URGENCY",
    "Code",
    "CodeList",
    "SteeringScheme",
    "UnknownCode",
    "code_list",
    "fold",
    "steering_types",
]


class UnknownCode(CatalogError):
    """A code, label, code-list name or scheme that the catalogue does not know."""


@attrs.frozen
class Code:
    """One value of a code list."""

    code: int
    label_vi: str
    label_en: str
    note: str = ""
    aliases: tuple[str, ...] = ()

    def labels(self) -> tuple[str, ...]:
        """Every label the value is known by (Vietnamese, English, aliases)."""
        return (self.label_vi, self.label_en, *self.aliases)


@attrs.frozen
class CodeList:
    """A named list of codes with their labels and where they come from."""

    name: str
    title_vi: str
    title_en: str
    element: str
    source: str
    codes: tuple[Code, ...]
    note: str = ""

    def __iter__(self) -> Iterator[Code]:
        return iter(self.codes)

    def __len__(self) -> int:
        return len(self.codes)

    def get(self, value: object) -> Code | None:
        """The entry for ``value`` (an ``int`` code, a string of digits, or a label), or ``None``.

        Never raises.

        >>> PAPER.get(' 1 ').label_en
        'A paper copy is also sent'
        >>> PAPER.get('khong gui kem ban giay').code
        0
        >>> PAPER.get('x') is None
        True
        """
        if isinstance(value, bool):
            return None
        if isinstance(value, int):
            return next((c for c in self.codes if c.code == value), None)
        if not isinstance(value, str):
            return None
        text = value.strip()
        if text.isascii() and text.isdigit() and len(text) <= 3:
            return self.get(int(text))
        key = fold(text)
        if not key:
            return None
        return next((c for c in self.codes if key in {fold(x) for x in c.labels()}), None)

    def lookup(self, value: object) -> Code:
        """The entry for ``value``, or raise :class:`UnknownCode` naming the list.

        >>> PRIORITY.lookup('7')
        Traceback (most recent call last):
        ...
        vbdt_exchange.catalog.codes.UnknownCode: '7' is not a known priority (độ khẩn) value: ...
        """
        found = self.get(value)
        if found is None:
            known = ", ".join(f"{c.code} {c.label_vi}" for c in self.codes)
            shown = repr(value) if not isinstance(value, str) else repr(value[:60])
            raise UnknownCode(f"{shown} is not a known {self.title_en} value: one of {known}")
        return found

    def codes_only(self) -> tuple[int, ...]:
        """The codes, in order."""
        return tuple(c.code for c in self.codes)


def _c(code: int, vi: str, en: str, note: str = "", *aliases: str) -> Code:
    return Code(code, vi, en, note, tuple(aliases))


PRIORITY = CodeList(
    name="priority",
    title_vi="Độ khẩn (edXML Priority)",
    title_en="priority (độ khẩn)",
    element="OtherInfo/Priority",
    source="edxml.md §13.1 [B]; catalogue.md §7.1",
    codes=(
        _c(0, "Thường", "Normal", "no urgency mark", "binh thuong"),
        _c(1, "Khẩn", "Urgent"),
        _c(2, "Thượng khẩn", "Very urgent", ""),
        _c(3, "Hỏa tốc", "Immediate", "", "Hoả tốc", "flash"),
        _c(
            4,
            "Hỏa tốc hẹn giờ",
            "Immediate, timed",
            "legacy value older than NĐ 30/2020: accept on input, treat as Hỏa tốc",
            "Hoả tốc hẹn giờ",
        ),
    ),
    note="Two annotated sources agree on 0–4; a Bkav comment says 0–3.",
)

URGENCY = CodeList(
    name="urgency",
    title_vi="Mức độ khẩn (Nghị định 30/2020)",
    title_en="urgency level (mức độ khẩn)",
    element="stamp on the document; edXML OtherInfo/Priority",
    source="Nghị định 30/2020/NĐ-CP Phụ lục I [A]; catalogue.md §7.1",
    codes=(
        _c(1, "Khẩn", "Urgent", "stamp KHẨN, 20 × 8 mm"),
        _c(2, "Thượng khẩn", "Very urgent", "stamp THƯỢNG KHẨN, 40 × 8 mm"),
        _c(3, "Hỏa tốc", "Immediate", "stamp HOẢ TỐC, 30 × 8 mm", "Hoả tốc"),
    ),
    note="The code is the edXML Priority value the level is written as.",
)

SECRECY = CodeList(
    name="secrecy",
    title_vi="Độ mật",
    title_en="secrecy level (độ mật)",
    element="stamp on the document; no edXML field",
    source="Luật Bảo vệ bí mật nhà nước 29/2018/QH14; Nghị định 30/2020/NĐ-CP; catalogue.md §7.2",
    codes=(
        _c(0, "Không mật", "Not classified", "no secrecy mark", "thuong", "none", "khong"),
        _c(1, "Mật", "Confidential", "stamp MẬT"),
        _c(2, "Tối mật", "Secret", "stamp TỐI MẬT"),
        _c(3, "Tuyệt mật", "Top secret", "stamp TUYỆT MẬT"),
    ),
    note=(
        "The law defines no codes: the numbers are this library's ordering. Documents with a "
        "secrecy level (1–3) are never exchanged as ordinary electronic documents."
    ),
)


class SteeringScheme(enum.Enum):
    """Which numbering of ``SteeringType`` to use (the legal text is uncertain)."""

    #: 1 not steering, 2 steering, 3 report: what deployed software writes (the default).
    DEPLOYED = "deployed"
    #: 0 not steering, 1 steering, 2 report: a recollection of the 2016 text.
    RECOLLECTED = "recollected"


_STEERING_LABELS = (
    ("Không phải văn bản chỉ đạo", "Not a steering document", "ordinary document"),
    ("Văn bản chỉ đạo", "Steering document", "direction from a superior body"),
    ("Báo cáo kết quả thực hiện chỉ đạo", "Report on a steering document", ""),
)


def _steering(scheme: SteeringScheme) -> CodeList:
    first = 1 if scheme is SteeringScheme.DEPLOYED else 0
    return CodeList(
        name="steering_type",
        title_vi=f"Loại chỉ đạo (SteeringType, {scheme.value})",
        title_en=f"steering type ({scheme.value} scheme)",
        element="SteeringType",
        source="edxml.md §13.2 [?]",
        codes=tuple(
            _c(first + i, vi, en, note) for i, (vi, en, note) in enumerate(_STEERING_LABELS)
        ),
        note=(
            "The deployed scheme (1/2/3) is what the official SDK samples and annotated sources "
            "use and the default; the recollected scheme (0/1/2) is offered for peers that use it."
        ),
    )


_STEERING = MappingProxyType({s: _steering(s) for s in SteeringScheme})


def steering_types(scheme: SteeringScheme | str = SteeringScheme.DEPLOYED) -> CodeList:
    """The ``SteeringType`` list in ``scheme`` (``'deployed'``, the default, or ``'recollected'``).

    Raises :class:`UnknownCode` for an unknown scheme.

    >>> steering_types('recollected').codes_only()
    (0, 1, 2)
    >>> steering_types('nope')
    Traceback (most recent call last):
    ...
    vbdt_exchange.catalog.codes.UnknownCode: unknown SteeringType scheme 'nope': ...
    """
    if isinstance(scheme, SteeringScheme):
        return _STEERING[scheme]
    key = fold(scheme)
    for member in SteeringScheme:
        if key == member.value:
            return _STEERING[member]
    shown = repr(scheme)[:80]
    choices = ", ".join(m.value for m in SteeringScheme)
    raise UnknownCode(f"unknown SteeringType scheme {shown}: use one of {choices}")


BUSINESS_DOC_TYPE = CodeList(
    name="business_doc_type",
    title_vi="Loại nghiệp vụ (BussinessDocType)",
    title_en="business document type",
    element="TraceHeaderList/Bussiness/BussinessDocType",
    source="edxml.md §11.1 [A]",
    codes=(
        _c(0, "Văn bản điện tử mới", "New document", "", "moi", "new"),
        _c(1, "Thu hồi", "Revocation", "", "revoke"),
        _c(2, "Cập nhật", "Update", "", "cap nhat"),
        _c(3, "Thay thế", "Replacement", "", "replace"),
    ),
)

RECEIVER_TYPE = CodeList(
    name="receiver_type",
    title_vi="Loại thay đổi nơi nhận (ReceiverType)",
    title_en="receiver change type",
    element="BussinessDocumentInfo/ReceiverList/Receiver/ReceiverType",
    source="edxml.md §11.2, §13.4 [B]",
    codes=(
        _c(0, "Bỏ nơi nhận", "Recipient removed", "", "removed"),
        _c(1, "Thêm nơi nhận", "Recipient added", "", "added"),
    ),
)

PAPER = CodeList(
    name="paper",
    title_vi="Gửi kèm bản giấy (Paper)",
    title_en="paper copy flag",
    element="OtherInfo/Paper",
    source="edxml.md §13.6 [?]",
    codes=(
        _c(0, "Không gửi kèm bản giấy", "No paper copy is sent", "every sample writes 0"),
        _c(1, "Gửi kèm bản giấy", "A paper copy is also sent", "set it for paper_also decisions"),
    ),
    note="One implementation reads Paper as a page count; the flag meaning is the likelier one.",
)

DOCUMENT_INFO = CodeList(
    name="document_info",
    title_vi="Thay đổi thông tin văn bản (DocumentInfo)",
    title_en="document information changed",
    element="BussinessDocumentInfo/DocumentInfo",
    source="edxml.md §11.2, §13.5 [C]",
    codes=(
        _c(0, "Không thay đổi thông tin văn bản", "Metadata unchanged"),
        _c(1, "Thay đổi thông tin văn bản", "Metadata or content changed"),
    ),
)

DOCUMENT_RECEIVER = CodeList(
    name="document_receiver",
    title_vi="Thay đổi nơi nhận (DocumentReceiver)",
    title_en="recipient list changed",
    element="BussinessDocumentInfo/DocumentReceiver",
    source="edxml.md §11.2, §13.5 [C]",
    codes=(
        _c(0, "Không thay đổi nơi nhận", "Recipient list unchanged"),
        _c(1, "Thay đổi nơi nhận", "Recipient list changed"),
    ),
)

#: Every list by name; ``steering_type`` is the default (deployed) scheme.
CODE_LISTS: Mapping[str, CodeList] = MappingProxyType(
    {
        c.name: c
        for c in (
            PRIORITY,
            URGENCY,
            SECRECY,
            steering_types(),
            BUSINESS_DOC_TYPE,
            RECEIVER_TYPE,
            PAPER,
            DOCUMENT_INFO,
            DOCUMENT_RECEIVER,
        )
    }
)


def code_list(name: str) -> CodeList:
    """The list called ``name`` (see :data:`CODE_LISTS`), or raise :class:`UnknownCode`.

    >>> code_list('Receiver_Type').codes_only()
    (0, 1)
    """
    key = fold(name).replace(" ", "_").replace("-", "_")
    found = CODE_LISTS.get(key)
    if found is None:
        shown = repr(name)[:80]
        raise UnknownCode(f"unknown code list {shown}: use one of {', '.join(CODE_LISTS)}")
    return found
