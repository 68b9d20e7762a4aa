"""Paperless-exchange policies: may this document travel electronically without a paper copy?

A policy (profile) is a TOML file; the shipped ones live in
``vbdt_exchange/catalog/data/policies/`` and are listed by :func:`policies`. Each names its source
(seed file, document, article), an effective date range, the document types allowed without
paper, the secrecy levels excluded, exceptions that need paper too and special rules.
:func:`check` answers with a :class:`PolicyDecision`:

* ``electronic_only`` — the document may go electronically without paper;
* ``paper_also`` — it goes electronically and a paper copy is sent too (set edXML ``Paper`` to 1);
* ``not_electronic`` — it must not be exchanged electronically (secret documents, always).

>>> check('Công văn').verdict
'electronic_only'
>>> check('Biên bản').rule
'seed002-not-listed'
>>> check('Công văn', secrecy='Mật').verdict
'not_electronic'
>>> d = check('Quyết định', topics=['tài chính'], profile='thanh-hoa-2019', date='2019-06-01')
>>> (d.verdict, d.rule)
('paper_also', 'seed001-thanh-hoa-finance-investment')

Rules are tried in this order; the first that applies decides:

1. ``secret-never`` (or the profile's own secrecy rule): a secrecy level above 0 →
   ``not_electronic``. A profile cannot allow secret documents.
2. ``not-in-force``: the date is outside the profile's effective range → ``paper_also``.
3. ``exceptions`` then ``special_rules``, in file order.
4. the ``allowed`` list → ``electronic_only``; otherwise the ``not_listed`` rule (``paper_also``
   unless the profile says otherwise).

Errors (all :class:`~vbdt_exchange.errors.CatalogError`): :class:`UnknownPolicy`,
:class:`UnknownDocumentType`, :class:`InvalidCheckDate`, :class:`PolicyFileError`, and
:class:`~vbdt_exchange.catalog.codes.UnknownCode` for an unknown secrecy level.
"""

from __future__ import annotations

import datetime
import functools
import re
import tomllib
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any, Literal

import attrs

from vbdt_exchange.catalog import doctypes
from vbdt_exchange.catalog.codes import SECRECY, fold
from vbdt_exchange.errors import CatalogError

__all__ = [
    "VERDICTS",
    "DocType",
    "InvalidCheckDate",
    "Policy",
    "PolicyDecision",
    "PolicyError",
    "PolicyFileError",
    "PolicyRule",
    "UnknownDocumentType",
    "UnknownPolicy",
    "check",
    "doc_types",
    "find_doc_type",
    "get_policy",
    "load_policy",
    "policies",
    "policy_names",
]

Verdict = Literal["electronic_only", "paper_also", "not_electronic"]
VERDICTS: tuple[str, ...] = ("electronic_only", "paper_also", "not_electronic")
DEFAULT_PROFILE = "national"


class PolicyError(CatalogError):
    """A paperless-policy question cannot be answered."""


class UnknownPolicy(PolicyError):
    """No shipped profile has that name."""


class UnknownDocumentType(PolicyError, doctypes.UnknownDocumentType):
    """The document type is unknown, or ambiguous (``da`` may be Dự án or Đề án)."""


class InvalidCheckDate(PolicyError):
    """The date is not a date or an ISO ``YYYY-MM-DD`` string."""


class PolicyFileError(PolicyError):
    """A policy file is malformed; the message names the file and the key."""


# -- document types -------------------------------------------------------------------------------


@attrs.frozen
class DocType:
    """A document type the policies know (from ``data/policies/_doctypes.toml``)."""

    id: str
    name: str
    group: str
    art7: int
    abbreviation: str
    party_abbreviations: tuple[str, ...]
    aliases: tuple[str, ...]


def _key(value: object) -> str:
    """Fold for names and topics: :func:`~vbdt_exchange.catalog.codes.fold`, punctuation → space."""
    return " ".join(re.sub(r"[^0-9a-z]+", " ", fold(value)).split())


def _nfc(value: str) -> str:
    return unicodedata.normalize("NFC", value).strip()


def _data() -> Traversable:
    return files("vbdt_exchange.catalog") / "data" / "policies"


