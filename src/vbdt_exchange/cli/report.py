"""``vbdt report``: exchange statistics per agency, month and quarter."""

from __future__ import annotations
