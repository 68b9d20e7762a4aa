"""Trust stores, certificate chains and revocation, on pyhanko-certvalidator.

* :class:`TrustStore` — the trust anchors (roots) and untrusted intermediates to build chains
  with, loaded from PEM/DER files or directories by :meth:`TrustStore.from_paths`. The library
  ships **no** anchors: load the NEAC root (public CAs) and the Ban Cơ yếu Chính phủ root
  (official-use signatures) yourself; a verifier of state documents usually needs both.
* :func:`check_certificate` — build a chain from a signer certificate to an anchor and check it
  at one moment under a :class:`~vbdt_exchange.signature.policy.VerificationPolicy`: validity
  period, signatures and algorithms of the chain, key size, key usage and revocation (CRL and
  OCSP). It returns a :class:`CertificateReport` with the verdict, ``SIG2xx`` findings in English
  and Vietnamese and the :class:`Evidence` used (certificates, CRLs, OCSP responses).
* :func:`validation_context` — the one place that maps a policy onto a
  :class:`pyhanko_certvalidator.ValidationContext` (for pyHanko's PDF validation).

Verdicts:

* ``FAILED`` — a certificate of the chain is revoked at or before the moment, expired or not yet
  valid at the moment, carries a bad signature, uses a refused algorithm (SHA-1 without
  ``allow_sha1``; RSA below 2048 bits, EC below 256 bits), or the signer's key usage allows
  neither ``digitalSignature`` nor ``nonRepudiation``;
* ``INDETERMINATE`` — no trust anchor configured, no chain to one, or revocation status unknown
  under ``hard-fail``;
* ``PASSED`` — everything else; under ``soft-fail`` an unknown revocation status leaves a
  warning (``SIG207``), under ``off`` an information finding (``SIG208``).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import datetime
import itertools
import logging
import tomllib
from collections.abc import Coroutine, Iterable, Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import Any, Literal, TypeAlias, TypeVar

import attrs
from asn1crypto import crl as asn1_crl  # type: ignore[import-untyped, unused-ignore]
from asn1crypto import ocsp as asn1_ocsp  # type: ignore[import-untyped, unused-ignore]
from asn1crypto import x509 as asn1_x509  # type: ignore[import-untyped, unused-ignore]
from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ec, rsa
from cryptography.x509 import ocsp as x509_ocsp
from cryptography.x509.oid import NameOID
from pyhanko_certvalidator import CertificateValidator, ValidationContext
from pyhanko_certvalidator import errors as cv_errors
from pyhanko_certvalidator.path import ValidationPath
from pyhanko_certvalidator.policy_decl import (
    NO_REVOCATION,
    CertRevTrustPolicy,
    DisallowWeakAlgorithmsPolicy,
    RevocationCheckingPolicy,
    RevocationCheckingRule,
)

from vbdt_exchange.errors import SignatureError
from vbdt_exchange.findings import Finding, FindingsView
from vbdt_exchange.signature.policy import Indication, VerificationPolicy
from vbdt_exchange.signature.rules import finding

__all__ = [
    "MAX_CERTIFICATE_FILE",
    "CertificateReport",
    "Evidence",
    "Revocation",
    "RevocationDataError",
    "TrustStore",
    "TrustStoreError",
    "async_check_certificate",
    "check_certificate",
    "load_certificates",
    "validation_context",
]

_LOG = logging.getLogger(__name__)

MAX_CERTIFICATE_FILE = 16 * 1024 * 1024
"""The largest certificate file :meth:`TrustStore.from_paths` reads (16 MiB)."""

_SUFFIXES = frozenset({".pem", ".crt", ".cer", ".der"})

MIN_RSA_BITS = 2048
MIN_EC_BITS = 256

Revocation: TypeAlias = Literal["good", "revoked", "unknown", "not-checked"]
"""What is known of the revocation status of a chain: ``good`` (every certificate that needs a
check was checked against a CRL or an OCSP response), ``revoked``, ``unknown`` (it could not be
checked) or ``not-checked`` (revocation checking is ``off``)."""

# certvalidator policies. Ours never use its silent "soft-fail": the signer's certificate must
# have a CRL or an OCSP answer, a CA certificate one when it declares where to find it.
_STRICT = RevocationCheckingPolicy(
    ee_certificate_rule=RevocationCheckingRule.CRL_OR_OCSP_REQUIRED,
    intermediate_ca_cert_rule=RevocationCheckingRule.CHECK_IF_DECLARED,
)
_TOLERANT = RevocationCheckingPolicy(
    ee_certificate_rule=RevocationCheckingRule.CHECK_IF_DECLARED_SOFT,
    intermediate_ca_cert_rule=RevocationCheckingRule.CHECK_IF_DECLARED_SOFT,
)
_WEAK_HASHES = frozenset({"md2", "md5", "sha1"})
_WEAK_HASHES_SHA1_ALLOWED = frozenset({"md2", "md5"})


class TrustStoreError(SignatureError):
    """A trust store cannot be loaded: a file is missing, unreadable, too large or holds no
    certificate. :attr:`path` is the file at fault."""

    def __init__(self, message: str, *, path: Path | None = None) -> None:
        self.path = path
        super().__init__(f"{path}: {message}" if path is not None else message)


class RevocationDataError(SignatureError):
    """A CRL or an OCSP response supplied in the policy cannot be parsed at all."""


# -- trust stores ------------------------------------------------------------------------------


def load_certificates(path: str | Path) -> tuple[x509.Certificate, ...]:
    """The certificates of one file: PEM (one or many) or a single DER certificate.

    :raises TrustStoreError: the file is missing, larger than :data:`MAX_CERTIFICATE_FILE`, or
        holds no certificate.
    """
    file = Path(path)
    try:
        size = file.stat().st_size
        if size > MAX_CERTIFICATE_FILE:
            raise TrustStoreError(
                f"is {size} bytes, larger than the {MAX_CERTIFICATE_FILE} allowed for a "
                "certificate file",
                path=file,
            )
        data = file.read_bytes()
    except OSError as exc:
        raise TrustStoreError(f"cannot be read ({exc.strerror or exc})", path=file) from None
    return _parse_certificates(data, file)


def _parse_certificates(data: bytes, file: Path | None) -> tuple[x509.Certificate, ...]:
    if b"-----BEGIN" in data:
        if b"-----BEGIN CERTIFICATE-----" not in data:
            raise TrustStoreError("is PEM but holds no CERTIFICATE block", path=file)
        try:
            found = tuple(x509.load_pem_x509_certificates(data))
        except (ValueError, x509.InvalidVersion) as exc:  # InvalidVersion is no ValueError
            raise TrustStoreError(f"holds a malformed PEM certificate: {exc}", path=file) from None
    else:
        try:
            found = (x509.load_der_x509_certificate(data),)
        except (ValueError, x509.InvalidVersion):
            raise TrustStoreError(
                "is neither a PEM nor a DER X.509 certificate", path=file
            ) from None
    for index, certificate in enumerate(found):
        problem = _unparsable(certificate)
        if problem is not None:
            raise TrustStoreError(f"certificate {index + 1} is malformed: {problem}", path=file)
    return found


def _unparsable(certificate: x509.Certificate) -> str | None:
    """Why ``certificate`` cannot be used, or ``None``.

    cryptography and asn1crypto (which the chain validator uses) both parse lazily: a
    certificate whose outer structure is sound loads, and a malformed name, key or extension
    raises later, wherever it is first touched. Touching every part once, here, turns that
    into one clear refusal where the certificate enters (trust store, KeyInfo, CMS).
    """
    try:
        certificate.subject.rfc4514_string()
        certificate.issuer.rfc4514_string()
        certificate.public_key()
        len(certificate.extensions)
        certificate.not_valid_before_utc  # noqa: B018 - parsed on access
        certificate.not_valid_after_utc  # noqa: B018
        parsed = _asn1(certificate)
        parsed.native  # noqa: B018 - the whole structure, strings decoded
        parsed.subject.hashable  # noqa: B018 - names as the validator compares them
        parsed.issuer.hashable  # noqa: B018
    except Exception as exc:  # hostile bytes: cryptography also raises InvalidVersion,
        # DuplicateExtension, UnsupportedGeneralNameType, none of them a ValueError
        detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        return f"{type(exc).__name__}: {detail}"
    return None


def _load_paths(paths: Iterable[str | Path]) -> tuple[x509.Certificate, ...]:
    if isinstance(paths, (str, Path)):
        paths = [paths]
    found: list[x509.Certificate] = []
    for entry in paths:
        path = Path(entry)
        if path.is_dir():
            files = sorted(
                p for p in path.iterdir() if p.suffix.lower() in _SUFFIXES and p.is_file()
            )
            if not files:
                _LOG.warning("no certificate files (*.pem, *.crt, *.cer, *.der) in %s", path)
            for file in files:
                found.extend(load_certificates(file))
        elif path.exists():
            found.extend(load_certificates(path))
        else:
            raise TrustStoreError("does not exist", path=path)
    return _unique(found)


def _unique(certificates: Iterable[x509.Certificate]) -> tuple[x509.Certificate, ...]:
    seen: dict[bytes, x509.Certificate] = {}
    for certificate in certificates:
        seen.setdefault(_der(certificate), certificate)
    return tuple(seen.values())


def _certificates(values: Iterable[x509.Certificate]) -> tuple[x509.Certificate, ...]:
    values = tuple(values)
    for value in values:
        if not isinstance(value, x509.Certificate):
            raise TypeError(
                f"a trust store holds cryptography x509.Certificate objects, not {value!r}"
            )
        problem = _unparsable(value)
        if problem is not None:
            raise TrustStoreError(f"a malformed certificate cannot be used: {problem}")
    return _unique(values)


@attrs.frozen
class TrustStore:
    """Trust anchors (roots) and untrusted intermediates to build chains with.

    Duplicates are dropped. The library ships no anchors: load them with :meth:`from_paths`
    (for Vietnamese state documents, both the NEAC root and the Ban Cơ yếu Chính phủ root).
    Stores combine with ``+``.

    :ivar roots: the trust anchors; a chain must end at one of them.
    :ivar intermediates: CA certificates that may be used to build chains, trusted only when
        they chain to a root.
    """

    roots: tuple[x509.Certificate, ...] = attrs.field(default=(), converter=_certificates)
    intermediates: tuple[x509.Certificate, ...] = attrs.field(default=(), converter=_certificates)

    @classmethod
    def from_paths(
        cls, roots: Iterable[str | Path] = (), intermediates: Iterable[str | Path] = ()
    ) -> TrustStore:
        """Load PEM/DER certificates from files or directories.

        A file may hold one DER certificate or any number of PEM ones. A directory contributes
        its ``*.pem``, ``*.crt``, ``*.cer`` and ``*.der`` files (not its subdirectories).

        :raises TrustStoreError: naming the file that is missing, unreadable or not a
            certificate.
        """
        return cls(roots=_load_paths(roots), intermediates=_load_paths(intermediates))

    def __add__(self, other: TrustStore) -> TrustStore:
        if not isinstance(other, TrustStore):
            return NotImplemented
        return TrustStore(
            roots=self.roots + other.roots,
            intermediates=self.intermediates + other.intermediates,
        )

    @property
    def is_empty(self) -> bool:
        """``True`` when the store has no trust anchor."""
        return not self.roots


# -- evidence and the report -------------------------------------------------------------------


@attrs.frozen
class Evidence:
    """What a certificate check relied on, to be kept with the signed message (TT 15/2025).

    :ivar certificates: the certificates of the chain, signer first, the anchor last (or the
        signer and the intermediates it came with, when no chain could be built).
    :ivar crls: DER CRLs issued by a CA of the chain that were available to the check (supplied
        in the policy or fetched).
    :ivar ocsp_responses: DER OCSP responses about a certificate of the chain that were
        available to the check (supplied or fetched).
    """

    certificates: tuple[x509.Certificate, ...] = ()
    crls: tuple[bytes, ...] = ()
    ocsp_responses: tuple[bytes, ...] = ()

    def to_dict(self) -> dict[str, list[str]]:
        """PEM certificates and base64 DER CRLs and OCSP responses, for JSON."""
        import base64

        return {
            "certificates": [
                c.public_bytes(serialization.Encoding.PEM).decode("ascii")
                for c in self.certificates
            ],
            "crls": [base64.b64encode(c).decode("ascii") for c in self.crls],
            "ocsp_responses": [base64.b64encode(r).decode("ascii") for r in self.ocsp_responses],
        }


ReportLanguage: TypeAlias = Literal["vi", "en"]


def _labels(language: str) -> Mapping[str, str]:
    if language not in ("vi", "en"):
        raise ValueError(f"language must be 'vi' or 'en', not {language!r}")
    text = (
        resources.files("vbdt_exchange.signature")
        .joinpath("data/labels.toml")
        .read_text(encoding="utf-8")
    )
    table: Mapping[str, str] = tomllib.loads(text)[language]
    return table


@attrs.frozen
class CertificateReport(FindingsView):
    """The result of checking one signer certificate at one moment.

    :ivar indication: the verdict (see the module documentation).
    :ivar certificate: the certificate checked.
    :ivar chain: the chain built, the certificate first and the trust anchor last; just the
        certificate when no chain to an anchor was found.
    :ivar validated_at: the moment the chain was checked at (timezone-aware).
    :ivar revocation: :data:`Revocation`.
    :ivar findings: ``SIG2xx`` findings, each in English and Vietnamese.
    :ivar evidence: what the check relied on (:class:`Evidence`).
    :ivar trusted: whether the chain ends at an anchor of the trust store.
    """

    indication: Indication
    certificate: x509.Certificate
    chain: tuple[x509.Certificate, ...]
    validated_at: datetime.datetime
    revocation: str  # "good" | "revoked" | "unknown" | "not-checked"
    findings: tuple[Finding, ...]
    evidence: Evidence
    trusted: bool = False

    @property
    def passed(self) -> bool:
        """``indication is PASSED``."""
        return self.indication is Indication.PASSED

    @property
    def subject(self) -> str:
        """The certificate holder's name (common name, else the whole subject)."""
        return _subject(self.certificate)

    @property
    def issuer(self) -> str:
        """The issuing CA's name (common name, else the whole issuer name)."""
        return _display_name(self.certificate.issuer)

    @property
    def managing_unit(self) -> str | None:
        """The organisation (O) and unit (OU) in the subject, joined by ", "."""
        parts = [
            str(a.value)
            for oid in (NameOID.ORGANIZATION_NAME, NameOID.ORGANIZATIONAL_UNIT_NAME)
            for a in self.certificate.subject.get_attributes_for_oid(oid)
        ]
        return ", ".join(parts) or None

    def items(
        self,
        language: ReportLanguage = "vi",
        *,
        signing_time: datetime.datetime | None = None,
        timestamp: bool = False,
        integrity: bool | None = None,
    ) -> list[tuple[str, str]]:
        """The report items Thông tư 15/2025 asks for, as ``(label, value)`` pairs.

        Items: the verdict; the issuing CA; the signer; the managing unit (O/OU); the signing
        time (``timestamp=True`` labels it a timestamp) — :attr:`validated_at` when not given;
        data integrity, which only the caller knows (a signature verifier passes it; ``None``
        says it was not checked here); validity at signing time; the certificate's validity
        period. Labels come from ``signature/data/labels.toml``.
        """
        labels = _labels(language)
        when = signing_time or self.validated_at
        verdict_key = {
            Indication.PASSED: "verdict_passed",
            Indication.FAILED: "verdict_failed",
            Indication.INDETERMINATE: "verdict_indeterminate",
        }[self.indication]
        integrity_value = (
            labels["not_checked"]
            if integrity is None
            else labels["integrity_ok"]
            if integrity
            else labels["integrity_broken"]
        )
        valid_at_signing = {
            Indication.PASSED: labels["yes"],
            Indication.FAILED: labels["no"],
            Indication.INDETERMINATE: labels["undetermined"],
        }[self.indication]
        if self.revocation != "good":
            valid_at_signing += f" ({labels['revocation_' + self.revocation.replace('-', '_')]})"
        start = self.certificate.not_valid_before_utc
        end = self.certificate.not_valid_after_utc
        return [
            (labels["verdict"], labels[verdict_key]),
            (labels["issuer"], self.issuer),
            (labels["signer"], self.subject),
            (labels["managing_unit"], self.managing_unit or labels["none"]),
            (labels["timestamp" if timestamp else "signing_time"], _iso(when)),
            (labels["integrity"], integrity_value),
            (labels["valid_at_signing"], valid_at_signing),
            (labels["validity_period"], f"{_iso(start)} – {_iso(end)}"),
        ]

    def render(
        self,
        language: ReportLanguage = "vi",
        *,
        signing_time: datetime.datetime | None = None,
        timestamp: bool = False,
        integrity: bool | None = None,
    ) -> str:
        """:meth:`items` as ``label: value`` lines, then the findings in the same language."""
        labels = _labels(language)
        lines = [
            f"{label}: {value}"
            for label, value in self.items(
                language, signing_time=signing_time, timestamp=timestamp, integrity=integrity
            )
        ]
        if self.findings:
            lines.append(f"{labels['findings']}:")
            for f in self.findings:
                text = f.message_vi if language == "vi" else f.message
                lines.append(f"  - {labels['severity_' + f.severity.value]} {f.rule}: {text}")
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form: verdict, names, dates (ISO 8601), findings and evidence."""
        return {
            "indication": self.indication.value,
            "trusted": self.trusted,
            "revocation": self.revocation,
            "validated_at": _iso(self.validated_at),
            "subject": self.certificate.subject.rfc4514_string(),
            "issuer": self.certificate.issuer.rfc4514_string(),
            "serial_number": format(self.certificate.serial_number, "x"),
            "not_before": _iso(self.certificate.not_valid_before_utc),
            "not_after": _iso(self.certificate.not_valid_after_utc),
            "chain": [c.subject.rfc4514_string() for c in self.chain],
            "findings": [f.to_dict() for f in self.findings],
            "evidence": self.evidence.to_dict(),
        }


# -- mapping the policy onto certvalidator -----------------------------------------------------


def _revocation_policy(policy: VerificationPolicy) -> RevocationCheckingPolicy:
    if policy.revocation == "hard-fail":
        return _STRICT
    if policy.revocation == "soft-fail":
        return _TOLERANT
    if policy.revocation == "off":
        return NO_REVOCATION
    raise ValueError(
        f"revocation must be 'hard-fail', 'soft-fail' or 'off', not {policy.revocation!r}"
    )


def validation_context(
    trust: TrustStore,
    policy: VerificationPolicy,
    *,
    at: datetime.datetime | None = None,
    intermediates: Iterable[x509.Certificate] = (),
    crls: Iterable[bytes] = (),
    ocsp_responses: Iterable[bytes] = (),
) -> ValidationContext:
    """A :class:`pyhanko_certvalidator.ValidationContext` for ``trust`` under ``policy``.

    Mapping: anchors and intermediates of ``trust`` (plus ``intermediates``); ``policy.crls``
    and ``policy.ocsp_responses`` (plus ``crls`` and ``ocsp_responses``, e.g. those embedded in
    a PDF's DSS); ``allow_fetching``; SHA-1 refused unless ``allow_sha1``, RSA below 2048 bits
    refused; the moment ``at`` (else ``policy.at``, else now). Revocation: ``hard-fail``
    requires a CRL or OCSP answer for the signer and for every CA certificate that declares
    where to find one; ``soft-fail`` is certvalidator's tolerant mode, which ignores a missing
    answer *silently*; ``off`` checks nothing. For the visible warning Thông tư 15/2025
    requires, check the signer with :func:`check_certificate` as well.

    An empty trust store gives a context with no anchors (nothing validates), never the
    operating system's TLS roots. With ``allow_fetching`` the context owns an HTTP session:
    close it with ``await context.aclose()``.

    :raises RevocationDataError: a CRL or OCSP response cannot be parsed.
    """
    extra_crls = [_crl_der(c, i) for i, c in enumerate((*policy.crls, *crls))]
    extra_ocsps = [_ocsp_der(o, i) for i, o in enumerate((*policy.ocsp_responses, *ocsp_responses))]
    return _context(
        trust,
        policy,
        moment=_moment(at, policy),
        intermediates=tuple(intermediates),
        rules=_revocation_policy(policy),
        crls=extra_crls,
        ocsps=extra_ocsps,
    )


def _context(
    trust: TrustStore,
    policy: VerificationPolicy,
    *,
    moment: datetime.datetime | None,
    intermediates: Sequence[x509.Certificate],
    rules: RevocationCheckingPolicy,
    crls: Iterable[bytes | asn1_crl.CertificateList] | None = None,
    ocsps: Iterable[bytes | asn1_ocsp.OCSPResponse] | None = None,
) -> ValidationContext:
    roots = [_asn1(c) for c in trust.roots]
    others = [_asn1(c) for c in (*trust.intermediates, *intermediates)]
    return ValidationContext(
        trust_roots=roots,
        other_certs=others,
        moment=moment,
        allow_fetching=policy.allow_fetching,
        crls=list(crls)
        if crls is not None
        else [_crl_der(c, i) for i, c in enumerate(policy.crls)],
        ocsps=list(ocsps)
        if ocsps is not None
        else [_ocsp_der(o, i) for i, o in enumerate(policy.ocsp_responses)],
        revinfo_policy=CertRevTrustPolicy(rules, retroactive_revinfo=True),
        algorithm_usage_policy=DisallowWeakAlgorithmsPolicy(  # type: ignore[no-untyped-call]
            weak_hash_algos=_WEAK_HASHES_SHA1_ALLOWED if policy.allow_sha1 else _WEAK_HASHES,
            rsa_key_size_threshold=MIN_RSA_BITS,
        ),
    )


# -- checking a certificate --------------------------------------------------------------------

_T = TypeVar("_T")


def _run(coroutine: Coroutine[Any, Any, _T]) -> _T:
    """Run ``coroutine`` to completion, also when called from inside a running event loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    with concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="vbdt-trust") as pool:
        return pool.submit(asyncio.run, coroutine).result()


