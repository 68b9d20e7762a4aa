"""``vbdt sign`` and ``vbdt verify``: XML signatures on packages."""

from __future__ import annotations
