"""The agency directory: the axis's list of units, loaded from its JSON or from CSV.

The axis decides which identifiers are deliverable; its agency list (about 111,000 units on
the VNPT instance) is the authority the bundled seed table of
:mod:`vbdt_exchange.catalog.organ_id` only samples. Three JSON shapes are read, each either the
whole response (``{"status": "OK", "ErrorCode": "0", "ErrorDesc": ..., "data": [...]}``), its
``data`` list, or a paginated ``{"data": {"content": [...]}}`` (Lạng Sơn's LGSP):

* ``getAgenciesList``: rows of ``id``, ``pid``, ``code``, ``name``, ``mail``, ``oldCode``; the
  ``code`` is the legacy QCVN 102 code;
* ``getAgenciesListQD20``: rows of ``id``, ``code``, ``name``, ``mail``, ``code102``; the
  ``code`` is the QĐ 20/2020 code and ``code102`` the legacy one;
* ``getSynchronizeUnit``: rows of ``id``, ``pid``, ``code``, ``name``, ``mail``, ``version``,
  ``centerCode``, ``deleted``, ``modifyDate``, ``isAgency`` (legacy codes).

A row with a ``code102`` key is read as a QĐ 20 row, any other as a legacy row.

>>> directory = AgencyDirectory.from_json('''{"status": "OK", "ErrorCode": "0", "data": [
...   {"id": "1", "code": "G22.1", "name": "Văn phòng Chính phủ", "code102": "000.00.00.G22"}]}''')
>>> directory.get('000.00.00.G22').name
'Văn phòng Chính phủ'
>>> directory.to_qd20('000.00.00.G22'), directory.to_code102('G22.1')
('G22.1', '000.00.00.G22')
>>> [agency.code102 for agency in directory.find('van phong chinh phu')]
['000.00.00.G22']
"""

from __future__ import annotations

import csv
import io
import json
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, TextIO

import attrs

from vbdt_exchange.catalog import organ_id
from vbdt_exchange.catalog._text import fold
from vbdt_exchange.errors import CatalogError

__all__ = ["CSV_COLUMNS", "Agency", "AgencyDirectory", "DirectoryError", "fold"]

#: The columns written by :meth:`AgencyDirectory.to_csv` (and read by ``from_csv``; only
#: ``name`` and one of ``code102``/``code_qd20`` are required there).
CSV_COLUMNS = ("code102", "code_qd20", "name", "id", "pid", "mail", "old_code", "deleted")


class DirectoryError(CatalogError):
    """An agency list cannot be read: the message names the file and the row or key."""


@attrs.frozen
class Agency:
    """One unit of the directory.

    ``code102`` is the legacy QCVN 102 code, ``code_qd20`` the QĐ 20/2020 code (either may be
    unknown). ``id`` and ``pid`` are the axis's own row ids (``pid`` the parent's ``id``).
    """

    name: str
    code102: str | None = None
    code_qd20: str | None = None
    id: str | None = None
    pid: str | None = None
    mail: str | None = None
    old_code: str | None = None
    deleted: bool = False

    @property
    def code(self) -> str:
        """The code to address the unit with: the legacy code when known, else the QĐ 20 one."""
        return self.code102 or self.code_qd20 or ""


def _key(code: str) -> str:
    try:
        return organ_id.compact(code)
    except CatalogError:  # pragma: no cover - codes are text here
        return code