def check_certificate(
    certificate: x509.Certificate,
    *,
    trust: TrustStore,
    policy: VerificationPolicy,
    intermediates: Iterable[x509.Certificate] = (),
    at: datetime.datetime | None = None,
) -> CertificateReport:
    """Build a chain from ``certificate`` to a root of ``trust`` and check it at ``at``.

    ``intermediates`` are CA certificates that came with the signature. ``at`` defaults to
    ``policy.at``, then to now; it must be timezone-aware. Never raises for a certificate that
    does not pass: the report says why (see the module documentation for the verdicts). Uses
    the network only when ``policy.allow_fetching`` is set. Safe to call from inside a running
    event loop (it then runs in a worker thread); in async code prefer
    :func:`async_check_certificate`.

    :raises ValueError: ``certificate`` is malformed (a name, key or extension that cannot be
        parsed); :func:`load_certificates`, :class:`TrustStore` and the verifiers refuse such
        certificates where they enter, so only a hand-built object gets here.
    :raises TrustStoreError: one of ``intermediates`` is malformed.
    :raises RevocationDataError: a CRL or OCSP response of ``policy`` cannot be parsed.
    """
    return _run(
        async_check_certificate(
            certificate, trust=trust, policy=policy, intermediates=intermediates, at=at
        )
    )