def _want(data: Mapping[str, Any], key: str, kind: type | tuple[type, ...], where: str) -> Any:
    if key not in data:
        raise PolicyFileError(f"{where}: missing key {key!r}")
    value = data[key]
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
        name = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
        raise PolicyFileError(f"{where}: key {key!r} must be {name}, not {type(value).__name__}")
    return value


def _strings(data: Mapping[str, Any], key: str, where: str) -> tuple[str, ...]:
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(x, str) and x.strip() for x in value):
        raise PolicyFileError(f"{where}: key {key!r} must be a list of non-empty strings")
    return tuple(_nfc(x) for x in value)


@functools.cache
def doc_types() -> tuple[DocType, ...]:
    """The document types known to the policies, in NĐ 30 Art. 7 order then the others.

    >>> len(doc_types())
    34
    """
    where = "_doctypes.toml"
    data = tomllib.loads((_data() / where).read_text("utf-8"))
    found = []
    for i, entry in enumerate(_want(data, "types", list, where)):
        at = f"{where}: types[{i}]"
        found.append(
            DocType(
                id=_want(entry, "id", str, at),
                name=_nfc(_want(entry, "name", str, at)),
                group=_want(entry, "group", str, at),
                art7=_want(entry, "art7", int, at),
                abbreviation=_nfc(_want(entry, "abbreviation", str, at)),
                party_abbreviations=_strings(entry, "party_abbreviations", at),
                aliases=_strings(entry, "aliases", at),
            )
        )
    return tuple(found)


def find_doc_type(value: object, *, numbering: str = "state") -> DocType:
    """The type named by ``value``: a Vietnamese name (case- and diacritic-insensitive) or an
    abbreviation (``QyĐ``; in ``numbering='party'``, Party abbreviations such as ``CV``).

    Raises :class:`UnknownDocumentType` when nothing or more than one type matches.

    >>> find_doc_type('quy dinh').abbreviation
    'QyĐ'
    >>> find_doc_type('QYĐ').name
    'Quy định'
    >>> find_doc_type('CV', numbering='party').name
    'Công văn'
    """
    if not isinstance(value, str) or not value.strip():
        raise UnknownDocumentType(f"a document type is a non-empty name, not {value!r:.60}")
    text = _nfc(value)
    types = doc_types()

    def abbreviations(t: DocType) -> tuple[str, ...]:
        if numbering == "party":
            return t.party_abbreviations
        return (t.abbreviation,) if t.abbreviation else ()

    key = _key(text)
    passes: tuple[Callable[[DocType], bool], ...] = (
        lambda t: text in abbreviations(t),
        lambda t: text.casefold() in {a.casefold() for a in abbreviations(t)},
        lambda t: bool(key) and key in {_key(n) for n in (t.name, *t.aliases)},
        lambda t: bool(key) and key in {_key(a) for a in abbreviations(t)},
    )
    for matches in passes:
        hits = [t for t in types if matches(t)]
        if len(hits) == 1:
            return hits[0]
        if hits:
            names = ", ".join(t.name for t in hits)
            raise UnknownDocumentType(f"{text[:60]!r} is ambiguous: it may be {names}")
    raise UnknownDocumentType(f"unknown document type {text[:60]!r}")


# -- policies -------------------------------------------------------------------------------------


@attrs.frozen
class PolicyRule:
    """An exception or special rule of a policy."""

    id: str
    kind: Literal["exception", "special"]
    verdict: Verdict
    article: str
    reason_vi: str
    reason_en: str
    topics: tuple[str, ...] = ()
    types: tuple[str, ...] = ()  # DocType ids (or ``custom:<key>`` for names a profile adds)
    type_names: tuple[str, ...] = ()  # as written in the file
    start: datetime.date | None = None
    end: datetime.date | None = None


