"""``vbdt axis ...``: talk to an axis (VDXP or an LGSP) as a connected system."""

from __future__ import annotations
