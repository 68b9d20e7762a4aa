"""Small sample PDFs for tests, benchmarks and documentation examples.

:func:`sample_pdf` writes an A4 document in the bundled Liberation Serif (Times New Roman
metrics): a heading, body lines, and on the last page the signature block of Nghị định 30/2020
(authority and title, then the signer's name lower down, leaving room for the signature image).
"""

from __future__ import annotations

import io
from typing import Any

__all__ = ["A4", "sample_pdf"]

A4 = (595.28, 841.89)
"""A4 in points (210 x 297 mm)."""


def sample_pdf(
    *,
    pages: int = 1,
    signer_name: str = "Nguyễn Văn An",
    title: str = "KT. CHỦ TỊCH\nPHÓ CHỦ TỊCH",
    heading: str = "ỦY BAN NHÂN DÂN TỈNH NGHỆ AN",
) -> bytes:
    """An A4 PDF of ``pages`` pages; the last ends with ``title`` and ``signer_name``.

    The signer's name is drawn at x = 360-..., y = 170 on the last page; the title lines above
    it, at y = 270 and 255, leave the space between for the signature image.
    """
    from pyhanko.pdf_utils import generic as _generic
    from pyhanko.pdf_utils import writer as _writer

    from vbdt_exchange.signature.pdf import _font_factory

    if pages < 1:
        raise ValueError("pages must be at least 1")
    # pyHanko's writer API is untyped: work with it as Any
    generic: Any = _generic
    pdf_writer: Any = _writer
    writer = pdf_writer.PdfFileWriter()
    engine: Any = _font_factory().create_font_engine(writer, obj_stream=None)
    body = (
        "Căn cứ Nghị định số 30/2020/NĐ-CP ngày 05 tháng 3 năm 2020 của Chính phủ về công tác "
        "văn thư;"
    )

    def line(x: float, y: float, size: float, text: str) -> bytes:
        shaped = engine.shape(text)
        return b"BT /F1 %g Tf %g %g Td " % (size, x, y) + bytes(shaped.graphics_ops) + b" ET\n"

    for number in range(1, pages + 1):
        ops = io.BytesIO()
        if number == 1:
            ops.write(line(72, 780, 13, heading))
            ops.write(line(72, 760, 13, "Số: 3244/UBND-VP"))
        else:
            ops.write(line(297, 800, 13, str(number)))
        y = 720.0
        for _ in range(20):
            ops.write(line(85, y, 13, body[:90]))
            y -= 18
        if number == pages:
            for offset, text in enumerate(title.splitlines()):
                ops.write(line(380, 300 - 15 * offset, 13, text))
            ops.write(line(380, 170, 13, signer_name))
        stream = generic.StreamObject(stream_data=ops.getvalue())
        stream.compress()
        resources = generic.DictionaryObject(
            {
                generic.NameObject("/Font"): generic.DictionaryObject(
                    {generic.NameObject("/F1"): engine.as_resource()}
                )
            }
        )
        page = pdf_writer.PageObject(
            contents=writer.add_object(stream), media_box=[0, 0, *A4], resources=resources
        )
        writer.insert_page(page)
    engine.prepare_write()
    out = io.BytesIO()
    writer.write(out)
    return bytes(out.getvalue())
