"""``vbdt hub ...``: the local reference axis."""

from __future__ import annotations
