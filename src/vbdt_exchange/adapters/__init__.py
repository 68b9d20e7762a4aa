"""Channels to the axis: the adapter interface; VDXP, LGSP, e-mail and in-memory channels.

* :mod:`vbdt_exchange.adapters.base` — :class:`Channel`, the protocol every channel implements
  (send, list received, fetch, acknowledge, per-receiver state of what was sent, directory),
  and its typed results (:class:`SentMessage`, :class:`Notice`, :class:`ReceiverState`,
  :class:`Agency`, :class:`Fetched`, :class:`Acknowledged`) and :class:`DeliveryState` (the
  transport state ``initial``/``processing``/``done``/``fail``, never a business status);
* :mod:`vbdt_exchange.adapters.errors` — :class:`AxisRefused` (with the axis's code and text),
  :class:`AxisAuthError`, :class:`AxisUnavailable`, :class:`AxisAmbiguous`,
  :class:`AxisProtocolError`, :class:`AxisUnsupported`, :class:`AxisConfigError`, each with an
  :class:`Outcome` saying whether to retry;
* :mod:`vbdt_exchange.adapters.vdxp` — :class:`VdxpClient`, the national axis as the official
  SDK speaks it;
* :mod:`vbdt_exchange.adapters.lgsp_langson` and :mod:`vbdt_exchange.adapters.lgsp_quangnam` —
  the two provincial LGSP styles known (bearer token + ``X-SystemId``/``X-SecretKey``; OAuth2
  client credentials);
* :mod:`vbdt_exchange.adapters.memory` — :class:`MemoryAxis`, an axis inside the process for
  unit tests;
* :mod:`vbdt_exchange.adapters.email` — :class:`EmailChannel`, the official e-mail channel
  (packages as attachments over SMTP, received over IMAP);
* :mod:`vbdt_exchange.adapters.config` — settings from flags, environment and a TOML file, and
  :func:`open_channel`;
* :mod:`vbdt_exchange.adapters.vdxp_wire` — the ``XroadVnpt-*`` request signing both the VDXP
  client and the local reference axis use.
"""

from vbdt_exchange.adapters._http import RetryPolicy, Timeouts
from vbdt_exchange.adapters.base import (
    Acknowledged,
    Agency,
    Channel,
    DeliveryState,
    Destination,
    Fetched,
    MessageType,
    Notice,
    PackageSource,
    ReceiverState,
    SentMessage,
)
from vbdt_exchange.adapters.config import AxisSettings, load_settings, open_channel
from vbdt_exchange.adapters.email import EmailChannel, EmailConfig, MailContentError, RejectedMail
from vbdt_exchange.adapters.errors import (
    AxisAmbiguous,
    AxisAuthError,
    AxisConfigError,
    AxisProtocolError,
    AxisRefused,
    AxisUnavailable,
    AxisUnsupported,
    Outcome,
)
from vbdt_exchange.adapters.lgsp_langson import LangSonClient, LangSonConfig
from vbdt_exchange.adapters.lgsp_quangnam import QuangNamClient, QuangNamConfig
from vbdt_exchange.adapters.memory import MemoryAxis, MemoryChannel
from vbdt_exchange.adapters.vdxp import VdxpClient, VdxpConfig

__all__ = [
    "Acknowledged",
    "Agency",
    "AxisAmbiguous",
    "AxisAuthError",
    "AxisConfigError",
    "AxisProtocolError",
    "AxisRefused",
    "AxisSettings",
    "AxisUnavailable",
    "AxisUnsupported",
    "Channel",
    "DeliveryState",
    "Destination",
    "EmailChannel",
    "EmailConfig",
    "Fetched",
    "LangSonClient",
    "LangSonConfig",
    "MailContentError",
    "MemoryAxis",
    "MemoryChannel",
    "MessageType",
    "Notice",
    "Outcome",
    "PackageSource",
    "QuangNamClient",
    "QuangNamConfig",
    "ReceiverState",
    "RejectedMail",
    "RetryPolicy",
    "SentMessage",
    "Timeouts",
    "VdxpClient",
    "VdxpConfig",
    "load_settings",
    "open_channel",
]