class AgencyDirectory:
    """A set of :class:`Agency` rows, indexed by code and by folded name.

    Every agency is kept, in order; when two rows share a code, :meth:`get` answers the first
    and :attr:`duplicates` lists the code.
    """

    def __init__(self, agencies: Iterable[Agency] = ()) -> None:
        self.agencies: tuple[Agency, ...] = tuple(agencies)
        self._by_code: dict[str, Agency] = {}
        dupes: list[str] = []
        for agency in self.agencies:
            for code in {agency.code102, agency.code_qd20} - {None, ""}:
                assert code is not None  # for mypy
                key = _key(code)
                if key in self._by_code:
                    if self._by_code[key] is not agency and key not in dupes:
                        dupes.append(key)
                else:
                    self._by_code[key] = agency
        self.duplicates: tuple[str, ...] = tuple(dupes)
        self._folded = [(fold(a.name), a) for a in self.agencies]

    def __len__(self) -> int:
        return len(self.agencies)

    def __iter__(self) -> Iterator[Agency]:
        return iter(self.agencies)

    def __contains__(self, code: object) -> bool:
        return self.get(code) is not None

    def __repr__(self) -> str:
        return f"<AgencyDirectory of {len(self)} agencies>"

    # -- look-ups --------------------------------------------------------------------------

    def get(self, code: object) -> Agency | None:
        """The agency with this legacy or QĐ 20 code, or ``None``. Never raises."""
        if not isinstance(code, str):
            return None
        return self._by_code.get(_key(code))

    def find(self, name: object, *, exact: bool = False) -> list[Agency]:
        """Agencies whose name contains ``name`` (or equals it, with ``exact``), ignoring case
        and diacritics; exact matches first."""
        if not isinstance(name, str):
            return []
        query = fold(name)
        if not query:
            return []
        same = [a for f, a in self._folded if f == query]
        if exact:
            return same
        return same + [a for f, a in self._folded if query in f and f != query]

    def to_qd20(self, code102: str) -> str | None:
        """The QĐ 20/2020 code of the unit with this legacy code, when the directory knows it."""
        agency = self.get(code102)
        return agency.code_qd20 if agency is not None else None

    def to_code102(self, code_qd20: str) -> str | None:
        """The legacy QCVN 102 code of the unit with this QĐ 20 code, when known."""
        agency = self.get(code_qd20)
        return agency.code102 if agency is not None else None

    def merged(self, other: AgencyDirectory) -> AgencyDirectory:
        """One directory from two (e.g. the legacy and the QĐ 20 lists).

        Rows of ``other`` that share a code with a row of ``self`` complete it (missing codes,
        id, mail) rather than being added twice.
        """
        result = list(self.agencies)
        position = {id(a): i for i, a in enumerate(result)}
        for agency in other.agencies:
            mine = None
            for code in (agency.code102, agency.code_qd20):
                if code and self.get(code) is not None:
                    mine = self.get(code)
                    break
            if mine is None:
                result.append(agency)
                continue
            i = position[id(mine)]
            current = result[i]
            result[i] = attrs.evolve(
                current,
                **{
                    field: getattr(agency, field)
                    for field in ("code102", "code_qd20", "id", "pid", "mail", "old_code")
                    if getattr(current, field) in (None, "") and getattr(agency, field)
                },
            )
        return AgencyDirectory(result)

    # -- loading ---------------------------------------------------------------------------

    @classmethod
    def bundled(cls) -> AgencyDirectory:
        """The seed table bundled with the library (:func:`organ_id.entries`)."""
        return cls(
            Agency(name=e.name, code102=e.code102, code_qd20=e.code_qd20)
            for e in organ_id.entries()
        )

    @classmethod
    def from_json(
        cls, source: str | bytes | Path | object, *, where: str | None = None
    ) -> AgencyDirectory:
        """Read an agency list in one of the axis's JSON shapes.

        ``source`` is a :class:`~pathlib.Path`, JSON text or bytes, or the already-decoded
        object. ``where`` names the source in error messages (default: the path, or
        ``<json>``).
        """
        if isinstance(source, Path):
            where = where or str(source)
            try:
                data = json.loads(source.read_bytes())
            except (UnicodeDecodeError, json.JSONDecodeError) as exc:
                raise DirectoryError(f"{where}: not JSON: {exc}") from None
        elif isinstance(source, str | bytes):
            where = where or "<json>"
            try:
                data = json.loads(source)
            except (UnicodeDecodeError, json.JSONDecodeError) as exc:
                raise DirectoryError(f"{where}: not JSON: {exc}") from None
        else:
            where = where or "<json>"
            data = source
        return cls(_rows_from_json(data, where))

    @classmethod
    def from_csv(cls, source: str | Path | TextIO, *, where: str | None = None) -> AgencyDirectory:
        """Read the CSV written by :meth:`to_csv` (lines starting with ``#`` are comments).

        ``source`` is a path, or an open text file; a ``str`` is a path.
        """
        if isinstance(source, str | Path):
            path = Path(source)
            where = where or str(path)
            try:
                text = path.read_text("utf-8-sig")
            except UnicodeDecodeError as exc:
                raise DirectoryError(f"{where}: not UTF-8 text: {exc}") from None
        else:
            where = where or getattr(source, "name", "<csv>")
            text = source.read()
        return cls(_rows_from_csv(text, str(where)))

    # -- export ----------------------------------------------------------------------------

    def to_json(self) -> list[dict[str, Any]]:
        """Every agency as a JSON-ready ``dict`` (the keys of :data:`CSV_COLUMNS`)."""
        return [{column: getattr(a, column) for column in CSV_COLUMNS} for a in self.agencies]

    def to_csv(self, target: TextIO | None = None) -> str:
        """Write the directory as CSV to ``target`` (when given) and return the text."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(CSV_COLUMNS)
        for agency in self.agencies:
            row = [getattr(agency, column) for column in CSV_COLUMNS]
            writer.writerow(
                ["true" if v is True else "false" if v is False else (v or "") for v in row]
            )
        text = out.getvalue()
        if target is not None:
            target.write(text)
        return text


# -- readers ------------------------------------------------------------------------------------


def _rows_from_json(data: object, where: str) -> list[Agency]:
    path = "$"
    if isinstance(data, Mapping):
        status = data.get("status")
        if status is not None and str(status).upper() != "OK":
            desc = data.get("ErrorDesc") or data.get("errorDesc") or "no description"
            code = data.get("ErrorCode", "?")
            raise DirectoryError(f"{where}: the axis answered {status} ({code}): {desc}")
        if "data" not in data:
            raise DirectoryError(f"{where}: no 'data' key in the response")
        data, path = data["data"], "data"
        if isinstance(data, Mapping):
            if "content" not in data:
                raise DirectoryError(f"{where}: {path} is an object without a 'content' list")
            data, path = data["content"], "data.content"
    if not isinstance(data, list):
        raise DirectoryError(f"{where}: {path} is {type(data).__name__}, not a list of agencies")
    return [_agency_from_json(row, where, f"{path}[{i}]") for i, row in enumerate(data)]


def _at(at: str, key: str) -> str:
    return f"{at}, column {key!r}" if at.startswith("line ") else f"{at}.{key}"


def _field(row: Mapping[str, Any], key: str, where: str, at: str) -> str | None:
    value = row.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise DirectoryError(f"{where}: {_at(at, key)}: {type(value).__name__}, not text")
    text = str(value).strip()
    return text or None


def _code(row: Mapping[str, Any], key: str, where: str, at: str) -> str | None:
    value = _field(row, key, where, at)
    if value is None:
        return None
    result = organ_id.check(value)
    if not result.valid:
        raise DirectoryError(
            f"{where}: {_at(at, key)}: {value!r} is not an identifier: {result.error}"
        )
    return result.value


def _flag(row: Mapping[str, Any], key: str, where: str, at: str) -> bool:
    value = row.get(key)
    if value in (None, "", 0, "0", False, "false", "False"):
        return False
    if value in (1, "1", True, "true", "True"):
        return True
    raise DirectoryError(f"{where}: {_at(at, key)}: {value!r} is not a boolean")


def _agency_from_json(row: object, where: str, at: str) -> Agency:
    if not isinstance(row, Mapping):
        raise DirectoryError(f"{where}: {at}: {type(row).__name__}, not an object")
    name = _field(row, "name", where, at)
    if name is None:
        raise DirectoryError(f"{where}: {at}: missing key 'name'")
    qd20 = "code102" in row
    code = _code(row, "code", where, at)
    legacy = _code(row, "code102", where, at) if qd20 else code
    if code is None and legacy is None:
        raise DirectoryError(f"{where}: {at}: missing key 'code'")
    return Agency(
        name=unicodedata.normalize("NFC", name),
        code102=legacy,
        code_qd20=code if qd20 else None,
        id=_field(row, "id", where, at),
        pid=_field(row, "pid", where, at),
        mail=_field(row, "mail", where, at),
        old_code=_field(row, "oldCode", where, at),
        deleted=_flag(row, "deleted", where, at),
    )


def _rows_from_csv(text: str, where: str) -> list[Agency]:
    lines = text.splitlines()
    numbered = [(n, line) for n, line in enumerate(lines, 1) if not line.startswith("#")]
    if not numbered or not numbered[0][1].strip():
        raise DirectoryError(f"{where}: no header line")
    header_no = numbered[0][0]
    reader = csv.reader(line for _, line in numbered)
    try:
        header = [h.strip() for h in next(reader)]
        missing = {"name"} - set(header)
        if missing or not {"code102", "code_qd20"} & set(header):
            raise DirectoryError(
                f"{where}: line {header_no}: the header needs 'name' and 'code102' or "
                f"'code_qd20' (found {', '.join(header)})"
            )
        agencies = []
        for (number, _), values in zip(numbered[1:], reader, strict=False):
            if not any(v.strip() for v in values):
                continue
            if len(values) != len(header):
                raise DirectoryError(
                    f"{where}: line {number}: {len(values)} fields, the header has {len(header)}"
                )
            row = dict(zip(header, values, strict=True))
            at = f"line {number}"
            agencies.append(_agency_from_csv(row, where, at))
    except csv.Error as exc:
        raise DirectoryError(f"{where}: not CSV: {exc}") from None
    return agencies


def _agency_from_csv(row: Mapping[str, str], where: str, at: str) -> Agency:
    name = (row.get("name") or "").strip()
    if not name:
        raise DirectoryError(f"{where}: {at}: empty 'name'")
    code102 = _code(row, "code102", where, at)
    code_qd20 = _code(row, "code_qd20", where, at)
    if code102 is None and code_qd20 is None:
        raise DirectoryError(f"{where}: {at}: neither 'code102' nor 'code_qd20'")
    return Agency(
        name=unicodedata.normalize("NFC", name),
        code102=code102,
        code_qd20=code_qd20,
        id=_field(row, "id", where, at),
        pid=_field(row, "pid", where, at),
        mail=_field(row, "mail", where, at),
        old_code=_field(row, "old_code", where, at),
        deleted=_flag(row, "deleted", where, at),
    )