@attrs.frozen
class Policy:
    """A paperless-exchange profile, as read from its TOML file."""

    name: str
    title_vi: str
    title_en: str
    numbering: str
    scope_vi: str
    scope_en: str
    source_file: str
    source_document: str
    source_issuer: str
    source_date: datetime.date | None
    source_article: str
    confidence: str
    effective_from: datetime.date | None
    effective_until: datetime.date | None
    allowed_rule: str
    allowed_article: str
    allowed_reason_vi: str
    allowed_reason_en: str
    allow_all: bool
    allowed_names: tuple[str, ...]
    allowed_types: frozenset[str]
    not_listed_rule: str
    not_listed_verdict: Verdict
    not_listed_reason_vi: str
    not_listed_reason_en: str
    secrecy_rule: str
    secrecy_excluded: tuple[int, ...]
    secrecy_article: str
    secrecy_reason_vi: str
    secrecy_reason_en: str
    exceptions: tuple[PolicyRule, ...]
    special_rules: tuple[PolicyRule, ...]
    custom_types: Mapping[str, str]  # folded key → name, for names not in the type table
    path: str = ""

    @property
    def source(self) -> str:
        """``file, document, article`` (and the date)."""
        date = f" ({self.source_date:%d/%m/%Y})" if self.source_date else ""
        return f"{self.source_file}, {self.source_document}{date}, {self.source_article}"

    def cite(self, article: str) -> str:
        """The source with another article."""
        return f"{self.source_file}, {self.source_document}, {article}"


@attrs.frozen
class PolicyDecision:
    """The answer of :func:`check`."""

    verdict: Verdict
    rule: str
    source: str
    profile: str
    reason_vi: str
    reason_en: str
    doc_type: str = ""
    unmatched_topics: tuple[str, ...] = ()

    @property
    def paper(self) -> int:
        """The edXML ``Paper`` flag to write: 1 for ``paper_also``, else 0."""
        return 1 if self.verdict == "paper_also" else 0

    def as_json(self) -> dict[str, str]:
        """The JSON form of ``vbdt policy check --json``."""
        return {
            "verdict": self.verdict,
            "rule": self.rule,
            "source": self.source,
            "profile": self.profile,
        }


_TOP = {
    "schema",
    "name",
    "title_vi",
    "title_en",
    "numbering",
    "scope_vi",
    "scope_en",
    "source",
    "effective",
    "allowed",
    "not_listed",
    "secrecy",
    "exceptions",
    "special_rules",
}
_TABLES = {
    "source": {"file", "document", "issuer", "date", "article", "confidence", "note"},
    "effective": {"from", "until"},
    "allowed": {"rule", "article", "reason_vi", "reason_en", "types"},
    "not_listed": {"rule", "verdict", "reason_vi", "reason_en"},
    "secrecy": {"rule", "excluded", "article", "reason_vi", "reason_en"},
}
_RULE_KEYS = {
    "id",
    "verdict",
    "article",
    "reason_vi",
    "reason_en",
    "topics",
    "types",
    "from",
    "until",
}
_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")


def _unknown_keys(data: Mapping[str, Any], allowed: set[str], where: str) -> None:
    extra = sorted(set(data) - allowed)
    if extra:
        raise PolicyFileError(
            f"{where}: unknown key {extra[0]!r} (known: {', '.join(sorted(allowed))})"
        )


def _table(data: Mapping[str, Any], key: str, where: str, required: bool = True) -> dict[str, Any]:
    if key not in data and not required:
        return {}
    value = _want(data, key, dict, where)
    _unknown_keys(value, _TABLES[key], f"{where} [{key}]")
    return dict(value)


def _date(data: Mapping[str, Any], key: str, where: str) -> datetime.date | None:
    if key not in data:
        return None
    value = data[key]
    if isinstance(value, datetime.datetime) or not isinstance(value, datetime.date):
        raise PolicyFileError(
            f"{where}: key {key!r} must be a date (YYYY-MM-DD), not {value!r:.40}"
        )
    return value


def _verdict(data: Mapping[str, Any], key: str, where: str, default: Verdict) -> Verdict:
    value = data.get(key, default)
    if value not in VERDICTS:
        raise PolicyFileError(f"{where}: key {key!r} must be one of {', '.join(VERDICTS)}")
    return value  # type: ignore[no-any-return]


