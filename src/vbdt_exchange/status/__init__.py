"""Exchange statuses: codes, transitions, the document tracker, and lifecycle builders.

Two layers, never mapped onto each other implicitly: the business :class:`StatusCode`
(01–06, 13, 15, 16, sent as status packages) and the axis's :class:`DeliveryStatus`
(initial/processing/done/fail, set with ``updateStatus``).
"""

from vbdt_exchange.status.build import (
    STATUS_LABELS,
    UnknownStatusCode,
    agree,
    refuse,
    replacement,
    revocation,
    status_for,
    take_back,
    update,
)
from vbdt_exchange.status.codes import DeliveryStatus, Sender, StatusCode, StatusError
from vbdt_exchange.status.tracker import Anomaly, DocumentTracker, Event, ReceiverState
from vbdt_exchange.status.transitions import (
    TransitionRefused,
    TransitionResult,
    TransitionRule,
    Transitions,
    check,
    load_transitions,
    require,
)

__all__ = [
    "STATUS_LABELS",
    "Anomaly",
    "DeliveryStatus",
    "DocumentTracker",
    "Event",
    "ReceiverState",
    "Sender",
    "StatusCode",
    "StatusError",
    "TransitionRefused",
    "TransitionResult",
    "TransitionRule",
    "Transitions",
    "UnknownStatusCode",
    "agree",
    "check",
    "load_transitions",
    "refuse",
    "replacement",
    "require",
    "revocation",
    "status_for",
    "take_back",
    "update",
]
