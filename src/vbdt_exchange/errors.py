"""The exception tree of :mod:`vbdt_exchange`.

Every exception the library raises on purpose derives from :class:`VbdtError`, and each
branch also derives from the builtin it stands for, so ``except ValueError`` keeps working::

    VbdtError
    ├── EnvelopeError (ValueError)            something is wrong with an edXML package
    │   ├── EnvelopeReadError                 the package cannot be read at all
    │   │   ├── UnsafeXMLError                DTDs, entities and the like, refused for safety
    │   │   └── ResourceLimitError            a configured bound was exceeded (size, depth, count)
    │   ├── EnvelopeValidationError           the package was read but has error findings
    │   ├── EnvelopeWriteError                a model cannot be written in the strict form
    │   ├── AttachmentError                   an attachment's data cannot be had (not valid
    │   │                                     base64, or its spool file closed)
    │   └── MetadataError                     a JSON package description is malformed
    │                                         (vbdt_exchange.envelope.jsonform)
    ├── StatusError (ValueError)              (vbdt_exchange.status)
    │   ├── TransitionRefused                 a status change the rules do not allow
    │   └── UnknownStatusCode                 building a status with a code not in the standard
    ├── CatalogError (ValueError)             a catalogue value (identifier, code) is malformed
    │   ├── InvalidOrganId                    (vbdt_exchange.catalog.organ_id)
    │   │   └── UnknownOrganId                not in the directory (known_only=True)
    │   ├── InvalidDocumentId                 (vbdt_exchange.catalog.document_id)
    │   ├── InvalidNumber                     (vbdt_exchange.catalog.number; .reason)
    │   ├── UnknownDocumentType               (vbdt_exchange.catalog.doctypes)
    │   ├── UnknownCode                       (vbdt_exchange.catalog.codes)
    │   ├── DirectoryError                    an agency list is malformed (catalog.directory)
    │   └── PolicyError                       (vbdt_exchange.catalog.policy)
    │       ├── UnknownPolicy, InvalidCheckDate, PolicyFileError
    │       └── UnknownDocumentType           also a catalog.doctypes.UnknownDocumentType
    ├── SignatureError (ValueError)           (vbdt_exchange.signature)
    │   ├── KeyLoadError                      a key or certificate cannot be loaded (keys)
    │   ├── SigningError                      no signature can be made: weak key, SHA-1, an
    │   │                                     algorithm the key cannot do, a remote signer failed
    │   ├── SignatureVerificationError        Verification.raise_for_verdict(): not PASSED (xml)
    │   ├── TrustStoreError                   a trust-store file cannot be read (trust; .path)
    │   ├── RevocationDataError               a supplied CRL or OCSP response is malformed (trust)
    │   └── PdfSignatureError                 a PDF cannot be signed or read (pdf)
    │       └── EncryptedPdfError             the PDF is encrypted: decrypt it first
    ├── AxisError                             talking to an axis failed (vbdt_exchange.adapters;
    │   │                                     each has .outcome, .retryable, .code, .description)
    │   ├── AxisConfigError (ValueError)      a channel setting is missing or malformed
    │   ├── AxisUnavailable                   transient: connection, timeout, HTTP 429/502/503/504
    │   ├── AxisAmbiguous                     uploaded, no answer: check sent() before re-sending
    │   ├── AxisRefused                       the axis refused (.code, .description, .outcome)
    │   │   └── AxisAuthError                 credentials refused (401/403, a failed log-in)
    │   ├── AxisProtocolError                 an answer outside the protocol
    │   │   └── MailContentError              an e-mail carries no usable package (adapters.email)
    │   ├── AxisUnsupported (NotImplementedError)  the channel has no such operation
    │   └── WireAuthError (ValueError)        a request's XroadVnpt-* signature does not check
    │                                         (adapters.vdxp_wire; .reason)
    ├── HubError                              the local reference axis (vbdt_exchange.hub)
    │   ├── HubStoreError                     the store cannot be opened or used
    │   ├── HubConfigError (ValueError)       contradictory HubConfig settings
    │   ├── UnknownSystem (LookupError)       a system id that is not registered
    │   └── LocalAxisError                    a LocalAxis could not start (testing.axis)
    ├── EngineError                           the exchange engine (vbdt_exchange.engine)
    │   ├── EngineConfigError (ValueError)    an engine setting, host reference or retry
    │   │                                     schedule is malformed
    │   ├── EngineStoreError                  the engine's store (SQLite, PostgreSQL) cannot be used
    │   ├── HostError                         the host did not take a document or a status (it is
    │   │                                     not acknowledged, and is offered again)
    │   └── StatsError                        statistics cannot be computed (engine.stats)
    │       ├── InvalidPeriod (ValueError)    not YYYY, YYYY-Qn, YYYY-MM or FROM..TO
    │       └── StatsSourceError              a journal or axis store is missing or unreadable
    └── DemoError                             a step of `vbdt demo` failed (testing.demo)

A payload that cannot be decoded, or an SDK ZIP wrapper that cannot be opened safely, is not an
exception when reading: the reader reports it as a finding (``EDX301``, ``EDX304``) and keeps
what it found.

Errors about a place in a document carry ``rule`` (a stable rule id, see the rule catalogue in
the documentation), ``path`` (an element path such as
``/edXML/edXMLEnvelope/edXMLHeader/MessageHeader/From/OrganId``), ``line`` and ``column``.
``str(error)`` names all of them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from vbdt_exchange.findings import Finding

__all__ = [
    "AttachmentError",
    "AxisError",
    "CatalogError",
    "EnvelopeError",
    "EnvelopeReadError",
    "EnvelopeValidationError",
    "EnvelopeWriteError",
    "HubError",
    "ResourceLimitError",
    "SignatureError",
    "UnsafeXMLError",
    "VbdtError",
]


class VbdtError(Exception):
    """Root of every exception raised by :mod:`vbdt_exchange`."""


class EnvelopeError(VbdtError, ValueError):
    """Something is wrong with an edXML package.

    :param message: what is wrong, in English.
    :param rule: the stable rule id of the defect, when there is one.
    :param path: the element path where it is, when known.
    :param line: the 1-based line in the original file, when known.
    :param column: the 1-based column, when known.
    :param message_vi: the same message in Vietnamese, when there is one.
    """

    def __init__(
        self,
        message: str,
        *,
        rule: str | None = None,
        path: str | None = None,
        line: int | None = None,
        column: int | None = None,
        message_vi: str | None = None,
    ) -> None:
        self.message = message
        self.rule = rule
        self.path = path
        self.line = line
        self.column = column
        self.message_vi = message_vi
        super().__init__(self._render())

    def _render(self) -> str:
        where = []
        if self.line is not None:
            where.append(f"line {self.line}" + (f", column {self.column}" if self.column else ""))
        if self.path:
            where.append(self.path)
        text = f"[{self.rule}] {self.message}" if self.rule else self.message
        return f"{text} ({'; '.join(where)})" if where else text


class EnvelopeReadError(EnvelopeError):
    """The package cannot be read: not well-formed, not edXML, or refused for safety."""


class UnsafeXMLError(EnvelopeReadError):
    """The document uses a construct refused for safety (DTD, entity declaration, ...)."""


class ResourceLimitError(EnvelopeReadError):
    """A configured resource bound (size, depth, element or attachment count) was exceeded."""


class EnvelopeWriteError(EnvelopeError):
    """A model cannot be written: a value is not in the form the standard asks for."""


class AttachmentError(EnvelopeError):
    """An attachment payload cannot be decoded (bad base64) or unwrapped (bad or hostile ZIP)."""


class EnvelopeValidationError(EnvelopeError):
    """The package was read, but it has findings of severity *error*.

    :attr:`findings` holds every error finding (rule id, path, line and message each).
    """

    def __init__(self, findings: Sequence[Finding]) -> None:
        self.findings = tuple(findings)
        first = self.findings[0] if self.findings else None
        more = f" (and {len(self.findings) - 1} more)" if len(self.findings) > 1 else ""
        super().__init__(
            (first.message if first else "the package has errors") + more,
            rule=first.rule if first else None,
            path=first.path if first else None,
            line=first.line if first else None,
            message_vi=first.message_vi if first else None,
        )


class CatalogError(VbdtError, ValueError):
    """A catalogue value (organisation identifier, document type, code) is malformed."""


class SignatureError(VbdtError, ValueError):
    """Something about a digital signature, a signing key or trust anchors is wrong.

    Verification does not raise this for a signature that does not verify: it returns a report
    whose verdict says so. This branch is for what cannot be done at all (a key that cannot be
    loaded, a package that cannot be signed, a trust store that cannot be read).
    """


class AxisError(VbdtError):
    """Talking to an axis (VDXP, an LGSP, the local reference axis) did not succeed."""


class HubError(VbdtError):
    """The local reference axis cannot do what was asked (its store, its configuration)."""