def _resolve(names: Iterable[str], numbering: str, custom: dict[str, str]) -> frozenset[str]:
    ids = set()
    for name in names:
        try:
            ids.add(find_doc_type(name, numbering=numbering).id)
        except UnknownDocumentType:
            key = _key(name)
            custom[key] = name
            ids.add(f"custom:{key}")
    return frozenset(ids)


def _rule(
    entry: object, kind: Literal["exception", "special"], where: str, numbering: str
) -> tuple[PolicyRule, dict[str, str]]:
    if not isinstance(entry, dict):
        raise PolicyFileError(f"{where}: must be a table")
    _unknown_keys(entry, _RULE_KEYS, where)
    custom: dict[str, str] = {}
    type_names = _strings(entry, "types", where)
    rule = PolicyRule(
        id=_want(entry, "id", str, where),
        kind=kind,
        verdict=_verdict(entry, "verdict", where, "paper_also"),
        article=_want(entry, "article", str, where),
        reason_vi=_want(entry, "reason_vi", str, where),
        reason_en=_want(entry, "reason_en", str, where),
        topics=tuple(_key(t) for t in _strings(entry, "topics", where)),
        types=tuple(sorted(_resolve(type_names, numbering, custom))),
        type_names=type_names,
        start=_date(entry, "from", where),
        end=_date(entry, "until", where),
    )
    if not rule.id.strip():
        raise PolicyFileError(f"{where}: key 'id' must not be empty")
    return rule, custom


def _parse(text: str, where: str) -> Policy:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PolicyFileError(f"{where}: not valid TOML: {exc}") from None
    _unknown_keys(data, _TOP, where)
    if _want(data, "schema", int, where) != 1:
        raise PolicyFileError(f"{where}: key 'schema' must be 1")
    name = _want(data, "name", str, where)
    if not _NAME.match(name):
        raise PolicyFileError(
            f"{where}: key 'name' must be lower-case letters, digits and '-' (got {name!r:.40})"
        )
    numbering = data.get("numbering", "state")
    if numbering not in ("state", "party"):
        raise PolicyFileError(f"{where}: key 'numbering' must be 'state' or 'party'")
    source = _table(data, "source", where)
    effective = _table(data, "effective", where)
    allowed = _table(data, "allowed", where)
    not_listed = _table(data, "not_listed", where, required=False)
    secrecy = _table(data, "secrecy", where, required=False)
    custom: dict[str, str] = {}

    types = allowed.get("types")
    names: tuple[str, ...]
    if types == "*":
        allow_all, names = True, ()
    elif isinstance(types, list):
        allow_all, names = False, _strings(allowed, "types", f"{where} [allowed]")
    else:
        raise PolicyFileError(f"{where} [allowed]: key 'types' must be \"*\" or a list of names")

    excluded = []
    for level in _strings(secrecy, "excluded", f"{where} [secrecy]"):
        code = SECRECY.get(level)
        if code is None or code.code == 0:
            raise PolicyFileError(
                f"{where} [secrecy]: key 'excluded': {level!r} is not a secrecy level "
                "(Mật, Tối mật, Tuyệt mật)"
            )
        excluded.append(code.code)

    rules: dict[str, list[PolicyRule]] = {"exceptions": [], "special_rules": []}
    for key, kind in (("exceptions", "exception"), ("special_rules", "special")):
        entries = data.get(key, [])
        if not isinstance(entries, list):
            raise PolicyFileError(f"{where}: key {key!r} must be an array of tables ([[{key}]])")
        for i, entry in enumerate(entries):
            rule, more = _rule(entry, kind, f"{where} [[{key}]] #{i + 1}", numbering)  # type: ignore[arg-type]
            custom.update(more)
            rules[key].append(rule)
    ids = [r.id for r in rules["exceptions"] + rules["special_rules"]]
    if len(set(ids)) != len(ids):
        raise PolicyFileError(f"{where}: rule ids must be unique")

    start, end = (
        _date(effective, "from", f"{where} [effective]"),
        _date(effective, "until", f"{where} [effective]"),
    )
    if start and end and end < start:
        raise PolicyFileError(f"{where} [effective]: 'until' is before 'from'")
    at_a = f"{where} [allowed]"
    at_n = f"{where} [not_listed]"
    return Policy(
        name=name,
        title_vi=_want(data, "title_vi", str, where),
        title_en=_want(data, "title_en", str, where),
        numbering=numbering,
        scope_vi=str(data.get("scope_vi", "")),
        scope_en=str(data.get("scope_en", "")),
        source_file=_want(source, "file", str, f"{where} [source]"),
        source_document=_want(source, "document", str, f"{where} [source]"),
        source_issuer=str(source.get("issuer", "")),
        source_date=_date(source, "date", f"{where} [source]"),
        source_article=_want(source, "article", str, f"{where} [source]"),
        confidence=str(source.get("confidence", "")),
        effective_from=start,
        effective_until=end,
        allowed_rule=_want(allowed, "rule", str, at_a),
        allowed_article=_want(allowed, "article", str, at_a),
        allowed_reason_vi=_want(allowed, "reason_vi", str, at_a),
        allowed_reason_en=_want(allowed, "reason_en", str, at_a),
        allow_all=allow_all,
        allowed_names=names,
        allowed_types=_resolve(names, numbering, custom),
        not_listed_rule=str(not_listed.get("rule", f"{name}-not-listed")),
        not_listed_verdict=_verdict(not_listed, "verdict", at_n, "paper_also"),
        not_listed_reason_vi=str(
            not_listed.get("reason_vi", "Loại văn bản không thuộc danh mục: gửi kèm bản giấy.")
        ),
        not_listed_reason_en=str(
            not_listed.get("reason_en", "The type is not listed: send a paper copy too.")
        ),
        secrecy_rule=str(secrecy.get("rule", "secret-never")),
        secrecy_excluded=tuple(sorted(set(excluded))),
        secrecy_article=str(secrecy.get("article", "")),
        secrecy_reason_vi=str(secrecy.get("reason_vi", _MAT_VI)),
        secrecy_reason_en=str(secrecy.get("reason_en", _MAT_EN)),
        exceptions=tuple(rules["exceptions"]),
        special_rules=tuple(rules["special_rules"]),
        custom_types=dict(custom),
        path=where,
    )


