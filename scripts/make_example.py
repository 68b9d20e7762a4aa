"""Regenerate the bundled example package (src/vbdt_exchange/examples/cong-van.edxml).

Run: python scripts/make_example.py
The example is a công văn from the People's Committee of Nghệ An to the Government Office with
one small PDF, written by the strict writer; it must validate with no errors.
"""

from __future__ import annotations

import datetime
from pathlib import Path

from vbdt_exchange import (
    Attachment,
    Business,
    Code,
    DocumentType,
    EdocPackage,
    Organization,
    OtherInfo,
    PromulgationInfo,
    SignerInfo,
    StaffInfo,
    TraceHeader,
    TraceHeaderList,
    write,
)

HERE = Path(__file__).resolve().parent
TARGET = HERE.parent / "src" / "vbdt_exchange" / "examples" / "cong-van.edxml"


def minimal_pdf(text: str) -> bytes:
    """A one-page PDF showing ``text`` (ASCII), with a correct cross-reference table."""
    stream = f"BT /F1 14 Tf 72 760 Td ({text}) Tj ET".encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Times-Roman >>",
    ]
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return bytes(out)


def build() -> EdocPackage:
    sender = Organization(
        organ_id="000.00.00.H41",
        organization_in_charge="UBND tỉnh Nghệ An",
        organ_name="Ủy ban nhân dân tỉnh Nghệ An",
        organ_add="Số 03 Trường Thi, thành phố Vinh, tỉnh Nghệ An",
        email="ubnd@nghean.gov.vn",
        telephone="0238 3840418",
        website="nghean.gov.vn",
    )
    return EdocPackage(
        from_=sender,
        to=[Organization(organ_id="000.00.00.G22", organ_name="Văn phòng Chính phủ")],
        code=Code("3244", "UBND-VP"),
        promulgation=PromulgationInfo(datetime.date(2026, 11, 20), "Nghệ An"),
        document_type=DocumentType(type=1, type_detail=0, type_name="Công văn"),
        subject="V/v triển khai kết nối, liên thông văn bản điện tử năm 2026",
        content=(
            "Báo cáo tiến độ kết nối hệ thống quản lý văn bản với Trục liên thông văn bản quốc gia."
        ),
        signer=SignerInfo("KT. CHỦ TỊCH", "Phó Chủ tịch", "Nguyễn Văn A"),
        due_date=datetime.date(2026, 12, 15),
        to_places=["Như trên", "Lưu: VT, VP"],
        other_info=OtherInfo(
            priority=0,
            sphere_of_promulgation="Liên thông văn bản quốc gia",
            typer_notation="VP",
            promulgation_amount=2,
            page_amount=1,
        ),
        steering_type=1,
        document_id="000.00.00.H41,2026/11/20,3244/UBND-VP",
        trace=TraceHeaderList(
            headers=[TraceHeader("000.00.00.H41", datetime.datetime(2026, 11, 20, 9, 30, 0))],
            business=Business(
                doc_type=0,
                reason="Văn bản điện tử mới",
                paper=0,
                staff=StaffInfo(department="Văn thư", staff="Trần Thị B"),
            ),
        ),
        attachments=[
            Attachment.from_bytes(
                "3244-UBND-VP.pdf",
                minimal_pdf("Cong van 3244/UBND-VP"),
                content_id="7f1c0d7e-5a4b-4c1e-9a53-2f0e8c6b1d20",
                description="Công văn số 3244/UBND-VP",
            )
        ],
    )


if __name__ == "__main__":
    TARGET.parent.mkdir(parents=True, exist_ok=True)
    write(build(), TARGET)
    print(TARGET)