@attrs.define
class _Outcome:
    indication: Indication = Indication.PASSED
    findings: list[Finding] = attrs.Factory(list)
    revocation: Revocation = "good"
    path: ValidationPath | None = None
    trusted: bool = True
    chain: tuple[x509.Certificate, ...] | None = None

    def worse(self, indication: Indication) -> None:
        order = [Indication.PASSED, Indication.INDETERMINATE, Indication.FAILED]
        if order.index(indication) > order.index(self.indication):
            self.indication = indication


async def async_check_certificate(
    certificate: x509.Certificate,
    *,
    trust: TrustStore,
    policy: VerificationPolicy,
    intermediates: Iterable[x509.Certificate] = (),
    at: datetime.datetime | None = None,
) -> CertificateReport:
    """The coroutine behind :func:`check_certificate` (same arguments, same result)."""
    if not isinstance(certificate, x509.Certificate):
        raise TypeError(f"certificate must be a cryptography x509.Certificate, not {certificate!r}")
    problem = _unparsable(certificate)
    if problem is not None:
        raise ValueError(f"the certificate to check is malformed: {problem}")
    _revocation_policy(policy)  # validates the mode early
    extra = _certificates(intermediates)
    explicit_moment = _moment(at, policy)
    moment = explicit_moment or datetime.datetime.now(datetime.UTC)
    subject = _subject(certificate)
    out = _Outcome(revocation="not-checked" if policy.revocation == "off" else "unknown")
    crls: list[asn1_crl.CertificateList] = []
    ocsps: list[asn1_ocsp.OCSPResponse] = []

    _check_leaf(certificate, out)
    if trust.is_empty:
        if policy.require_trust:
            out.findings.append(finding("SIG201", subject=subject))
            out.worse(Indication.INDETERMINATE)
            out.trusted = False
            out.revocation = "not-checked" if policy.revocation == "off" else "unknown"
        else:
            await _check_untrusted(
                certificate, trust, policy, explicit_moment, extra, out, crls, ocsps
            )
        return _report(certificate, moment, out, extra, crls, ocsps)

    leaf = _asn1(certificate)
    mode = policy.revocation
    first_rules = NO_REVOCATION if mode == "off" else _STRICT
    context = _context(
        trust, policy, moment=explicit_moment, intermediates=extra, rules=first_rules
    )
    try:
        try:
            out.path = await CertificateValidator(
                leaf, validation_context=context
            ).async_validate_path()
            if mode != "off":
                out.revocation = "good"
        finally:
            crls.extend(context.crls)
            ocsps.extend(context.ocsps)
            await context.aclose()  # type: ignore[no-untyped-call]
    except (cv_errors.PathBuildingError, cv_errors.InvalidCertificateError) as exc:
        if policy.require_trust:
            _untrusted(out, subject, exc)
        else:
            await _check_untrusted(
                certificate, trust, policy, explicit_moment, extra, out, crls, ocsps
            )
    except cv_errors.InsufficientRevinfoError as exc:
        _LOG.debug("revocation status unknown: %s", exc)
        await _revocation_unknown(
            exc, certificate, trust, policy, explicit_moment, extra, out, crls, ocsps
        )
    except cv_errors.ValidationError as exc:
        _classify(exc, moment, out, certificate)
    except Exception as exc:  # certvalidator trips on some malformed chains (assertions)
        _LOG.debug("certvalidator failed on %s", subject, exc_info=True)
        _crashed(exc, certificate, trust, extra, out)
    if out.path is not None:
        _check_path(out.path, policy, out)
        if out.revocation == "good":
            source = _revocation_source(certificate, _path_certificates(out.path), crls, ocsps)
            if source:
                out.findings.append(finding("SIG216", subject=subject, source=source))
            later = _revoked_later(certificate, _path_certificates(out.path), crls, ocsps)
            if later is not None:
                out.findings.append(finding("SIG217", subject=subject, date=_iso(later)))
    if mode == "off" and out.path is not None:
        out.findings.append(finding("SIG208", subject=subject))
    return _report(certificate, moment, out, extra, crls, ocsps)


