"""The two status layers of document exchange, kept apart (``edxml.md`` §12, ``axis-api.md`` §6).

* :class:`StatusCode` — the **business** status of a document at one receiver, sent as an edXML
  status package (``StatusCode`` 01–06, 13, 15, 16). Codes read from the wire that the standard
  does not define (``07``, ``1``, ``103``) are kept as they were written, flagged
  ``known=False``; they are never an error.
* :class:`DeliveryStatus` — the axis's **delivery** status of a message (``initial``,
  ``processing``, ``done``, ``fail``), set with ``updateStatus``. It is not a business status.

Neither layer is ever converted into the other implicitly. The only link is the documented hint
:attr:`DeliveryStatus.business_hint`: after ``done`` the receiver *should* also send ``01``.

>>> StatusCode.parse("03")
StatusCode.ACCEPTED
>>> StatusCode.parse("03").phrase_en
'Accepted and registered'
>>> code = StatusCode.parse("07")
>>> code.known, code.code
(False, '07')
>>> DeliveryStatus.parse("DONE")
<DeliveryStatus.DONE: 'done'>
"""

from __future__ import annotations

import enum
from typing import ClassVar, Literal

import attrs

from vbdt_exchange.errors import VbdtError

__all__ = ["DeliveryStatus", "Sender", "StatusCode", "StatusError"]

Sender = Literal["receiver", "sender"]
"""Who sends a status code: the ``receiver`` of the document, or its original ``sender``."""


class StatusError(VbdtError, ValueError):
    """A status value cannot be used: not text, not a delivery status, a refused transition."""


@attrs.frozen(repr=False)
class StatusCode:
    """A business status code (``edxml.md`` §12.1), known or not.

    :ivar code: the code as written on the wire (``"03"``); unknown codes keep their text.
    :ivar phrase_vi: short Vietnamese name (``"Đã tiếp nhận"``).
    :ivar phrase_en: short English name.
    :ivar sender: who sends it — ``"receiver"`` (01–06, 15, 16) or the original ``"sender"``
        (13); ``None`` for an unknown code.
    :ivar is_final: no further progress status is expected after it (02, 06).
    :ivar description_vi: the ``Description`` of the official sample (edxml §12.2), a good
        default text for a status package.
    :ivar known: whether the standard defines the code.
    """

    code: str
    phrase_vi: str
    phrase_en: str
    sender: Sender | None
    is_final: bool
    description_vi: str
    known: bool = True
    name: str = attrs.field(default="", eq=False)

    ARRIVED: ClassVar[StatusCode]
    REJECTED: ClassVar[StatusCode]
    ACCEPTED: ClassVar[StatusCode]
    ASSIGNED: ClassVar[StatusCode]
    PROCESSING: ClassVar[StatusCode]
    COMPLETED: ClassVar[StatusCode]
    TAKE_BACK_REQUESTED: ClassVar[StatusCode]
    AGREED: ClassVar[StatusCode]
    DECLINED: ClassVar[StatusCode]
    _registry: ClassVar[dict[str, StatusCode]] = {}

    def __str__(self) -> str:
        return self.code

    def __repr__(self) -> str:
        if self.known:
            return f"StatusCode.{self.name}"
        return f"StatusCode.parse({self.code!r})"

    @classmethod
    def parse(cls, text: str) -> StatusCode:
        """The code written ``text``; an unknown code is kept (``known=False``), never refused.

        Surrounding whitespace is ignored; nothing else is changed (``"1"`` is not ``"01"``).

        :raises StatusError: ``text`` is not a string.
        """
        if not isinstance(text, str):
            raise StatusError(f"a status code is text, not {type(text).__name__}")
        value = text.strip()
        found = cls._registry.get(value)
        if found is not None:
            return found
        return cls(
            code=value,
            phrase_vi="Mã trạng thái không xác định",
            phrase_en="Unknown status code",
            sender=None,
            is_final=False,
            description_vi="",
            known=False,
        )

    @classmethod
    def known_codes(cls) -> tuple[StatusCode, ...]:
        """The nine codes of the standard, in code order."""
        return tuple(cls._registry[key] for key in sorted(cls._registry))

    @property
    def from_receiver(self) -> bool:
        """Sent by the receiving organisation (``From`` = receiver, edxml §12.3)."""
        return self.sender != "sender"


def _register(name: str, code: str, vi: str, en: str, sender: Sender, final: bool, d: str) -> None:
    instance = StatusCode(code, vi, en, sender, final, d, True, name)
    StatusCode._registry[code] = instance
    setattr(StatusCode, name, instance)


