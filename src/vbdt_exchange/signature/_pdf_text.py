"""Find where a piece of text is drawn on a PDF page (to anchor a signature image to a name).

A small text locator over pyHanko's content-stream parser: it follows the graphics state
(``q``/``Q``/``cm``), the text state (``BT``, ``Tf``, ``Tm``, ``Td``, ``TD``, ``T*``, ``TL``,
``Tc``, ``Tw``, ``Tz``, ``Ts``) and the text-showing operators (``Tj``, ``TJ``, ``'``, ``"``),
decodes strings through the font's ``/ToUnicode`` map (or WinAnsi for simple fonts without one)
and measures them with the font's widths. Form XObjects are followed one level deep. Text it
cannot decode (a CID font without ``/ToUnicode``) is skipped. This is enough for the documents
Vietnamese document systems produce (Word/LibreOffice exports); it is not a layout engine.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from typing import Any

import attrs

__all__ = ["TextBox", "find_text"]

Matrix = tuple[float, float, float, float, float, float]
_IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
_MAX_OPS = 2_000_000


@attrs.frozen
class TextBox:
    """Where text was found: ``x1, y1`` bottom-left (baseline), ``x2, y2`` top-right, points."""

    x1: float
    y1: float
    x2: float
    y2: float


@attrs.frozen
class _Glyph:
    char: str
    x0: float
    x1: float
    y: float
    size: float


def _mul(m: Matrix, n: Matrix) -> Matrix:
    a, b, c, d, e, f = m
    a2, b2, c2, d2, e2, f2 = n
    return (
        a * a2 + b * c2,
        a * b2 + b * d2,
        c * a2 + d * c2,
        c * b2 + d * d2,
        e * a2 + f * c2 + e2,
        e * b2 + f * d2 + f2,
    )


def _num(value: Any) -> float:
    return float(value)


class _Font:
    def __init__(self, font: Any) -> None:
        self.two_byte = str(font.get("/Subtype", "")) == "/Type0"
        self.map: dict[int, str] = {}
        self.widths: dict[int, float] = {}
        self.default_width = 500.0
        self.decodable = True
        to_unicode = font.get("/ToUnicode")
        if to_unicode is not None:
            self.map = _parse_cmap(to_unicode.get_object().data)
        elif self.two_byte:
            self.decodable = False
        if self.two_byte:
            descendants = font.get("/DescendantFonts")
            if descendants is not None:
                descendant = descendants[0].get_object()
                self.default_width = _num(descendant.get("/DW", 1000))
                self._cid_widths(descendant.get("/W"))
        else:
            first = int(font.get("/FirstChar", 0))
            widths = font.get("/Widths")
            if widths is not None:
                for offset, width in enumerate(widths.get_object()):
                    self.widths[first + offset] = _num(width)

    def _cid_widths(self, w: Any) -> None:
        if w is None:
            return
        items = list(w.get_object())
        i = 0
        while i + 1 < len(items):
            start = int(items[i])
            nxt = items[i + 1]
            if isinstance(nxt, list):
                for offset, width in enumerate(nxt):
                    self.widths[start + offset] = _num(width)
                i += 2
            elif i + 2 < len(items):
                for cid in range(start, min(int(nxt), start + 65536) + 1):
                    self.widths[cid] = _num(items[i + 2])
                i += 3
            else:
                break

    def codes(self, data: bytes) -> Iterator[tuple[int, str]]:
        if self.two_byte:
            for i in range(0, len(data) - 1, 2):
                code = (data[i] << 8) | data[i + 1]
                yield code, self.map.get(code, "")
        else:
            for code in data:
                yield code, self.map.get(code) or bytes([code]).decode("cp1252", "replace")

    def width(self, code: int) -> float:
        return self.widths.get(code, self.default_width) / 1000.0


_HEX = re.compile(rb"<([0-9A-Fa-f]+)>")


def _hex_text(value: bytes) -> str:
    raw = bytes.fromhex(value.decode("ascii"))
    return raw.decode("utf-16-be", "replace") if len(raw) >= 2 else raw.decode("latin-1")


def _parse_cmap(data: bytes) -> dict[int, str]:
    """bfchar and bfrange entries of a ToUnicode CMap."""
    mapping: dict[int, str] = {}
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", data, re.S):
        pairs = _HEX.findall(block)
        for src, dst in zip(pairs[::2], pairs[1::2], strict=False):
            mapping[int(src, 16)] = _hex_text(dst)
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", data, re.S):
        for line in re.finditer(
            rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*(\[[^\]]*\]|<[0-9A-Fa-f]+>)", block
        ):
            lo, hi, dst = int(line.group(1), 16), int(line.group(2), 16), line.group(3)
            if hi - lo > 65536:
                continue
            if dst.startswith(b"["):
                for offset, item in enumerate(_HEX.findall(dst)):
                    mapping[lo + offset] = _hex_text(item)
            else:
                base = bytes.fromhex(dst[1:-1].decode("ascii"))
                for offset in range(hi - lo + 1):
                    value = int.from_bytes(base, "big") + offset
                    mapping[lo + offset] = _hex_text(
                        value.to_bytes(len(base), "big").hex().encode("ascii")
                    )
    return mapping


def _glyphs(streams: list[Any], resources: Any, ctm: Matrix, depth: int = 0) -> list[_Glyph]:
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.content_stream_parser import parse_content_stream

    glyphs: list[_Glyph] = []
    fonts: dict[str, _Font] = {}
    font_dict = resources.get("/Font") if resources is not None else None
    stack: list[Matrix] = []
    font: _Font | None = None
    size = 0.0
    tm = tlm = _IDENTITY
    leading = char_space = word_space = rise = 0.0
    scale = 1.0

    def show(data: bytes) -> None:
        nonlocal tm
        if font is None or not font.decodable:
            return
        for code, text in font.codes(data):
            advance = (font.width(code) * size + char_space) * scale
            if code == 32 and not font.two_byte:
                advance += word_space * scale
            trm = _mul((size * scale, 0, 0, size, 0, rise), _mul(tm, ctm))
            x0, y = trm[4], trm[5]
            end = _mul((1, 0, 0, 1, advance, 0), _mul(tm, ctm))
            if text:
                glyphs.append(_Glyph(text, x0, end[4], y, abs(size * _mul(tm, ctm)[3])))
            tm = _mul((1, 0, 0, 1, advance, 0), tm)

    def next_line(tx: float, ty: float) -> None:
        nonlocal tm, tlm
        tlm = _mul((1, 0, 0, 1, tx, ty), tlm)
        tm = tlm

    for count, op in enumerate(parse_content_stream(streams)):
        if count > _MAX_OPS:
            break
        name, args = op.op, op.args
        try:
            if name == "q":
                stack.append(ctm)
            elif name == "Q":
                ctm = stack.pop() if stack else ctm
            elif name == "cm" and len(args) == 6:
                ctm = _mul(tuple(_num(a) for a in args), ctm)  # type: ignore[arg-type]
            elif name == "BT":
                tm = tlm = _IDENTITY
            elif name == "Tf" and len(args) == 2:
                key = str(args[0])
                if key not in fonts and font_dict is not None and key in font_dict:
                    fonts[key] = _Font(font_dict[key].get_object())
                font, size = fonts.get(key), _num(args[1])
            elif name == "Tm" and len(args) == 6:
                tm = tlm = tuple(_num(a) for a in args)  # type: ignore[assignment]
            elif name == "Td" and len(args) == 2:
                next_line(_num(args[0]), _num(args[1]))
            elif name == "TD" and len(args) == 2:
                leading = -_num(args[1])
                next_line(_num(args[0]), _num(args[1]))
            elif name == "T*":
                next_line(0, -leading)
            elif name == "TL" and args:
                leading = _num(args[0])
            elif name == "Tc" and args:
                char_space = _num(args[0])
            elif name == "Tw" and args:
                word_space = _num(args[0])
            elif name == "Tz" and args:
                scale = _num(args[0]) / 100.0
            elif name == "Ts" and args:
                rise = _num(args[0])
            elif name == "Tj" and args:
                show(bytes(args[0].original_bytes))
            elif name in ("'", '"') and args:
                if name == '"' and len(args) == 3:
                    word_space, char_space = _num(args[0]), _num(args[1])
                next_line(0, -leading)
                show(bytes(args[-1].original_bytes))
            elif name == "TJ" and args:
                for item in args[0]:
                    if isinstance(item, (generic.TextStringObject, generic.ByteStringObject)):
                        show(bytes(item.original_bytes))
                    else:
                        tm = _mul((1, 0, 0, 1, -_num(item) / 1000.0 * size * scale, 0), tm)
            elif name == "Do" and args and depth < 1 and resources is not None:
                xobjects = resources.get("/XObject")
                if xobjects is not None and str(args[0]) in xobjects:
                    xobj_ref = xobjects.raw_get(str(args[0]))
                    xobj = xobj_ref.get_object()
                    if str(xobj.get("/Subtype")) == "/Form":
                        matrix = tuple(_num(v) for v in xobj.get("/Matrix", _IDENTITY))
                        glyphs += _glyphs(
                            [xobj],
                            xobj.get("/Resources", resources),
                            _mul(matrix, ctm),  # type: ignore[arg-type]
                            depth + 1,
                        )
        except (ValueError, TypeError, KeyError, IndexError, AttributeError):
            continue
    return glyphs


def _fold(text: str) -> str:
    return unicodedata.normalize("NFC", text).casefold()


def _lines(glyphs: list[_Glyph]) -> list[list[_Glyph]]:
    rows: dict[int, list[_Glyph]] = {}
    for glyph in glyphs:
        rows.setdefault(round(glyph.y), []).append(glyph)
    return [sorted(row, key=lambda g: g.x0) for _, row in sorted(rows.items(), reverse=True)]


def find_text(reader: Any, page_index: int, text: str) -> TextBox | None:
    """The box of the last occurrence of ``text`` on page ``page_index`` (case-insensitive,
    Unicode-normalised, white space collapsed), or ``None``."""
    page_ref, _ = reader.find_page_for_modification(page_index)
    page = page_ref.get_object()
    contents = page.get("/Contents")
    if contents is None:
        return None
    raw = contents.get_object()
    streams = [c.get_object() for c in raw] if isinstance(raw, list) else [raw]
    resources = page.get("/Resources")
    glyphs = _glyphs(streams, resources.get_object() if resources is not None else None, _IDENTITY)
    wanted = " ".join(_fold(text).split())
    if not wanted:
        return None
    found: TextBox | None = None
    for row in _lines(glyphs):
        chars: list[tuple[str, _Glyph]] = []
        previous: _Glyph | None = None
        for glyph in row:
            if previous is not None and glyph.x0 - previous.x1 > 0.2 * max(glyph.size, 1.0):
                chars.append((" ", glyph))
            for ch in glyph.char:
                chars.append((ch, glyph))
            previous = glyph
        line = "".join(_fold(c) for c, _ in chars)
        collapsed: list[tuple[str, _Glyph]] = []
        for (_c, g), f in zip(chars, line, strict=False):
            if f.isspace() and collapsed and collapsed[-1][0] == " ":
                continue
            collapsed.append((" " if f.isspace() else f, g))
        haystack = "".join(c for c, _ in collapsed)
        start = haystack.rfind(wanted)
        if start < 0:
            continue
        span = [g for _, g in collapsed[start : start + len(wanted)]]
        top = max(g.y + 0.75 * g.size for g in span)
        found = TextBox(
            min(g.x0 for g in span), min(g.y for g in span), max(g.x1 for g in span), top
        )
    return found