async def _revocation_unknown(
    exc: cv_errors.InsufficientRevinfoError,
    certificate: x509.Certificate,
    trust: TrustStore,
    policy: VerificationPolicy,
    moment: datetime.datetime | None,
    extra: Sequence[x509.Certificate],
    out: _Outcome,
    crls: list[asn1_crl.CertificateList],
    ocsps: list[asn1_ocsp.OCSPResponse],
) -> None:
    """Revocation could not be established. hard-fail: INDETERMINATE; soft-fail: check the
    rest of the chain with certvalidator's tolerant mode and warn."""
    who = _subject(certificate) if exc.is_ee_cert else _path_subject(exc.original_path)
    detail = _detail(exc)
    out.revocation = "unknown"
    if policy.revocation == "hard-fail":
        out.path = exc.original_path
        out.findings.append(finding("SIG206", subject=who, detail=detail))
        out.worse(Indication.INDETERMINATE)
        return
    context = _context(
        trust,
        policy,
        moment=moment,
        intermediates=extra,
        rules=_TOLERANT,
        crls=list(crls),
        ocsps=list(ocsps),
    )
    try:
        try:
            out.path = await CertificateValidator(
                _asn1(certificate), validation_context=context
            ).async_validate_path()
        finally:
            crls.extend(c for c in context.crls if c not in crls)
            ocsps.extend(o for o in context.ocsps if o not in ocsps)
            await context.aclose()  # type: ignore[no-untyped-call]
    except cv_errors.ValidationError as again:
        _classify(again, moment or datetime.datetime.now(datetime.UTC), out, certificate)
        if out.indication is not Indication.PASSED:
            return
    except Exception as again:  # certvalidator trips on some malformed chains (assertions)
        _LOG.debug("certvalidator failed on %s", who, exc_info=True)
        _crashed(again, certificate, trust, extra, out)
        return
    out.findings.append(finding("SIG207", subject=who, detail=detail))


