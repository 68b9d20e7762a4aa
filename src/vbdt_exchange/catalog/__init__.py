"""The catalogue: identifiers, document types, numbers and symbols, code lists and policies.

One module per kind of value, each with the python-stdnum API where it applies (``compact``,
``validate``, ``is_valid``, ``format``) and its own helpers:

* :mod:`~vbdt_exchange.catalog.organ_id` — organisation identifiers (mã định danh);
* :mod:`~vbdt_exchange.catalog.directory` — agency directories from the axis's lists or CSV;
* :mod:`~vbdt_exchange.catalog.doctypes` — the document types of Nghị định 30/2020 and more;
* :mod:`~vbdt_exchange.catalog.number` — số và ký hiệu (``3244/UBND-VP``, ``145-CV/TU``);
* :mod:`~vbdt_exchange.catalog.document_id` — the edXML ``DocumentId``;
* :mod:`~vbdt_exchange.catalog.codes` — code lists with Vietnamese and English labels;
* :mod:`~vbdt_exchange.catalog.policy` — paperless-exchange policies, from data files.

This layer depends on nothing above it (not on the envelope).
"""

from vbdt_exchange.catalog import (
    codes,
    directory,
    doctypes,
    document_id,
    number,
    organ_id,
    policy,
)

__all__ = ["codes", "directory", "doctypes", "document_id", "number", "organ_id", "policy"]
