"""The bundled stamp font as a pyHanko font engine (needs pyHanko's OpenType support).

Two corrections to pyHanko 0.38's ``GlyphAccumulator`` for TrueType fonts:

* it writes glyph widths (``/W``) and ``TJ`` adjustments in the font's own units, which are only
  right for fonts with 1000 units per em; Liberation Serif has 2048, so text came out spaced
  wide. :class:`_Accumulator` shapes and measures in 1000 units per em;
* ``GlyphAccumulatorFactory`` opens the font file and never closes it; the factory here reads the
  font once into memory.
"""

from __future__ import annotations

import functools
import io
import logging
from importlib import resources
from typing import Any

from pyhanko.pdf_utils.font.api import FontEngineFactory
from pyhanko.pdf_utils.font.opentype import GlyphAccumulator

__all__ = ["FONT_FILE", "StampFontFactory", "font_bytes"]

FONT_FILE = "data/fonts/LiberationSerif-Regular.ttf"
_UNITS = 1000


class _QuietSubsetter(logging.Filter):
    """fontTools warns on every subset that it drops the FFTM table (a FontForge timestamp that
    no PDF reader uses). That is expected here, so this one message is dropped; fontTools'
    other messages pass."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "NOT subset; don't know how to subset; dropped" not in record.getMessage()


logging.getLogger("fontTools.subset").addFilter(_QuietSubsetter())


@functools.cache
def font_bytes() -> bytes:
    """The bundled Liberation Serif Regular (SIL OFL 1.1, see ``data/fonts/OFL.txt``)."""
    return resources.files("vbdt_exchange.signature").joinpath(FONT_FILE).read_bytes()


class _Accumulator(GlyphAccumulator):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._scale = _UNITS / self.units_per_em
        self.units_per_em = _UNITS
        self.hb_font.scale = (_UNITS, _UNITS)

    def _get_cid_and_width(self, glyph_id: int) -> tuple[int, int]:
        cached = self._glyphs.get(glyph_id)
        if cached is not None:
            return cached
        cid, width = super()._get_cid_and_width(glyph_id)
        result = (cid, round(width * self._scale))
        self._glyphs[glyph_id] = result
        return result


class StampFontFactory(FontEngineFactory):
    """Makes a font engine of the bundled font, ``font_size`` points, for each PDF writer."""

    def __init__(self, font_size: int = 10) -> None:
        self.font_size = font_size

    def create_font_engine(self, writer: Any, obj_stream: Any = None) -> Any:
        if obj_stream is None and writer.stream_xrefs:
            obj_stream = writer.prepare_object_stream()
        return _Accumulator(
            writer=writer,
            font_handle=io.BytesIO(font_bytes()),
            font_size=self.font_size,
            obj_stream=obj_stream,
        )
