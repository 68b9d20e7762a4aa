"""Locate and load the published XSDs (``schemas/`` in the repository).

The canonical copies of the schemas live in the repository's top-level ``schemas/`` folder,
where vendors of other languages take them from. Wheels carry the same files as
``vbdt_exchange/schemas/`` (hatchling ``force-include``). This module finds them in either
place:

1. the packaged copy, ``importlib.resources.files("vbdt_exchange") / "schemas"`` (a wheel or
   sdist install);
2. otherwise the checkout's ``schemas/`` folder next to ``src/`` (an editable install or a
   plain source checkout), so edits to the XSDs are seen immediately.

Schemas are compiled with :mod:`xmlschema` in XSD 1.0 mode, once per process, behind a lock.
Resource access is forbidden (``allow="none"``) and XML defusing is always on
(``defuse="always"``): the schema is read from bytes and nothing is ever fetched, neither
from the network nor from the file system. The same settings apply when the compiled schema
validates a document, so callers pass a parsed tree (an lxml or ElementTree element) or the
document's text, never a path or a URL::

    tree = parse_with_the_hardened_parser(data)
    for error in edxml_schema().iter_errors(tree):
        ...
"""

from __future__ import annotations

import io
import threading
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path

import xmlschema

__all__ = ["EDXML_NAMESPACE", "edxml_schema", "schema_path", "schema_root"]

EDXML_NAMESPACE = "http://www.mic.gov.vn/TBT/QCVN_102_2016"
"""Target namespace of ``edxml.xsd`` (the namespace of QCVN 102:2016 edXML packages)."""

_PACKAGE = "vbdt_exchange"
_FOLDER = "schemas"
_EDXML_XSD = "edxml.xsd"

_lock = threading.Lock()
_edxml_schema: xmlschema.XMLSchema10 | None = None


def schema_root() -> Traversable:
    """Return the folder that holds the published XSDs.

    The packaged copy inside an installed wheel is preferred; in an editable install or a
    source checkout, where the package is imported from ``src/``, the repository's
    top-level ``schemas/`` folder is used instead.

    Raises:
        FileNotFoundError: neither location holds ``edxml.xsd`` (a broken installation).
    """
    packaged = files(_PACKAGE) / _FOLDER
    if packaged.is_dir() and (packaged / _EDXML_XSD).is_file():
        return packaged
    # src/vbdt_exchange/_schemas.py -> parents[2] is the repository root.
    checkout = Path(__file__).resolve().parents[2] / _FOLDER
    if (checkout / _EDXML_XSD).is_file():
        return checkout
    raise FileNotFoundError(
        f"vbdt_exchange schemas not found (looked for {_EDXML_XSD} in the installed package "
        f"and in {checkout}); reinstall the package"
    )


def schema_path(name: str = _EDXML_XSD) -> Traversable:
    """Return the resource for one published schema file, by file name.

    The result is a :class:`~importlib.resources.abc.Traversable`; read it with
    ``read_bytes()``, or use :func:`importlib.resources.as_file` when a real file system
    path is needed (for example to hand it to ``xmllint``).

    Raises:
        ValueError: ``name`` is not a plain file name.
        FileNotFoundError: there is no schema of that name.
    """
    if not name or name in {".", ".."} or "/" in name or "\\" in name:
        raise ValueError(f"not a schema file name: {name!r}")
    resource = schema_root() / name
    if not resource.is_file():
        raise FileNotFoundError(f"no published schema named {name!r}")
    return resource


def edxml_schema() -> xmlschema.XMLSchema10:
    """Return the compiled ``edxml.xsd`` (XSD 1.0), compiled once per process.

    Thread-safe. The schema is compiled from its bytes with resource access forbidden
    (``allow="none"``) and defusing always on (``defuse="always"``); validate parsed trees
    or document text with it, not paths or URLs (see the module documentation).

    Raises:
        FileNotFoundError: the schema file is missing (a broken installation).
        xmlschema.XMLSchemaException: the schema does not compile (a packaging bug).
    """
    global _edxml_schema
    with _lock:
        if _edxml_schema is None:
            data = schema_path(_EDXML_XSD).read_bytes()
            _edxml_schema = xmlschema.XMLSchema10(io.BytesIO(data), allow="none", defuse="always")
        return _edxml_schema
