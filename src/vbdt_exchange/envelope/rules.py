"""The catalogue of envelope rules: every finding the reader and the validator can report.

Rule ids are stable: once published, an id keeps its meaning (a retired rule is never reused).
Each rule has a default severity and a message in Vietnamese and English; messages are
``str.format`` templates filled with the details of each finding.

Ranges:

* ``EDX0xx`` parsing and safety (well-formedness, DTDs, limits, recovery)
* ``EDX1xx`` structure (root, namespaces, unknown, repeated or empty elements)
* ``EDX2xx`` lexical forms (dates, timestamps, numbers, codes, identifiers)
* ``EDX3xx`` attachments and the manifest
* ``EDX4xx`` consistency between fields
* ``EDX5xx`` the published XSD
"""

from __future__ import annotations

from typing import Any

import attrs

from vbdt_exchange.findings import Finding, Severity

__all__ = ["RULES", "Rule", "finding"]

E, W, I = Severity.ERROR, Severity.WARNING, Severity.INFO  # noqa: E741


@attrs.frozen
class Rule:
    """One entry of the rule catalogue."""

    id: str
    severity: Severity
    title: str
    en: str
    vi: str

    def make(
        self,
        *,
        path: str | None = None,
        line: int | None = None,
        severity: Severity | None = None,
        **details: Any,
    ) -> Finding:
        return Finding(
            rule=self.id,
            severity=severity or self.severity,
            message=self.en.format(**details),
            message_vi=self.vi.format(**details),
            path=path,
            line=line,
        )


