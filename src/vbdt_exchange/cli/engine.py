"""``vbdt engine ...``: run the host-side exchange engine."""

from __future__ import annotations
