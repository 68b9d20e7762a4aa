"""Unpacking a package into a folder, and the file names that makes safe.

:func:`unpack` writes each attachment under its own name (made safe: a name can never land
outside the folder) and ``package.json`` (the JSON form). The attachments are decoded straight
into the folder while the package is scanned, then renamed, so a 2 GiB attachment costs one
decode and no copy.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import tempfile
import unicodedata
from pathlib import Path, PurePosixPath, PureWindowsPath

import attrs

from vbdt_exchange.envelope.jsonform import package_to_json
from vbdt_exchange.envelope.models import Attachment, EdocPackage, Package
from vbdt_exchange.envelope.reader import ReadOptions, Source, SpooledSource, read
from vbdt_exchange.envelope.sources import InvalidPayload, PathSource
from vbdt_exchange.findings import Finding

__all__ = ["UnpackResult", "UnpackedFile", "safe_filename", "unpack"]

log = logging.getLogger(__name__)

PACKAGE_JSON = "package.json"
_UNSAFE = re.compile(r"[\x00-\x1f\x7f<>:\"|?*]")
_WINDOWS_RESERVED = re.compile(r"^(con|prn|aux|nul|com\d|lpt\d)(\..*)?$", re.IGNORECASE)


def safe_filename(name: str, fallback: str = "attachment") -> str:
    """A plain file name for ``name``: no directories, no traversal, no device names.

    >>> safe_filename('../../etc/passwd')
    'passwd'
    >>> safe_filename('C:\\\\Windows\\\\win.ini')
    'win.ini'
    >>> safe_filename('..')
    'attachment'
    """
    name = unicodedata.normalize("NFC", name)
    name = PureWindowsPath(PurePosixPath(name).name).name
    name = _UNSAFE.sub("_", name).strip(" .")
    if not name or _WINDOWS_RESERVED.match(name):
        name = f"{fallback}{'_' + name if name else ''}"
    while len(name.encode("utf-8")) > 200:
        stem, dot, ext = name.rpartition(".")
        name = (stem[:-1] + dot + ext) if stem and len(ext) < 16 else name[:-1]
    return name


@attrs.frozen
class UnpackedFile:
    """One attachment written by :func:`unpack` (``path`` is ``None`` when it had no valid data)."""

    attachment: Attachment
    path: Path | None


@attrs.frozen
class UnpackResult:
    """What :func:`unpack` wrote: the JSON description and the attachment files.

    ``package`` is the package read, its attachments now reading from the written files;
    ``findings`` is what the reader noticed.
    """

    package_json: Path
    files: tuple[UnpackedFile, ...]
    package: Package
    findings: tuple[Finding, ...]


def _unique(directory: Path, name: str, taken: set[str]) -> str:
    candidate = name
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    n = 2
    while candidate.casefold() in taken or (directory / candidate).exists():
        candidate = f"{stem} ({n}){dot}{ext}"
        n += 1
    taken.add(candidate.casefold())
    return candidate


def unpack(
    source: Source,
    directory: str | Path,
    *,
    recover: bool = False,
    options: ReadOptions | None = None,
) -> UnpackResult:
    """Write the attachments of ``source`` and its ``package.json`` into ``directory``.

    Existing files are never overwritten: a clashing name gets a `` (2)`` suffix.
    """
    directory = Path(directory).resolve()
    directory.mkdir(parents=True, exist_ok=True)
    spool = Path(tempfile.mkdtemp(prefix=".vbdt-unpack-", dir=directory))
    try:
        result = read(source, recover=recover, options=options, spool_dir=spool)
        taken = {PACKAGE_JSON}
        written: list[UnpackedFile] = []
        package = result.package
        if isinstance(package, EdocPackage):
            for index, attachment in enumerate(package.attachments, 1):
                if isinstance(attachment.data, InvalidPayload):
                    written.append(UnpackedFile(attachment, None))
                    continue
                name = _unique(
                    directory, safe_filename(attachment.name, f"attachment-{index}"), taken
                )
                target = directory / name
                data = attachment.data
                if isinstance(data, SpooledSource) and data.path.parent == spool:
                    os.replace(data.path, target)
                else:
                    with data.open() as src, open(target, "xb") as dst:
                        shutil.copyfileobj(src, dst, 1024 * 1024)
                moved = PathSource(target, known_size=data.size, known_sha256=data.sha256())
                written.append(
                    UnpackedFile(attrs.evolve(attachment, data=moved, wrapped=None), target)
                )
        document = package_to_json(package, result.findings)
        for entry, item in zip(document.get("attachments", []), written, strict=False):
            entry["file"] = item.path.name if item.path else None
        json_path = directory / PACKAGE_JSON
        if json_path.exists():
            json_path = directory / _unique(directory, PACKAGE_JSON, set())
        json_path.write_text(json.dumps(document, ensure_ascii=False, indent=2) + "\n", "utf-8")
        result.close()
        log.debug("unpacked %d attachment(s) into %s", len(written), directory)
        if isinstance(package, EdocPackage):
            package = attrs.evolve(package, attachments=tuple(f.attachment for f in written))
        return UnpackResult(json_path, tuple(written), package, result.findings)
    finally:
        shutil.rmtree(spool, ignore_errors=True)