_RULES = [
    # -- parsing and safety ---------------------------------------------------------------
    Rule(
        "EDX001",
        E,
        "not well-formed XML",
        "the file is not well-formed XML: {detail}",
        "tệp không phải XML hợp lệ (well-formed): {detail}",
    ),
    Rule(
        "EDX002",
        E,
        "bytes before the XML declaration",
        "{count} byte(s) before the XML declaration ({preview!r})",
        "có {count} byte trước khai báo XML ({preview!r})",
    ),
    Rule(
        "EDX003",
        E,
        "undeclared namespace prefix",
        "the namespace prefix '{prefix}' is used but never declared",
        "tiền tố không gian tên '{prefix}' được dùng nhưng chưa được khai báo",
    ),
    Rule(
        "EDX004",
        E,
        "DTD refused",
        "a document type declaration (DTD) is not allowed in an edXML package",
        "gói tin edXML không được chứa khai báo kiểu tài liệu (DTD)",
    ),
    Rule(
        "EDX005",
        E,
        "resource limit exceeded",
        "{what} exceeds the limit of {limit}",
        "{what_vi} vượt quá giới hạn {limit}",
    ),
    Rule(
        "EDX006",
        W,
        "not UTF-8",
        "the package is encoded as {encoding}; QCVN 102 packages are UTF-8",
        "gói tin được mã hoá {encoding}; gói tin QCVN 102 phải dùng UTF-8",
    ),
    Rule(
        "EDX007",
        W,
        "repaired in recovery mode",
        "recovery mode repaired the document: {detail}",
        "chế độ phục hồi đã sửa tài liệu: {detail}",
    ),
    # -- structure --------------------------------------------------------------------------
    Rule(
        "EDX008",
        E,
        "file cannot be opened",
        "cannot open {path}: {reason}",
        "không mở được {path}: {reason}",
    ),
    Rule(
        "EDX009",
        E,
        "encoding refused",
        "the declared encoding {encoding!r} is not accepted (use UTF-8)",
        "bảng mã khai báo {encoding!r} không được chấp nhận (hãy dùng UTF-8)",
    ),
    Rule(
        "EDX101",
        E,
        "not an edXML package",
        "the root element is {found}, not edXML in the namespace {ns}",
        "phần tử gốc là {found}, không phải edXML thuộc không gian tên {ns}",
    ),
    Rule(
        "EDX102",
        W,
        "foreign namespace accepted",
        "elements in the namespace {found!r} were read as edXML (leniency switch)",
        "các phần tử thuộc không gian tên {found!r} được đọc như edXML (chế độ dễ dãi)",
    ),
    Rule(
        "EDX103",
        E,
        "missing structural element",
        "the package has no {name} element",
        "gói tin thiếu phần tử {name}",
    ),
    Rule(
        "EDX104",
        W,
        "unknown element preserved",
        "unknown element {name} was kept as it is",
        "phần tử không xác định {name} được giữ nguyên",
    ),
    Rule(
        "EDX105",
        W,
        "repeated element",
        "{name} appears more than once; the first is used, the others are kept as extensions",
        "{name} xuất hiện nhiều lần; dùng phần tử đầu tiên, các phần tử còn lại được giữ nguyên",
    ),
    Rule(
        "EDX106",
        I,
        "non-standard element order",
        "the children of {name} are not in the standard order",
        "các phần tử con của {name} không theo thứ tự chuẩn",
    ),
    Rule(
        "EDX107",
        W,
        "Signature in the edXML namespace",
        "Signature is in the edXML namespace, not in the XML-DSig namespace (official SDK quirk)",
        "Signature thuộc không gian tên edXML thay vì XML-DSig (lỗi của SDK chính thức)",
    ),
    Rule(
        "EDX108",
        W,
        "empty element",
        "{name} is empty and was read as absent",
        "{name} rỗng và được coi như không có",
    ),
    Rule(
        "EDX109",
        W,
        "Business spelled with one s",
        "{name} is spelled the modern way; the standard writes 'Bussiness'",
        "{name} được viết theo chính tả thông thường; tiêu chuẩn viết 'Bussiness'",
    ),
    Rule(
        "EDX110",
        W,
        "TraceHeader without OrganId",
        "a TraceHeader has no usable OrganId ({found})",
        "TraceHeader không có OrganId hợp lệ ({found})",
    ),
    Rule(
        "EDX111",
        W,
        "unexpected text",
        "text {text!r} inside {name} was ignored",
        "văn bản {text!r} trong {name} bị bỏ qua",
    ),
    Rule(
        "EDX112",
        W,
        "attribute ignored",
        "attribute {name} was ignored",
        "thuộc tính {name} bị bỏ qua",
    ),
    # -- lexical forms -----------------------------------------------------------------------
    Rule(
        "EDX201",
        E,
        "date not readable",
        "{value!r} is not a date in the form yyyy/MM/dd",
        "{value!r} không phải ngày theo định dạng yyyy/MM/dd",
    ),
    Rule(
        "EDX202",
        W,
        "date in another form",
        "the date {value!r} is not written yyyy/MM/dd; read as {iso}",
        "ngày {value!r} không viết theo dạng yyyy/MM/dd; đọc thành {iso}",
    ),
    Rule(
        "EDX203",
        E,
        "impossible date",
        "{value!r} is not a real calendar date",
        "{value!r} không phải ngày có thật",
    ),
    Rule(
        "EDX204",
        E,
        "timestamp not readable",
        "{value!r} is not a timestamp in the form yyyy/MM/dd HH:mm:ss",
        "{value!r} không phải thời điểm theo định dạng yyyy/MM/dd HH:mm:ss",
    ),
    Rule(
        "EDX205",
        E,
        "integer expected",
        "{value!r} is not an integer",
        "{value!r} không phải số nguyên",
    ),
    Rule(
        "EDX206",
        E,
        "boolean expected",
        "{value!r} is not true or false",
        "{value!r} không phải true hoặc false",
    ),
    Rule(
        "EDX207",
        E,
        "malformed status code",
        "status code {value!r} is not two digits",
        "mã trạng thái {value!r} không gồm hai chữ số",
    ),
    Rule(
        "EDX208",
        W,
        "unknown status code",
        "status code {value!r} is not one of 01-06, 13, 15, 16",
        "mã trạng thái {value!r} không thuộc 01-06, 13, 15, 16",
    ),
    Rule(
        "EDX209",
        W,
        "organisation identifier not in QCVN 102 form",
        "organisation identifier {value!r} is not in the form DDD.CC.BB.Ann",
        "mã định danh {value!r} không theo dạng DDD.CC.BB.Ann",
    ),
    Rule(
        "EDX210",
        W,
        "DocumentId not in the standard form",
        "DocumentId {value!r} is not in the form OrganId,yyyy/MM/dd,Number/Notation",
        "DocumentId {value!r} không theo dạng OrganId,yyyy/MM/dd,Số/Ký hiệu",
    ),
    Rule(
        "EDX211",
        I,
        "whitespace trimmed",
        "leading or trailing whitespace in {name} was removed",
        "khoảng trắng thừa ở đầu hoặc cuối {name} đã được loại bỏ",
    ),
    Rule(
        "EDX212",
        W,
        "value outside the known code list",
        "{name} {value!r} is not a known value ({known})",
        "{name} {value!r} không thuộc danh sách mã đã biết ({known})",
    ),
    Rule(
        "EDX213",
        W,
        "timestamp in another form",
        "the timestamp {value!r} is not written yyyy/MM/dd HH:mm:ss; read as {iso} (Vietnam time)",
        "thời điểm {value!r} không viết theo dạng yyyy/MM/dd HH:mm:ss; "
        "đọc thành {iso} (giờ Việt Nam)",
    ),
    # -- attachments --------------------------------------------------------------------------
    Rule(
        "EDX301",
        E,
        "payload is not base64",
        "the payload of attachment {name!r} is not valid base64: {detail}",
        "nội dung tệp đính kèm {name!r} không phải base64 hợp lệ: {detail}",
    ),
    Rule(
        "EDX302",
        I,
        "SDK ZIP wrapper removed",
        "attachment {name!r} was wrapped in the official SDK's ZIP; the file inside is given",
        "tệp đính kèm {name!r} được SDK chính thức nén ZIP; đã lấy tệp bên trong",
    ),
    Rule(
        "EDX303",
        W,
        "ZIP wrapper labelled as its content",
        "attachment {name!r} is a ZIP wrapper labelled {content_type!r}",
        "tệp đính kèm {name!r} là gói ZIP nhưng được ghi kiểu {content_type!r}",
    ),
    Rule(
        "EDX304",
        E,
        "ZIP wrapper refused",
        "the ZIP wrapper of attachment {name!r} was not unwrapped: {detail}",
        "không giải nén gói ZIP của tệp đính kèm {name!r}: {detail}",
    ),
    Rule(
        "EDX305",
        W,
        "manifest entry without attachment",
        "the manifest names {content_id!r} but no attachment carries it",
        "danh mục có {content_id!r} nhưng không có tệp đính kèm tương ứng",
    ),
    Rule(
        "EDX306",
        W,
        "attachment without manifest entry",
        "attachment {content_id!r} is not listed in the manifest",
        "tệp đính kèm {content_id!r} không có trong danh mục",
    ),
    Rule(
        "EDX307",
        E,
        "duplicate ContentId",
        "ContentId {content_id!r} is used by more than one attachment",
        "ContentId {content_id!r} được dùng cho nhiều tệp đính kèm",
    ),
    Rule(
        "EDX308",
        W,
        "ContentId form",
        "ContentId {value!r} {detail}",
        "ContentId {value!r} {detail_vi}",
    ),
    Rule(
        "EDX309",
        W,
        "manifest and attachment disagree",
        "the manifest and the attachment {content_id!r} disagree on {field}: {left!r} / {right!r}",
        "danh mục và tệp đính kèm {content_id!r} khác nhau ở {field}: {left!r} / {right!r}",
    ),
    Rule(
        "EDX310",
        W,
        "payload damaged by a text decoding",
        "attachment {name!r} ({content_type}) has {count} U+FFFD replacement characters in its "
        "first 8 MiB: the file was probably decoded as text before encoding",
        "tệp đính kèm {name!r} ({content_type}) chứa {count} ký tự thay thế U+FFFD "
        "trong 8 MiB đầu: tệp có thể đã bị giải mã như văn bản trước khi mã hoá",
    ),
    Rule(
        "EDX311",
        E,
        "attachment incomplete",
        "an attachment has no {name}",
        "tệp đính kèm thiếu {name}",
    ),
    Rule(
        "EDX312",
        W,
        "unsafe attachment name",
        "attachment name {value!r} is not a plain file name",
        "tên tệp đính kèm {value!r} không phải tên tệp thông thường",
    ),
    # -- consistency ---------------------------------------------------------------------------
    Rule(
        "EDX401",
        W,
        "DocumentId inconsistent",
        "DocumentId {value!r} does not match {field} ({expected!r})",
        "DocumentId {value!r} không khớp với {field} ({expected!r})",
    ),
    Rule(
        "EDX402",
        W,
        "no business block",
        "the edoc package has no TraceHeaderList/Bussiness block",
        "gói tin văn bản không có khối TraceHeaderList/Bussiness",
    ),
    Rule(
        "EDX403",
        W,
        "business information incomplete",
        "BussinessDocType {doc_type} expects {name}",
        "BussinessDocType {doc_type} cần có {name}",
    ),
    Rule(
        "EDX404",
        W,
        "due date before promulgation",
        "DueDate {due} is before PromulgationDate {date}",
        "hạn xử lý {due} trước ngày ban hành {date}",
    ),
    Rule(
        "EDX405",
        E,
        "wrong parts for the package kind",
        "a {kind} package must not carry {name}",
        "gói tin {kind} không được chứa {name}",
    ),
    # -- XSD ------------------------------------------------------------------------------------
    Rule("EDX501", E, "XSD violation", "{reason}", "vi phạm lược đồ XSD: {reason}"),
]

RULES: dict[str, Rule] = {rule.id: rule for rule in _RULES}


def finding(rule_id: str, **kwargs: Any) -> Finding:
    """Build a :class:`Finding` for the rule ``rule_id`` (see :meth:`Rule.make`)."""
    return RULES[rule_id].make(**kwargs)