async def _check_untrusted(
    certificate: x509.Certificate,
    trust: TrustStore,
    policy: VerificationPolicy,
    moment: datetime.datetime | None,
    extra: Sequence[x509.Certificate],
    out: _Outcome,
    crls: list[asn1_crl.CertificateList],
    ocsps: list[asn1_ocsp.OCSPResponse],
) -> None:
    """``require_trust=False`` and no chain to an anchor: check the chain as far as it goes,
    anchored at its top, and say it is not trusted (``SIG215``)."""
    subject = _subject(certificate)
    out.trusted = False
    out.findings.append(finding("SIG215", subject=subject))
    pool = (*extra, *trust.intermediates, *trust.roots)
    chain = _chain_by_issuer(certificate, pool)
    if len(chain) > 1:
        store = TrustStore(roots=(chain[-1],), intermediates=chain[1:-1])
        report = await async_check_certificate(
            certificate,
            trust=store,
            policy=attrs.evolve(policy, require_trust=True),
            intermediates=extra,
            at=moment,
        )
        out.findings.extend(f for f in report.findings if f.rule != "SIG213")
        out.worse(report.indication)
        out.revocation = report.revocation  # type: ignore[assignment]
        out.chain = report.chain
        crls.extend(asn1_crl.CertificateList.load(c) for c in report.evidence.crls)
        ocsps.extend(asn1_ocsp.OCSPResponse.load(o) for o in report.evidence.ocsp_responses)
        return
    # a lone certificate: its dates and its key; its revocation cannot be checked without
    # its issuer's certificate
    now = moment or datetime.datetime.now(datetime.UTC)
    out.chain = (certificate,)
    if now < certificate.not_valid_before_utc:
        out.findings.append(
            finding(
                "SIG204", subject=subject, date=_iso(certificate.not_valid_before_utc), at=_iso(now)
            )
        )
        out.worse(Indication.FAILED)
    elif now > certificate.not_valid_after_utc:
        out.findings.append(
            finding(
                "SIG203", subject=subject, date=_iso(certificate.not_valid_after_utc), at=_iso(now)
            )
        )
        out.worse(Indication.FAILED)
    _check_keys((certificate,), out)
    if policy.revocation == "off":
        out.revocation = "not-checked"
        out.findings.append(finding("SIG208", subject=subject))
        return
    out.revocation = "unknown"
    detail = "the issuer's certificate is not available to check a CRL or an OCSP response"
    if policy.revocation == "hard-fail":
        out.findings.append(finding("SIG206", subject=subject, detail=detail))
        out.worse(Indication.INDETERMINATE)
    else:
        out.findings.append(finding("SIG207", subject=subject, detail=detail))


