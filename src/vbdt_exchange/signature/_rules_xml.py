"""Rules SIG1xx: XML signatures on packages.

Joined into :data:`vbdt_exchange.signature.rules.SIG_RULES`."""

from __future__ import annotations

from vbdt_exchange.envelope.rules import Rule
from vbdt_exchange.findings import Severity

__all__ = ["XML_RULES"]

E, W, I = Severity.ERROR, Severity.WARNING, Severity.INFO  # noqa: E741

XML_RULES: list[Rule] = [
    # -- presence ---------------------------------------------------------------------------
    Rule(
        "SIG101",
        E,
        "no signature",
        "the package carries no XML signature",
        "gói tin không có chữ ký số XML",
    ),
    Rule(
        "SIG102",
        W,
        "placeholder signature",
        "the signature is a placeholder copied from the published samples ({detail}), "
        "not a signature",
        "chữ ký là giá trị giữ chỗ sao chép từ các gói tin mẫu ({detail}), không phải chữ ký",
    ),
    Rule(
        "SIG103",
        E,
        "legacy signature not verifiable",
        "the Signature is in the edXML namespace, not the XML-DSig one: a legacy form that "
        "standard software cannot verify ({detail})",
        "phần tử Signature thuộc không gian tên edXML, không phải XML-DSig: dạng cũ mà phần mềm "
        "chuẩn không kiểm tra được ({detail})",
    ),
    Rule(
        "SIG104",
        E,
        "file repaired before reading",
        "the file had to be repaired to be read; a signature over it cannot be verified",
        "tệp phải được sửa mới đọc được; không thể kiểm tra chữ ký trên tệp này",
    ),
    # -- profile and structure -------------------------------------------------------------
    Rule(
        "SIG110",
        E,
        "signature in the wrong place",
        "the Signature is at {where}; it is accepted only as a child of edXMLEnvelope/edXMLHeader",
        "phần tử Signature nằm tại {where}; chỉ chấp nhận khi là con của edXMLEnvelope/edXMLHeader",
    ),
    Rule(
        "SIG111",
        E,
        "malformed signature",
        "the signature is malformed: {detail}",
        "chữ ký sai cấu trúc: {detail}",
    ),
    Rule(
        "SIG112",
        E,
        "canonicalization method refused",
        "the canonicalization method {uri!r} is not accepted (only Canonical XML 1.0 and "
        "Exclusive Canonical XML 1.0)",
        "phương pháp chuẩn hóa {uri!r} không được chấp nhận (chỉ Canonical XML 1.0 và "
        "Exclusive Canonical XML 1.0)",
    ),
    Rule(
        "SIG113",
        E,
        "signature method refused",
        "the signature method {uri!r} is not accepted{detail}",
        "thuật toán chữ ký {uri!r} không được chấp nhận{detail_vi}",
    ),
    Rule(
        "SIG114",
        E,
        "reference refused",
        "Reference URI={uri!r} is not accepted: {detail}",
        "Reference URI={uri!r} không được chấp nhận: {detail_vi}",
    ),
    Rule(
        "SIG115",
        E,
        "transform refused",
        "the transform {uri!r} of Reference URI={ref!r} is not accepted ({detail})",
        "phép biến đổi {uri!r} của Reference URI={ref!r} không được chấp nhận ({detail_vi})",
    ),
    Rule(
        "SIG116",
        E,
        "digest method refused",
        "the digest method {uri!r} is not accepted (SHA-256, SHA-384 or SHA-512)",
        "thuật toán băm {uri!r} không được chấp nhận (SHA-256, SHA-384 hoặc SHA-512)",
    ),
    Rule(
        "SIG117",
        E,
        "SHA-1 refused",
        "{what} uses SHA-1 ({uri}); SHA-1 is refused unless legacy verification is allowed "
        "(allow_sha1, --allow-sha1)",
        "{what_vi} dùng SHA-1 ({uri}); SHA-1 bị từ chối trừ khi cho phép kiểm tra kiểu cũ "
        "(allow_sha1, --allow-sha1)",
    ),
    Rule(
        "SIG118",
        W,
        "SHA-1 accepted (legacy)",
        "{what} uses SHA-1 ({uri}), accepted only because legacy verification was allowed",
        "{what_vi} dùng SHA-1 ({uri}), chỉ được chấp nhận vì đã cho phép kiểm tra kiểu cũ",
    ),
    Rule(
        "SIG119",
        E,
        "unexpected references",
        'the SignedInfo has {detail}; the profile expects exactly one Reference URI="" '
        "(and, for XAdES, one to the SignedProperties)",
        'SignedInfo có {detail_vi}; hồ sơ chỉ chấp nhận đúng một Reference URI="" '
        "(và, với XAdES, một Reference tới SignedProperties)",
    ),
    Rule(
        "SIG120",
        E,
        "duplicate or misplaced Id",
        "the Id {id!r} {detail}",
        "Id {id!r} {detail_vi}",
    ),
    Rule(
        "SIG121",
        E,
        "KeyInfo refused",
        "KeyInfo/{name} is not accepted: {detail}",
        "KeyInfo/{name} không được chấp nhận: {detail_vi}",
    ),
    Rule(
        "SIG122",
        E,
        "no usable certificate",
        "the signature carries no usable signer certificate: {detail}",
        "chữ ký không kèm chứng thư số của người ký dùng được: {detail_vi}",
    ),
    Rule(
        "SIG123",
        E,
        "unsigned content in the signature",
        "the signature holds {detail}, which its references do not cover",
        "chữ ký chứa {detail_vi}, là nội dung không được các Reference bao phủ",
    ),
    Rule(
        "SIG124",
        E,
        "markup inside a value",
        "{name} contains markup (elements, comments or processing instructions); it must be "
        "plain text",
        "{name} chứa đánh dấu (phần tử, chú thích hoặc chỉ thị xử lý); phải là văn bản thuần",
    ),
    # -- integrity ---------------------------------------------------------------------------
    Rule(
        "SIG130",
        E,
        "digest mismatch",
        "the digest of {what} does not match: {where} changed after signing{detail}",
        "giá trị băm của {what_vi} không khớp: {where_vi} đã bị thay đổi sau khi ký{detail_vi}",
    ),
    Rule(
        "SIG131",
        E,
        "signature value invalid",
        "the SignatureValue does not verify with the signer certificate's key{detail}",
        "SignatureValue không khớp với khóa công khai trong chứng thư của người ký{detail_vi}",
    ),
    Rule(
        "SIG132",
        E,
        "payload cannot be digested",
        "attachment payload {index} is not plain base64 text ({detail}); the signed form of "
        "such a package cannot be computed here",
        "nội dung tệp đính kèm {index} không phải văn bản base64 thuần ({detail}); không tính "
        "được dạng đã ký của gói tin này",
    ),
    Rule(
        "SIG133",
        E,
        "signing certificate mismatch",
        "the SignedProperties name a signing certificate that is not the one in KeyInfo ({detail})",
        "SignedProperties ghi chứng thư ký khác với chứng thư trong KeyInfo ({detail})",
    ),
    Rule(
        "SIG135",
        E,
        "changed parts located",
        "the signed part digests show what changed: {parts}",
        "giá trị băm từng phần đã ký cho biết phần bị thay đổi: {parts_vi}",
    ),
    Rule(
        "SIG134",
        W,
        "signing time unusable",
        "the SigningTime {value!r} is not an xsd:dateTime with a time zone",
        "SigningTime {value!r} không phải xsd:dateTime có múi giờ",
    ),
    # -- trust -------------------------------------------------------------------------------
    Rule(
        "SIG140",
        W,
        "signer not checked",
        "the signer certificate was not checked against a trust store: integrity only",
        "chứng thư của người ký chưa được kiểm tra với kho tin cậy: chỉ kiểm tra toàn vẹn",
    ),
    Rule(
        "SIG141",
        W,
        "trust check unavailable",
        "the signer certificate could not be checked: {detail}",
        "không kiểm tra được chứng thư của người ký: {detail}",
    ),
    Rule(
        "SIG142",
        I,
        "what the signature covers",
        "the signature covers the whole package except itself (header, manifest and every "
        "attachment)",
        "chữ ký bao phủ toàn bộ gói tin trừ chính nó (phần đầu, danh mục và mọi tệp đính kèm)",
    ),
]
