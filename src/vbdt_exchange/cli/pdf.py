"""``vbdt pdf ...``: PDF signatures laid out as Nghị định 30/2020 prescribes."""

from __future__ import annotations
