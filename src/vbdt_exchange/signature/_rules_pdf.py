"""Rules SIG3xx: PDF signatures; and the labels of the PDF verification report.

Joined into :data:`vbdt_exchange.signature.rules.SIG_RULES`."""

from __future__ import annotations

from vbdt_exchange.envelope.rules import Rule
from vbdt_exchange.findings import Severity

__all__ = ["PDF_LABELS", "PDF_RULES"]

E, W, I = Severity.ERROR, Severity.WARNING, Severity.INFO  # noqa: E741

PDF_RULES: list[Rule] = [
    Rule(
        "SIG301",
        E,
        "PDF signature integrity",
        "signature '{field}': the signed bytes were changed or the signature value does not "
        "match the certificate ({detail})",
        "chữ ký '{field}': dữ liệu đã ký bị thay đổi hoặc giá trị chữ ký không khớp với chứng "
        "thư số ({detail})",
    ),
    Rule(
        "SIG302",
        I,
        "later revisions",
        "signature '{field}' covers revision {revision} of {revisions}; the later revisions "
        "only make allowed changes ({level})",
        "chữ ký '{field}' bao phủ phiên bản {revision} trên {revisions}; các phiên bản sau chỉ "
        "có thay đổi được phép ({level})",
    ),
    Rule(
        "SIG303",
        E,
        "changes after signing not allowed",
        "signature '{field}': the document was changed after signing in a way that is not "
        "allowed ({detail})",
        "chữ ký '{field}': văn bản đã bị thay đổi sau khi ký theo cách không được phép ({detail})",
    ),
    Rule(
        "SIG304",
        E,
        "unclear coverage",
        "signature '{field}': the signed byte range does not cover its revision",
        "chữ ký '{field}': vùng dữ liệu được ký không bao phủ trọn phiên bản của nó",
    ),
    Rule(
        "SIG305",
        I,
        "no signature timestamp",
        "signature '{field}' has no timestamp: its signing time is only what the signer claims",
        "chữ ký '{field}' không có dấu thời gian: thời điểm ký chỉ là do người ký tự khai",
    ),
    Rule(
        "SIG306",
        E,
        "signature timestamp not valid",
        "signature '{field}': its timestamp token does not verify ({detail})",
        "chữ ký '{field}': dấu thời gian của chữ ký không hợp lệ ({detail})",
    ),
    Rule(
        "SIG307",
        E,
        "document timestamp not valid",
        "document timestamp '{field}' does not verify ({detail})",
        "dấu thời gian văn bản '{field}' không hợp lệ ({detail})",
    ),
    Rule(
        "SIG308",
        W,
        "not a PAdES signature",
        "signature '{field}' uses the sub-filter {subfilter}, not ETSI.CAdES.detached (PAdES)",
        "chữ ký '{field}' dùng định dạng {subfilter}, không phải ETSI.CAdES.detached (PAdES)",
    ),
    Rule(
        "SIG309",
        E,
        "no signature",
        "the PDF has no signature",
        "tệp PDF không có chữ ký số",
    ),
    Rule(
        "SIG310",
        E,
        "SHA-1 refused",
        "signature '{field}' uses SHA-1 ({algorithm}), which the policy refuses",
        "chữ ký '{field}' dùng SHA-1 ({algorithm}), chính sách kiểm tra không chấp nhận",
    ),
    Rule(
        "SIG311",
        W,
        "timestamp TSA not trusted",
        "signature '{field}': the time-stamping authority's certificate did not pass "
        "({indication})",
        "chữ ký '{field}': chứng thư số của đơn vị cấp dấu thời gian không hợp lệ ({indication})",
    ),
]

PDF_LABELS: dict[str, tuple[str, str]] = {
    "valid": ("Signature valid", "Chữ ký hợp lệ"),
    "invalid": ("Signature not valid", "Chữ ký không hợp lệ"),
    "indeterminate": ("Signature not confirmed", "Chưa xác định được tính hợp lệ của chữ ký"),
    "field": ("Signature field", "Trường chữ ký"),
    "signer": ("Signer", "Người ký"),
    "organisation": ("Certificate managed by", "Đơn vị quản lý chứng thư"),
    "issuer": ("Certificate issued by", "Tổ chức cấp chứng thư"),
    "signing_time": ("Signing time", "Thời điểm ký"),
    "timestamp": ("Timestamp", "Dấu thời gian"),
    "integrity": ("Data integrity", "Toàn vẹn dữ liệu"),
    "coverage": ("Coverage", "Phạm vi ký"),
    "changes": ("Changes after signing", "Thay đổi sau khi ký"),
    "level": ("Level", "Mức chữ ký"),
    "certificate": ("Certificate valid at signing time", "Hiệu lực chứng thư tại thời điểm ký"),
    "validity": ("Certificate validity period", "Thời hạn hiệu lực của chứng thư"),
    "revocation": ("Revocation status", "Tình trạng thu hồi"),
    "intact": ("intact", "toàn vẹn"),
    "broken": ("changed after signing", "bị thay đổi sau khi ký"),
    "whole_file": ("the whole file", "toàn bộ tệp"),
    "revision": ("revision {revision} of {revisions}", "phiên bản {revision} trên {revisions}"),
    "unclear": (
        "unclear: the signed bytes do not cover a whole revision",
        "không rõ ràng: phần dữ liệu được ký không bao phủ trọn một phiên bản",
    ),
    "none": ("none", "không có"),
    "allowed": ("allowed ({level})", "được phép ({level})"),
    "not_allowed": ("NOT allowed ({level})", "KHÔNG được phép ({level})"),
    "document_timestamp": ("Document timestamp", "Dấu thời gian văn bản"),
    "claimed": ("claimed by the signer", "do người ký tự khai"),
    "result": ("Result", "Kết quả"),
    "signatures": ("signature(s)", "chữ ký"),
}
"""The labels of :meth:`vbdt_exchange.signature.pdf.PdfVerificationReport.render`:
key -> (English, Vietnamese). The Vietnamese wording follows Thông tư 15/2025/TT-BKHCN Art. 6."""