def _untrusted(out: _Outcome, subject: str, exc: Exception) -> None:
    out.trusted = False
    out.findings.append(finding("SIG202", subject=subject, detail=_detail(exc)))
    out.worse(Indication.INDETERMINATE)


def _classify(
    exc: cv_errors.ValidationError,
    moment: datetime.datetime,
    out: _Outcome,
    certificate: x509.Certificate,
) -> None:
    """Turn a certvalidator error into a verdict and a finding."""
    subject = _subject(certificate)
    if isinstance(exc, (cv_errors.PathBuildingError, cv_errors.InvalidCertificateError)):
        _untrusted(out, subject, exc)
        return
    path = exc.original_path if isinstance(exc, cv_errors.PathValidationError) else None
    if path is not None:
        out.path = path
    certs = _path_certificates(path) if path is not None else [certificate]
    if isinstance(exc, cv_errors.RevokedError):
        who = subject if exc.is_ee_cert else _path_subject(path)
        out.revocation = "revoked"
        out.findings.append(
            finding(
                "SIG205",
                subject=who,
                date=_iso(exc.revocation_dt),
                reason=exc.reason.human_friendly,
                at=_iso(moment),
            )
        )
    elif isinstance(exc, cv_errors.ExpiredError):
        culprit = next((c for c in reversed(certs) if c.not_valid_after_utc < moment), certificate)
        out.findings.append(
            finding(
                "SIG203",
                subject=_subject(culprit),
                date=_iso(culprit.not_valid_after_utc),
                at=_iso(moment),
            )
        )
    elif isinstance(exc, cv_errors.NotYetValidError):
        culprit = next((c for c in reversed(certs) if c.not_valid_before_utc > moment), certificate)
        out.findings.append(
            finding(
                "SIG204",
                subject=_subject(culprit),
                date=_iso(culprit.not_valid_before_utc),
                at=_iso(moment),
            )
        )
    elif isinstance(exc, cv_errors.DisallowedAlgorithmError):
        weak = next((c for c in certs[:-1] if _is_sha1(c)), None)
        if weak is not None:
            out.findings.append(
                finding("SIG210", subject=_subject(weak), algorithm=_sig_algorithm(weak))
            )
        else:
            out.findings.append(finding("SIG214", subject=subject, detail=_detail(exc)))
    elif isinstance(exc, cv_errors.PathValidationError) and "signature" in str(exc):
        out.findings.append(finding("SIG209", subject=_signature_culprit(certs, subject)))
    else:
        out.findings.append(finding("SIG214", subject=subject, detail=_detail(exc)))
    out.worse(Indication.FAILED)


def _crashed(
    exc: Exception,
    certificate: x509.Certificate,
    trust: TrustStore,
    extra: Sequence[x509.Certificate],
    out: _Outcome,
) -> None:
    """certvalidator raised something other than a validation error (it asserts on a
    certificate whose signature algorithm does not fit its issuer's key, for one)."""
    chain = _chain_by_issuer(certificate, (*extra, *trust.intermediates, *trust.roots))
    out.chain = chain
    culprit = _signature_culprit(chain, "")
    if culprit:
        out.findings.append(finding("SIG209", subject=culprit))
    else:
        out.findings.append(
            finding(
                "SIG214",
                subject=_subject(certificate),
                detail=f"the chain could not be processed ({type(exc).__name__}: {exc})",
            )
        )
    out.worse(Indication.FAILED)


def _signature_culprit(certs: Sequence[x509.Certificate], default: str) -> str:
    """The subject of the first certificate whose signature its issuer's key does not verify."""
    for child, parent in itertools.pairwise(certs):
        try:
            child.verify_directly_issued_by(parent)
        except Exception:  # InvalidSignature, TypeError, UnsupportedAlgorithm...
            return _subject(child)
    return default


def _check_leaf(certificate: x509.Certificate, out: _Outcome) -> None:
    """Key usage of the signer's certificate (must allow signing)."""
    try:
        usage = certificate.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        return  # no key usage extension: not restricted (RFC 5280 §4.2.1.3)
    except ValueError as exc:
        out.findings.append(
            finding("SIG214", subject=_subject(certificate), detail=f"bad extensions: {exc}")
        )
        out.worse(Indication.FAILED)
        return
    if not (usage.digital_signature or usage.content_commitment):
        out.findings.append(
            finding("SIG213", subject=_subject(certificate), usage=_usage_names(usage))
        )
        out.worse(Indication.FAILED)