_MAT_VI = "Văn bản mật không được gửi, nhận như văn bản điện tử thông thường."
_MAT_EN = "Secret documents are never exchanged as ordinary electronic documents."
_MAT_SOURCE = "Luật Bảo vệ bí mật nhà nước 29/2018/QH14; catalogue.md §5.1"


def load_policy(path: str | Path) -> Policy:
    """Read a user's policy file. Raises :class:`PolicyFileError` (naming the file and the key)
    when it is malformed, or when it cannot be read."""
    where = str(path)
    try:
        text = Path(path).read_text("utf-8")
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise PolicyFileError(f"{where}: cannot be read: {exc}") from None
    return _parse(text, where)


@functools.cache
def policies() -> tuple[Policy, ...]:
    """The shipped profiles, in name order (``national`` is the default)."""
    found = []
    for entry in sorted(_data().iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".toml") and not entry.name.startswith("_"):
            found.append(_parse(entry.read_text("utf-8"), entry.name))
    return tuple(found)


def policy_names() -> tuple[str, ...]:
    """The names of the shipped profiles.

    >>> policy_names()
    ('dak-lak-2019-pilot', 'hai-duong-2020', 'hai-duong-party-2021', 'national', 'thanh-hoa-2019')
    """
    return tuple(p.name for p in policies())


def get_policy(name: object) -> Policy:
    """The shipped profile ``name`` (case-insensitive), or raise :class:`UnknownPolicy`."""
    key = fold(name)
    for policy in policies():
        if policy.name == key:
            return policy
    shown = f"{name[:60]!r}" if isinstance(name, str) else repr(name)
    raise UnknownPolicy(f"unknown policy profile {shown}: use one of {', '.join(policy_names())}")


def _as_date(value: object) -> datetime.date:
    if value is None:
        return datetime.date.today()
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str):
        try:
            if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
                return datetime.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise InvalidCheckDate(f"not a date (use YYYY-MM-DD): {value!r:.60}")


