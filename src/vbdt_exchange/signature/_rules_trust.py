"""Rules SIG2xx: certificates, chains and revocation.

Joined into :data:`vbdt_exchange.signature.rules.SIG_RULES`. Every message names the certificate
it is about by its subject (``{subject}``, the common name or the whole distinguished name)."""

from __future__ import annotations

from vbdt_exchange.envelope.rules import Rule
from vbdt_exchange.findings import Severity

__all__ = ["TRUST_RULES"]

E, W, I = Severity.ERROR, Severity.WARNING, Severity.INFO  # noqa: E741

TRUST_RULES: list[Rule] = [
    # -- trust anchors and chains ---------------------------------------------------------
    Rule(
        "SIG201",
        E,
        "no trust anchors configured",
        "no trust anchors are configured, so the certificate of {subject} cannot be trusted "
        "(load the NEAC and Ban Cơ yếu roots into a TrustStore)",
        "chưa cấu hình chứng thư gốc tin cậy nào nên không thể tin cậy chứng thư của {subject} "
        "(hãy nạp chứng thư gốc của NEAC và của Ban Cơ yếu Chính phủ vào TrustStore)",
    ),
    Rule(
        "SIG202",
        E,
        "no chain to a trust anchor",
        "no certificate chain from {subject} to a configured trust anchor: {detail}",
        "không xây dựng được chuỗi chứng thư từ {subject} đến một chứng thư gốc tin cậy: {detail}",
    ),
    # -- validity period ------------------------------------------------------------------
    Rule(
        "SIG203",
        E,
        "certificate expired",
        "the certificate of {subject} expired on {date}, before the validation time {at}",
        "chứng thư của {subject} đã hết hiệu lực vào {date}, trước thời điểm kiểm tra {at}",
    ),
    Rule(
        "SIG204",
        E,
        "certificate not yet valid",
        "the certificate of {subject} is valid only from {date}, after the validation time {at}",
        "chứng thư của {subject} chỉ có hiệu lực từ {date}, sau thời điểm kiểm tra {at}",
    ),
    # -- revocation -----------------------------------------------------------------------
    Rule(
        "SIG205",
        E,
        "certificate revoked",
        "the certificate of {subject} was revoked on {date} (reason: {reason}), "
        "at or before the validation time {at}",
        "chứng thư của {subject} đã bị thu hồi vào {date} (lý do: {reason}), "
        "không muộn hơn thời điểm kiểm tra {at}",
    ),
    Rule(
        "SIG206",
        E,
        "revocation status unknown (hard-fail)",
        "the revocation status of {subject} could not be checked and the policy is "
        "hard-fail: {detail}",
        "không kiểm tra được tình trạng thu hồi của chứng thư {subject} trong khi chính sách "
        "yêu cầu bắt buộc (hard-fail): {detail}",
    ),
    Rule(
        "SIG207",
        W,
        "revocation status unknown (soft-fail)",
        "the revocation status of {subject} could not be checked (no usable CRL or OCSP "
        "response); accepted because the policy is soft-fail: {detail}",
        "cảnh báo: không kiểm tra được tình trạng thu hồi của chứng thư {subject} (không có CRL "
        "hoặc phản hồi OCSP dùng được); vẫn chấp nhận vì chính sách là soft-fail: {detail}",
    ),
    Rule(
        "SIG208",
        I,
        "revocation not checked",
        "the revocation status of {subject} was not checked (revocation checking is off)",
        "không kiểm tra tình trạng thu hồi của chứng thư {subject} (chính sách tắt việc kiểm "
        "tra thu hồi)",
    ),
    # -- signatures and algorithms --------------------------------------------------------
    Rule(
        "SIG209",
        E,
        "bad signature on a certificate",
        "the signature on the certificate of {subject} does not verify with its issuer's key",
        "chữ ký trên chứng thư của {subject} không khớp với khóa công khai của tổ chức cấp",
    ),
    Rule(
        "SIG210",
        E,
        "weak algorithm refused",
        "the certificate of {subject} is signed with {algorithm}, which is not allowed "
        "(SHA-1 only with allow_sha1)",
        "chứng thư của {subject} được ký bằng {algorithm}, thuật toán không được chấp nhận "
        "(SHA-1 chỉ được chấp nhận khi bật allow_sha1)",
    ),
    Rule(
        "SIG211",
        W,
        "SHA-1 accepted",
        "the certificate of {subject} is signed with {algorithm}; accepted only because the "
        "policy allows SHA-1 (TT 15/2025 does not list SHA-1)",
        "chứng thư của {subject} được ký bằng {algorithm}; chỉ được chấp nhận vì chính sách cho "
        "phép SHA-1 (Thông tư 15/2025 không còn cho phép SHA-1)",
    ),
    Rule(
        "SIG212",
        E,
        "key too small",
        "the {kind} key of {subject} has {bits} bits, fewer than the required {minimum}",
        "khóa {kind} của chứng thư {subject} dài {bits} bit, ngắn hơn mức tối thiểu {minimum} bit",
    ),
    Rule(
        "SIG213",
        E,
        "key usage does not allow signing",
        "the key usage of the certificate of {subject} ({usage}) allows neither "
        "digitalSignature nor nonRepudiation",
        "mục đích sử dụng khóa của chứng thư {subject} ({usage}) không cho phép ký số "
        "(digitalSignature hoặc nonRepudiation)",
    ),
    Rule(
        "SIG214",
        E,
        "certificate chain not valid",
        "the certificate chain of {subject} is not valid: {detail}",
        "chuỗi chứng thư của {subject} không hợp lệ: {detail}",
    ),
    Rule(
        "SIG215",
        W,
        "chain not trusted (trust not required)",
        "the certificate of {subject} does not chain to a configured trust anchor; checked "
        "anyway because the policy does not require trust",
        "chứng thư của {subject} không dẫn tới chứng thư gốc tin cậy nào đã cấu hình; vẫn được "
        "kiểm tra vì chính sách không yêu cầu tin cậy",
    ),
    Rule(
        "SIG216",
        I,
        "revocation status good",
        "the certificate of {subject} is not revoked according to {source}",
        "chứng thư của {subject} chưa bị thu hồi theo {source}",
    ),
    Rule(
        "SIG217",
        I,
        "revoked after the validation time",
        "the certificate of {subject} was revoked later, on {date}: valid at the validation "
        "time, not after",
        "chứng thư của {subject} bị thu hồi sau đó, vào {date}: có hiệu lực tại thời điểm kiểm "
        "tra nhưng không còn hiệu lực sau thời điểm đó",
    ),
]