def _check_path(path: ValidationPath, policy: VerificationPolicy, out: _Outcome) -> None:
    """Key sizes of every certificate of the chain, and SHA-1 warnings under allow_sha1."""
    certs = _path_certificates(path)
    _check_keys(certs, out)
    if policy.allow_sha1:
        for cert in certs[:-1]:  # the anchor's self-signature is not relied upon
            if _is_sha1(cert):
                out.findings.append(
                    finding("SIG211", subject=_subject(cert), algorithm=_sig_algorithm(cert))
                )


def _check_keys(certs: Iterable[x509.Certificate], out: _Outcome) -> None:
    """RSA keys of at least 2048 bits, EC keys of at least 256 (TT 15/2025)."""
    for cert in certs:
        key = cert.public_key()
        kind, bits, minimum = "", 0, 0
        if isinstance(key, rsa.RSAPublicKey):
            kind, bits, minimum = "RSA", key.key_size, MIN_RSA_BITS
        elif isinstance(key, ec.EllipticCurvePublicKey):
            kind, bits, minimum = "EC", key.curve.key_size, MIN_EC_BITS
        elif isinstance(key, dsa.DSAPublicKey):
            kind, bits, minimum = "DSA", key.key_size, 3072
        if kind and bits < minimum:
            out.findings.append(
                finding(
                    "SIG212",
                    subject=_subject(cert),
                    kind=kind,
                    bits=bits,
                    minimum=minimum,
                )
            )
            out.worse(Indication.FAILED)


def _report(
    certificate: x509.Certificate,
    moment: datetime.datetime,
    out: _Outcome,
    extra: Sequence[x509.Certificate],
    crls: Sequence[asn1_crl.CertificateList],
    ocsps: Sequence[asn1_ocsp.OCSPResponse],
) -> CertificateReport:
    if out.path is not None:
        chain = tuple(_path_certificates(out.path))
    else:
        chain = out.chain or (certificate,)
    evidence_certs = chain if len(chain) > 1 else _unique((certificate, *extra))
    evidence = _evidence(evidence_certs, crls, ocsps)
    trusted = out.trusted and out.path is not None
    indication = out.indication
    _LOG.debug("certificate %s: %s", _subject(certificate), indication)
    return CertificateReport(
        indication=indication,
        certificate=certificate,
        chain=chain,
        validated_at=moment,
        revocation=out.revocation,
        findings=tuple(out.findings),
        evidence=evidence,
        trusted=trusted,
    )


def _evidence(
    certs: Sequence[x509.Certificate],
    crls: Sequence[asn1_crl.CertificateList],
    ocsps: Sequence[asn1_ocsp.OCSPResponse],
) -> Evidence:
    """Keep the CRLs signed by a CA of ``certs`` and the OCSP responses about a certificate of
    ``certs`` (matched by serial number and issuer key hash)."""
    kept_crls: dict[bytes, None] = {}
    for item in crls:
        der = item.dump()
        if der not in kept_crls and _crl_issued_by_one_of(der, certs):
            kept_crls[der] = None
    kept_ocsps: dict[bytes, None] = {}
    for response in ocsps:
        der = response.dump()
        if der not in kept_ocsps and _ocsp_about_one_of(der, certs):
            kept_ocsps[der] = None
    return Evidence(
        certificates=tuple(certs), crls=tuple(kept_crls), ocsp_responses=tuple(kept_ocsps)
    )


def _crl_issued_by_one_of(der: bytes, certs: Sequence[x509.Certificate]) -> bool:
    try:
        crl = x509.load_der_x509_crl(der)
    except ValueError:
        return False
    for cert in certs:
        if crl.issuer != cert.subject:
            continue
        try:
            if crl.is_signature_valid(cert.public_key()):  # type: ignore[arg-type]
                return True
        except Exception:  # noqa: S112 - an unusable key or algorithm: not this one
            continue
    return False


def _ocsp_about_one_of(der: bytes, certs: Sequence[x509.Certificate]) -> bool:
    try:
        response = x509_ocsp.load_der_ocsp_response(der)
        if response.response_status is not x509_ocsp.OCSPResponseStatus.SUCCESSFUL:
            return False
        singles = list(response.responses)
    except ValueError:
        return False
    for single in singles:
        for cert in certs:
            if cert.serial_number != single.serial_number:
                continue
            issuer = next((c for c in certs if c.subject == cert.issuer), None)
            if issuer is None:
                continue
            try:
                expected = (
                    x509_ocsp.OCSPRequestBuilder()
                    .add_certificate(cert, issuer, single.hash_algorithm)
                    .build()
                )
            except (ValueError, TypeError, UnsupportedAlgorithm):
                continue
            if expected.issuer_key_hash == single.issuer_key_hash:
                return True
    return False


def _revocation_source(
    certificate: x509.Certificate,
    chain: Sequence[x509.Certificate],
    crls: Sequence[asn1_crl.CertificateList],
    ocsps: Sequence[asn1_ocsp.OCSPResponse],
) -> str:
    """``"OCSP"``, ``"CRL"`` or ``"OCSP + CRL"``: what answered for ``certificate``."""
    issuers = [c for c in chain if c.subject == certificate.issuer]
    pair = [certificate, *issuers]
    sources = []
    if any(_ocsp_about_one_of(o.dump(), pair) for o in ocsps):
        sources.append("OCSP")
    if any(_crl_issued_by_one_of(c.dump(), issuers) for c in crls):
        sources.append("CRL")
    return " + ".join(sources)