def _topics(topics: object) -> tuple[str, ...]:
    if topics is None:
        return ()
    if isinstance(topics, str):
        topics = (topics,)
    if not isinstance(topics, Iterable):
        raise PolicyError(f"topics must be a list of strings, not {type(topics).__name__}")
    found = []
    for topic in topics:
        if not isinstance(topic, str):
            raise PolicyError(f"a topic is a string, not {type(topic).__name__}")
        if _key(topic):
            found.append(topic)
    return tuple(found)


def _in(date: datetime.date, start: datetime.date | None, end: datetime.date | None) -> bool:
    return (start is None or date >= start) and (end is None or date <= end)


def check(
    doc_type: str,
    *,
    secrecy: str | int | None = None,
    date: datetime.date | str | None = None,
    topics: Iterable[str] = (),
    profile: str | Policy = DEFAULT_PROFILE,
) -> PolicyDecision:
    """May a document of ``doc_type`` go electronically without paper under ``profile``?

    :param doc_type: a type name (``Công văn``, ``quyet dinh``) or abbreviation (``QyĐ``).
    :param secrecy: a secrecy level (``Mật``, ``Tối mật``, ``Tuyệt mật``, ``0``–``3``) or ``None``.
    :param date: the date of sending (``date`` or ``YYYY-MM-DD``); ``None`` means today.
    :param topics: subject categories that exceptions and special rules match (``personnel``,
        ``tổ chức cán bộ``, ``kỳ họp Tỉnh ủy``…), case- and diacritic-insensitive; topics the
        profile does not know are listed in ``unmatched_topics``.
    :param profile: a shipped profile name or a :class:`Policy` from :func:`load_policy`.
    """
    policy = profile if isinstance(profile, Policy) else get_policy(profile)
    level = 0 if secrecy is None else SECRECY.lookup(secrecy).code
    when = _as_date(date)
    wanted = _topics(topics)
    try:
        doc = find_doc_type(doc_type, numbering=policy.numbering)
        type_id, type_name = doc.id, doc.name
    except UnknownDocumentType:
        key = _key(doc_type)
        if key not in policy.custom_types:
            raise
        type_id, type_name = f"custom:{key}", policy.custom_types[key]

    known = {t for r in (*policy.exceptions, *policy.special_rules) for t in r.topics}
    unmatched = tuple(t for t in wanted if _key(t) not in known)

    def decide(verdict: Verdict, rule: str, source: str, vi: str, en: str) -> PolicyDecision:
        return PolicyDecision(verdict, rule, source, policy.name, vi, en, type_name, unmatched)

    if level:
        if level in policy.secrecy_excluded:
            return decide(
                "not_electronic",
                policy.secrecy_rule,
                policy.cite(policy.secrecy_article) if policy.secrecy_article else _MAT_SOURCE,
                policy.secrecy_reason_vi,
                policy.secrecy_reason_en,
            )
        return decide("not_electronic", "secret-never", _MAT_SOURCE, _MAT_VI, _MAT_EN)

    if not _in(when, policy.effective_from, policy.effective_until):
        return decide(
            "paper_also",
            "not-in-force",
            policy.source,
            f"Chính sách {policy.name} không có hiệu lực vào ngày {when:%d/%m/%Y}: "
            "gửi kèm bản giấy.",
            f"Policy {policy.name} is not in force on {when:%Y-%m-%d}: send a paper copy too.",
        )

    keys = {_key(t) for t in wanted}
    for rule in (*policy.exceptions, *policy.special_rules):
        if rule.types and type_id not in rule.types:
            continue
        if rule.topics and not keys & set(rule.topics):
            continue
        if not _in(when, rule.start, rule.end):
            continue
        return decide(
            rule.verdict, rule.id, policy.cite(rule.article), rule.reason_vi, rule.reason_en
        )

    if policy.allow_all or type_id in policy.allowed_types:
        return decide(
            "electronic_only",
            policy.allowed_rule,
            policy.cite(policy.allowed_article),
            policy.allowed_reason_vi,
            policy.allowed_reason_en,
        )
    return decide(
        policy.not_listed_verdict,
        policy.not_listed_rule,
        policy.cite(policy.allowed_article),
        policy.not_listed_reason_vi,
        policy.not_listed_reason_en,
    )
