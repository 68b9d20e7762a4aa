"""edXML packages: models, the tolerant reader, the strict writer, and the validator.

>>> from vbdt_exchange.envelope import read, validate, write
"""

from vbdt_exchange.envelope.build import new_edoc
from vbdt_exchange.envelope.files import UnpackedFile, UnpackResult, safe_filename, unpack
from vbdt_exchange.envelope.jsonform import MetadataError, package_from_json, package_to_json
from vbdt_exchange.envelope.limits import Limits
from vbdt_exchange.envelope.models import (
    NS,
    Attachment,
    Business,
    BusinessDocumentInfo,
    Code,
    DateValue,
    DocumentType,
    EdocPackage,
    IntValue,
    ManifestReference,
    Organization,
    OtherInfo,
    Package,
    PromulgationInfo,
    RawXml,
    Receiver,
    ReplacementInfo,
    ResponseFor,
    SignerInfo,
    StaffInfo,
    StatusPackage,
    TimestampValue,
    TraceHeader,
    TraceHeaderList,
)
from vbdt_exchange.envelope.reader import ReadOptions, ReadResult, read
from vbdt_exchange.envelope.rules import RULES, Rule
from vbdt_exchange.envelope.sources import (
    AttachmentSource,
    BytesSource,
    InvalidPayload,
    PathSource,
    StreamSource,
)
from vbdt_exchange.envelope.validate import Report, validate
from vbdt_exchange.envelope.writer import WriteResult, WrittenAttachment, to_bytes, write

__all__ = [
    "NS",
    "RULES",
    "Attachment",
    "AttachmentSource",
    "Business",
    "BusinessDocumentInfo",
    "BytesSource",
    "Code",
    "DateValue",
    "DocumentType",
    "EdocPackage",
    "IntValue",
    "InvalidPayload",
    "Limits",
    "ManifestReference",
    "MetadataError",
    "Organization",
    "OtherInfo",
    "Package",
    "PathSource",
    "PromulgationInfo",
    "RawXml",
    "ReadOptions",
    "ReadResult",
    "Receiver",
    "ReplacementInfo",
    "Report",
    "ResponseFor",
    "Rule",
    "SignerInfo",
    "StaffInfo",
    "StatusPackage",
    "StreamSource",
    "TimestampValue",
    "TraceHeader",
    "TraceHeaderList",
    "UnpackResult",
    "UnpackedFile",
    "WriteResult",
    "WrittenAttachment",
    "new_edoc",
    "package_from_json",
    "package_to_json",
    "read",
    "safe_filename",
    "to_bytes",
    "unpack",
    "validate",
    "write",
]