_CLERK = "Văn thư - Phòng Văn thư - Lưu trữ: "
_register("ARRIVED", "01", "Đã đến", "Arrived", "receiver", False,
          _CLERK + "Đã đến - Phần mềm QLVB đã nhận nhưng văn thư chưa xử lý")  # fmt: skip
_register("REJECTED", "02", "Từ chối tiếp nhận", "Refused", "receiver", True,
          _CLERK + "Từ chối không tiếp nhận văn bản điện tử")  # fmt: skip
_register("ACCEPTED", "03", "Đã tiếp nhận", "Accepted and registered", "receiver", False,
          _CLERK + "Tiếp nhận văn bản điện tử, vào sổ văn bản đến của đơn vị")  # fmt: skip
_register("ASSIGNED", "04", "Phân công xử lý", "Assigned for handling", "receiver", False,
          "Lãnh đạo: Phân công xử lý")  # fmt: skip
_register("PROCESSING", "05", "Đang xử lý", "Being handled", "receiver", False,
          "Đang xử lý văn bản đến")  # fmt: skip
_register("COMPLETED", "06", "Hoàn thành", "Handling finished", "receiver", True,
          "Văn thư: Ban hành văn bản đến, hoàn thành xử lý")  # fmt: skip
_register("TAKE_BACK_REQUESTED", "13", "Yêu cầu lấy lại", "Take-back requested", "sender",
          False, "Văn thư yêu cầu lấy lại văn bản điện tử kèm lý do")  # fmt: skip
_register("AGREED", "15", "Đồng ý", "Agreed (take-back or update)", "receiver", False,
          "Văn thư đồng ý yêu cầu cập nhật, lấy lại")  # fmt: skip
_register("DECLINED", "16", "Từ chối", "Declined (take-back or update)", "receiver", False,
          "Văn thư từ chối yêu cầu cập nhật, lấy lại")  # fmt: skip


class DeliveryStatus(enum.Enum):
    """The axis's per-message, per-receiver delivery status (``axis-api.md`` §6).

    Set by the receiver with ``updateStatus``; one LGSP spells the values in upper case
    (:attr:`lgsp`). It says where the *message* is in the axis queue, not what the receiving
    organisation did with the *document*: that is a :class:`StatusCode`.
    """

    INITIAL = "initial"
    PROCESSING = "processing"
    DONE = "done"
    FAIL = "fail"

    def __str__(self) -> str:
        return self.value

    @classmethod
    def parse(cls, text: str) -> DeliveryStatus:
        """``initial``/``processing``/``done``/``fail`` in any case.

        :raises StatusError: anything else — in particular a business code such as ``"03"``,
            which is never taken for a delivery status.
        """
        if not isinstance(text, str):
            raise StatusError(f"a delivery status is text, not {type(text).__name__}")
        value = text.strip().lower()
        for member in cls:
            if member.value == value:
                return member
        hint = ""
        if StatusCode.parse(text).known:
            hint = " (that is a business StatusCode, sent as a status package)"
        raise StatusError(
            f"not a delivery status: {text!r}; expected initial, processing, done or fail{hint}"
        )

    @classmethod
    def maybe(cls, value: object) -> DeliveryStatus | None:
        """The status ``value`` names, or ``None`` when it names none (an axis's own word)."""
        if not isinstance(value, str):
            return None
        try:
            return cls.parse(value)
        except StatusError:
            return None

    @property
    def lgsp(self) -> str:
        """The upper-case spelling of one LGSP (``INITIAL|PROCESSING|DONE|FAIL``)."""
        return self.value.upper()

    @property
    def phrase_en(self) -> str:
        return _DELIVERY_PHRASES[self][1]

    @property
    def phrase_vi(self) -> str:
        return _DELIVERY_PHRASES[self][0]

    @property
    def business_hint(self) -> StatusCode | None:
        """The business status the receiver *should also send*, as a documented hint only.

        ``done`` ≈ the receiver's system has the package, so it should send ``01``; the other
        values imply no business status. Nothing in the library applies this automatically.
        """
        return StatusCode.ARRIVED if self is DeliveryStatus.DONE else None


_DELIVERY_PHRASES: dict[DeliveryStatus, tuple[str, str]] = {
    DeliveryStatus.INITIAL: ("Mới, chưa nhận", "Waiting in the receiver's queue"),
    DeliveryStatus.PROCESSING: ("Đang nhận", "Being taken by the receiver"),
    DeliveryStatus.DONE: ("Đã nhận", "Stored by the receiver's system"),
    DeliveryStatus.FAIL: ("Nhận lỗi", "The receiver's system could not take it"),
}