def _revoked_later(
    certificate: x509.Certificate,
    chain: Sequence[x509.Certificate],
    crls: Sequence[asn1_crl.CertificateList],
    ocsps: Sequence[asn1_ocsp.OCSPResponse],
) -> datetime.datetime | None:
    """When the revocation data says ``certificate`` was revoked (after the moment, since the
    check passed), the earliest revocation time it gives."""
    issuers = [c for c in chain if c.subject == certificate.issuer]
    times: list[datetime.datetime] = []
    for item in crls:
        der = item.dump()
        if not _crl_issued_by_one_of(der, issuers):
            continue
        entry = x509.load_der_x509_crl(der).get_revoked_certificate_by_serial_number(
            certificate.serial_number
        )
        if entry is not None:
            times.append(entry.revocation_date_utc)
    for response in ocsps:
        der = response.dump()
        if not _ocsp_about_one_of(der, [certificate, *issuers]):
            continue
        for single in x509_ocsp.load_der_ocsp_response(der).responses:
            if (
                single.serial_number == certificate.serial_number
                and single.certificate_status is x509_ocsp.OCSPCertStatus.REVOKED
                and single.revocation_time_utc is not None
            ):
                times.append(single.revocation_time_utc)
    return min(times) if times else None


# -- small helpers -----------------------------------------------------------------------------


def _moment(at: datetime.datetime | None, policy: VerificationPolicy) -> datetime.datetime | None:
    moment = at if at is not None else policy.at
    if moment is not None and moment.utcoffset() is None:
        raise ValueError("the validation moment must be timezone-aware")
    return moment


def _der(certificate: x509.Certificate) -> bytes:
    return certificate.public_bytes(serialization.Encoding.DER)


def _asn1(certificate: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(_der(certificate))


def _crl_der(data: bytes, index: int = 0) -> bytes:
    """DER from a DER or PEM CRL (the policy accepts both), checked to be a CRL."""
    try:
        if data.lstrip().startswith(b"-----BEGIN"):
            der = x509.load_pem_x509_crl(data).public_bytes(serialization.Encoding.DER)
        else:
            der = data
        # both parsers are lazy: touch every part now, or a malformed one raises later
        crl = x509.load_der_x509_crl(der)
        crl.issuer.rfc4514_string()
        for entry in crl:
            entry.revocation_date_utc  # noqa: B018 - parsed on access
            len(entry.extensions)
        len(crl.extensions)
        parsed = asn1_crl.CertificateList.load(der)
        parsed.native  # noqa: B018
        parsed.issuer.hashable  # noqa: B018
    except Exception as exc:  # hostile bytes: cryptography also raises InvalidVersion,
        # DuplicateExtension, UnsupportedGeneralNameType, none of them a ValueError
        detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise RevocationDataError(
            f"policy.crls[{index}] is not a DER or PEM certificate revocation list: {detail}"
        ) from None
    return der


def _ocsp_der(data: bytes, index: int = 0) -> bytes:
    """A DER OCSP response, checked to be one."""
    try:
        # both parsers are lazy: touch every part now, or a malformed one raises later
        response = x509_ocsp.load_der_ocsp_response(data)
        if response.response_status is x509_ocsp.OCSPResponseStatus.SUCCESSFUL:
            for single in response.responses:
                single.serial_number  # noqa: B018 - parsed on access
                single.certificate_status  # noqa: B018
                single.revocation_time_utc  # noqa: B018
                single.issuer_key_hash  # noqa: B018
            for certificate in response.certificates:
                problem = _unparsable(certificate)
                if problem is not None:
                    raise ValueError(f"a certificate in the response is malformed: {problem}")
        asn1_ocsp.OCSPResponse.load(data).native  # noqa: B018
    except Exception as exc:  # hostile bytes: cryptography also raises InvalidVersion,
        # DuplicateExtension, UnsupportedGeneralNameType, none of them a ValueError
        detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise RevocationDataError(
            f"policy.ocsp_responses[{index}] is not a DER OCSP response: {detail}"
        ) from None
    return data


def _path_certificates(path: ValidationPath) -> list[x509.Certificate]:
    """The path's certificates, leaf first, anchor last, as cryptography objects."""
    certs = [
        x509.load_der_x509_certificate(c.dump())
        for c in path.iter_certs(include_root=True)
        if isinstance(c, asn1_x509.Certificate)
    ]
    certs.reverse()
    return certs


def _path_subject(path: ValidationPath | None) -> str:
    if path is None:
        return "?"
    certs = _path_certificates(path)
    return ", ".join(_subject(c) for c in certs[1:-1]) or _subject(certs[0])


def _chain_by_issuer(
    certificate: x509.Certificate, pool: Sequence[x509.Certificate]
) -> tuple[x509.Certificate, ...]:
    chain = [certificate]
    while len(chain) <= len(pool):
        current = chain[-1]
        if current.issuer == current.subject:
            break
        parent = next((c for c in pool if c.subject == current.issuer and c not in chain), None)
        if parent is None:
            break
        chain.append(parent)
    return tuple(chain)


def _display_name(name: x509.Name) -> str:
    values = name.get_attributes_for_oid(NameOID.COMMON_NAME)
    if values:
        return str(values[0].value)
    return name.rfc4514_string() or "(empty name)"


def _subject(certificate: x509.Certificate) -> str:
    return _display_name(certificate.subject)


def _is_sha1(certificate: x509.Certificate) -> bool:
    try:
        return isinstance(certificate.signature_hash_algorithm, hashes.SHA1)
    except UnsupportedAlgorithm:
        return False


def _sig_algorithm(certificate: x509.Certificate) -> str:
    oid = certificate.signature_algorithm_oid
    return oid._name if oid._name != "Unknown OID" else oid.dotted_string


def _usage_names(usage: x509.KeyUsage) -> str:
    names = []
    for attribute in (
        "digital_signature",
        "content_commitment",
        "key_encipherment",
        "data_encipherment",
        "key_agreement",
        "key_cert_sign",
        "crl_sign",
    ):
        if getattr(usage, attribute):
            names.append(attribute)
    return ", ".join(names) or "none"


def _detail(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text if len(text) <= 300 else text[:297] + "..."


def _iso(moment: datetime.datetime) -> str:
    """ISO 8601 in UTC to the second, e.g. ``2026-01-15T00:00:00Z``."""
    text = moment.astimezone(datetime.UTC).replace(microsecond=0).isoformat()
    return text.replace("+00:00", "Z")
