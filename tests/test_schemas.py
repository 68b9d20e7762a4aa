"""Tests for the published XSD (``schemas/edxml.xsd``) and its loader ``vbdt_exchange._schemas``.

The documents below are written by hand in the strict form the writer emits (the element
order of the schema). Each negative case changes exactly one thing in a valid document and
checks that the schema reports that thing, at that place.
"""

from __future__ import annotations

import re
import threading
from pathlib import Path

import pytest
import xmlschema
from lxml import etree

from vbdt_exchange._schemas import EDXML_NAMESPACE, edxml_schema, schema_path, schema_root

REPO = Path(__file__).resolve().parents[1]
CHECKOUT_SCHEMAS = REPO / "schemas"
SAMPLES = Path(__file__).resolve().parent / "vectors" / "peers"

XS = "{http://www.w3.org/2001/XMLSchema}"
HEADER = "/edXML/edXMLEnvelope/edXMLHeader"
MESSAGE_HEADER = f"{HEADER}/MessageHeader"

# One attachment: "%PDF-1.4 test document\n" in base64.
PAYLOAD = "JVBERi0xLjQgdGVzdCBkb2N1bWVudAo="

MINIMAL_EDOC = f"""<?xml version="1.0" encoding="UTF-8"?>
<edXML xmlns="{EDXML_NAMESPACE}">
  <edXMLEnvelope>
    <edXMLHeader>
      <MessageHeader>
        <From>
          <OrganId>000.00.00.G22</OrganId>
          <OrganName>Văn phòng Chính phủ</OrganName>
        </From>
        <To>
          <OrganId>000.00.00.H41</OrganId>
        </To>
        <Code>
          <CodeNumber>7816</CodeNumber>
          <CodeNotation>VPCP-TTĐT</CodeNotation>
        </Code>
        <PromulgationInfo>
          <PromulgationDate>2015/09/30</PromulgationDate>
        </PromulgationInfo>
        <Subject>V/v thử nghiệm liên thông</Subject>
        <SteeringType>1</SteeringType>
        <DocumentId>000.00.00.G22,2015/09/30,7816/VPCP-TTĐT</DocumentId>
      </MessageHeader>
      <TraceHeaderList>
        <TraceHeader>
          <OrganId>000.00.00.G22</OrganId>
          <Timestamp>2015/09/30 17:25:11</Timestamp>
        </TraceHeader>
        <Bussiness>
          <BussinessDocType>0</BussinessDocType>
        </Bussiness>
      </TraceHeaderList>
    </edXMLHeader>
    <edXMLBody>
      <edXMLManifest version="1.0">
        <Reference>
          <ContentId>cid:0b6e3f4c-2f0e-4a8e-9c55-2a1d3c4b5e6f</ContentId>
          <ContentType>application/pdf</ContentType>
          <AttachmentName>7816-VPCP-TTĐT.pdf</AttachmentName>
        </Reference>
      </edXMLManifest>
    </edXMLBody>
  </edXMLEnvelope>
  <AttachmentEncoded>
    <Attachment>
      <ContentId>cid:0b6e3f4c-2f0e-4a8e-9c55-2a1d3c4b5e6f</ContentId>
      <AttachmentName>7816-VPCP-TTĐT.pdf</AttachmentName>
      <ContentType>application/pdf</ContentType>
      <ContentTransferEncoded>{PAYLOAD}</ContentTransferEncoded>
    </Attachment>
  </AttachmentEncoded>
</edXML>
"""

# Every optional element of an edoc, in schema order, with the SDK's edXML: prefix.
FULL_EDOC = f"""<?xml version="1.0" encoding="UTF-8"?>
<edXML xmlns="{EDXML_NAMESPACE}">
 <edXML:edXMLEnvelope xmlns:edXML="{EDXML_NAMESPACE}"
     xmlns:xlink="http://www.w3.org/1999/xlink">
  <edXML:edXMLHeader>
   <edXML:MessageHeader>
    <edXML:From>
     <edXML:OrganId>000.00.00.G22</edXML:OrganId>
     <edXML:OrganizationInCharge>Chính phủ</edXML:OrganizationInCharge>
     <edXML:OrganName>Văn phòng Chính phủ</edXML:OrganName>
     <edXML:OrganAdd>Số 1 Hoàng Hoa Thám, Ba Đình, Hà Nội</edXML:OrganAdd>
     <edXML:Email>vpcp@chinhphu.vn</edXML:Email>
     <edXML:Telephone>(84-4) 3821 5137</edXML:Telephone>
     <edXML:Fax>(84-4) 3821 5138</edXML:Fax>
     <edXML:Website>vpcp.chinhphu.vn</edXML:Website>
    </edXML:From>
    <edXML:To><edXML:OrganId>000.00.00.H41</edXML:OrganId></edXML:To>
    <edXML:To><edXML:OrganId>000.00.00.G12</edXML:OrganId></edXML:To>
    <edXML:Code>
     <edXML:CodeNumber>7816</edXML:CodeNumber>
     <edXML:CodeNotation>VPCP-TTĐT</edXML:CodeNotation>
    </edXML:Code>
    <edXML:PromulgationInfo>
     <edXML:Place>Hà Nội</edXML:Place>
     <edXML:PromulgationDate>2015/09/30</edXML:PromulgationDate>
    </edXML:PromulgationInfo>
    <edXML:DocumentType>
     <edXML:Type>1</edXML:Type>
     <edXML:TypeDetail>0</edXML:TypeDetail>
     <edXML:TypeName>Công văn</edXML:TypeName>
    </edXML:DocumentType>
    <edXML:Subject>V/v thử nghiệm liên thông</edXML:Subject>
    <edXML:Content>Nội dung tóm tắt</edXML:Content>
    <edXML:SignerInfo>
     <edXML:Competence>KT. BỘ TRƯỞNG</edXML:Competence>
     <edXML:Position>Thứ trưởng</edXML:Position>
     <edXML:FullName>Nguyễn Văn A</edXML:FullName>
    </edXML:SignerInfo>
    <edXML:DueDate>2015/10/15</edXML:DueDate>
    <edXML:ToPlaces>
     <edXML:Place>Như trên</edXML:Place>
     <edXML:Place>000.00.00.G15</edXML:Place>
    </edXML:ToPlaces>
    <edXML:OtherInfo>
     <edXML:Priority>1</edXML:Priority>
     <edXML:SphereOfPromulgation>Liên thông văn bản quốc gia</edXML:SphereOfPromulgation>
     <edXML:TyperNotation>TVC</edXML:TyperNotation>
     <edXML:PromulgationAmount>10</edXML:PromulgationAmount>
     <edXML:PageAmount>2</edXML:PageAmount>
     <edXML:Direction>false</edXML:Direction>
     <edXML:Appendixes><edXML:Appendix>Phụ lục I</edXML:Appendix></edXML:Appendixes>
     <edXML:ReplyFors>x</edXML:ReplyFors>
     <edXML:ReferenceCodes>y</edXML:ReferenceCodes>
    </edXML:OtherInfo>
    <edXML:ResponseFor>
     <edXML:OrganId>000.00.00.H41</edXML:OrganId>
     <edXML:Code>12/UBND-VX</edXML:Code>
     <edXML:PromulgationDate>2015/09/01</edXML:PromulgationDate>
     <edXML:DocumentId>000.00.00.H41,2015/09/01,12/UBND-VX</edXML:DocumentId>
    </edXML:ResponseFor>
    <edXML:SteeringType>1</edXML:SteeringType>
    <edXML:DocumentId>000.00.00.G22,2015/09/30,7816/VPCP-TTĐT</edXML:DocumentId>
    <edXML:ResponseForTask><edXML:TaskCode>T-1</edXML:TaskCode></edXML:ResponseForTask>
    <edXML:ApplicationType>QLVB</edXML:ApplicationType>
   </edXML:MessageHeader>
   <edXML:TraceHeaderList id="a1b2c3d4" version="1.0" mustUnderstand="1"
       actor="http://schemas.xmlsoap.org/soap/actor/next">
    <edXML:TraceHeader>
     <edXML:OrganId>000.00.00.G22</edXML:OrganId>
     <edXML:Timestamp>2015/09/30 17:25:11</edXML:Timestamp>
    </edXML:TraceHeader>
    <edXML:Bussiness>
     <edXML:BussinessDocType>2</edXML:BussinessDocType>
     <edXML:BussinessDocReason>Cập nhật</edXML:BussinessDocReason>
     <edXML:BussinessDocumentInfo>
      <edXML:DocumentInfo>1</edXML:DocumentInfo>
      <edXML:DocumentReceiver>1</edXML:DocumentReceiver>
      <edXML:ReceiverList>
       <edXML:Receiver>
        <edXML:OrganId>000.00.00.H41</edXML:OrganId>
        <edXML:ReceiverType>1</edXML:ReceiverType>
       </edXML:Receiver>
      </edXML:ReceiverList>
     </edXML:BussinessDocumentInfo>
     <edXML:DocumentId>000.00.00.G22,2015/09/30,7816/VPCP-TTĐT</edXML:DocumentId>
     <edXML:StaffInfo>
      <edXML:Department>Phòng Văn thư</edXML:Department>
      <edXML:Staff>Trần Thị B</edXML:Staff>
      <edXML:Mobile>0912000001</edXML:Mobile>
      <edXML:Email>b@chinhphu.vn</edXML:Email>
      <edXML:DepartmentId>VT</edXML:DepartmentId>
      <edXML:StaffId>42</edXML:StaffId>
     </edXML:StaffInfo>
     <edXML:Paper>0</edXML:Paper>
     <edXML:ReplacementInfoList>
      <edXML:ReplacementInfo>
       <edXML:DocumentId>000.00.00.G22,2015/09/01,7000/VPCP-TTĐT</edXML:DocumentId>
       <edXML:OrganIdList><edXML:OrganId>000.00.00.H41</edXML:OrganId></edXML:OrganIdList>
      </edXML:ReplacementInfo>
     </edXML:ReplacementInfoList>
    </edXML:Bussiness>
   </edXML:TraceHeaderList>
  </edXML:edXMLHeader>
  <edXML:edXMLBody>
   <edXML:edXMLManifest version="1.0">
    <edXML:Reference xlink:href="cid:209" xlink:type="simple">
     <edXML:ContentId>cid:209</edXML:ContentId>
     <edXML:ContentType>application/pdf</edXML:ContentType>
     <edXML:Description>Văn bản</edXML:Description>
     <edXML:AttachmentName>vb.pdf</edXML:AttachmentName>
    </edXML:Reference>
   </edXML:edXMLManifest>
  </edXML:edXMLBody>
 </edXML:edXMLEnvelope>
 <AttachmentEncoded>
  <Attachment>
   <ContentId>cid:209</ContentId>
   <AttachmentName>vb.pdf</AttachmentName>
   <Description>Văn bản</Description>
   <ContentType>application/pdf</ContentType>
   <edXML:ContentTransferEncoded xmlns:edXML="{EDXML_NAMESPACE}">JVBERi0xLjQgdGVz
dCBkb2N1bWVudAo=</edXML:ContentTransferEncoded>
  </Attachment>
 </AttachmentEncoded>
</edXML>
"""

STATUS = f"""<?xml version="1.0" encoding="UTF-8"?>
<edXML xmlns="{EDXML_NAMESPACE}">
  <edXMLEnvelope>
    <edXMLHeader>
      <MessageHeader>
        <From>
          <OrganId>000.00.00.H41</OrganId>
          <OrganizationInCharge>UBND Tỉnh Nghệ An</OrganizationInCharge>
          <OrganName>UBND Tỉnh Nghệ An</OrganName>
        </From>
        <ResponseFor>
          <OrganId>000.00.00.G22</OrganId>
          <Code>7816/VPCP-TTĐT</Code>
          <PromulgationDate>2015/09/30</PromulgationDate>
          <DocumentId>000.00.00.G22,2015/09/30,7816/VPCP-TTĐT</DocumentId>
        </ResponseFor>
        <StaffInfo>
          <Department>Phòng Văn thư - Lưu trữ</Department>
          <Staff>Nguyễn Thị Ngọc Trâm</Staff>
          <Mobile>84912000001</Mobile>
          <Email>ngoctram@nghean.vn</Email>
        </StaffInfo>
        <StatusCode>03</StatusCode>
        <Description>Tiếp nhận văn bản điện tử, vào sổ văn bản đến của đơn vị</Description>
        <Timestamp>2015/10/01 11:08:36</Timestamp>
      </MessageHeader>
    </edXMLHeader>
  </edXMLEnvelope>
</edXML>
"""

SIGNATURE = """<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#">
        <ds:SignedInfo/>
        <ds:SignatureValue>AAAA</ds:SignatureValue>
      </ds:Signature>"""

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


def parse(document: str) -> etree._Element:
    return etree.fromstring(document.encode("utf-8"), _PARSER)


def errors(document: str) -> list[xmlschema.XMLSchemaValidationError]:
    return list(edxml_schema().iter_errors(parse(document)))


def variant(document: str, old: str, new: str) -> str:
    """Replace the single occurrence of ``old``; fail loudly if the test data drifted."""
    assert document.count(old) == 1, f"{old!r} must occur exactly once"
    return document.replace(old, new)


def single_error(document: str) -> xmlschema.XMLSchemaValidationError:
    found = errors(document)
    assert len(found) == 1, [f"{e.path}: {e.reason}" for e in found]
    return found[0]


# -- the schema and its loader ------------------------------------------------------------


def test_schema_compiles_as_xsd_1_0_with_only_the_root_global() -> None:
    schema = edxml_schema()
    assert isinstance(schema, xmlschema.XMLSchema10)
    assert schema.target_namespace == EDXML_NAMESPACE
    assert schema.version == "0.1.0"
    assert list(schema.elements) == ["edXML"]
    assert schema.validity == "valid"


def test_schema_is_cached_per_process_and_thread_safe() -> None:
    results: list[object] = []
    threads = [threading.Thread(target=lambda: results.append(edxml_schema())) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 8
    assert all(result is edxml_schema() for result in results)


def test_loader_finds_exactly_the_published_xsds() -> None:
    published = {path.name for path in CHECKOUT_SCHEMAS.glob("*.xsd")}
    loaded = {entry.name for entry in schema_root().iterdir() if entry.name.endswith(".xsd")}
    assert "edxml.xsd" in published
    assert loaded == published


def test_loaded_xsds_are_byte_identical_to_the_checkout() -> None:
    # Catches a stale packaged copy (e.g. one left in site-packages by an editable install).
    for path in CHECKOUT_SCHEMAS.glob("*.xsd"):
        assert schema_path(path.name).read_bytes() == path.read_bytes(), path.name


def test_schema_path_rejects_other_names() -> None:
    with pytest.raises(ValueError, match="not a schema file name"):
        schema_path("../pyproject.toml")
    with pytest.raises(FileNotFoundError, match=r"no-such\.xsd"):
        schema_path("no-such.xsd")


def test_schema_header_states_reconstruction_version_and_date() -> None:
    text = schema_path().read_text(encoding="utf-8")
    head = text[: text.index("<xs:schema")]
    assert "RECONSTRUCTION" in head
    assert "No official XSD" in head
    assert "0.1.0" in head
    assert "2026-11-22" in head
    for tag in ("[A]", "[B]", "[C]", "[?]"):
        assert tag in head


def test_every_type_and_element_carries_a_confidence_tag() -> None:
    tree = etree.parse(str(CHECKOUT_SCHEMAS / "edxml.xsd"), _PARSER)
    tag = re.compile(r"^\s*\[(A|B|C|\?|convention)\]")
    untagged = []
    for node in tree.iter(f"{XS}element", f"{XS}complexType", f"{XS}simpleType"):
        docs = node.findall(f"{XS}annotation/{XS}documentation")
        if not docs or not tag.match(docs[0].text or ""):
            untagged.append(node.get("name"))
    assert untagged == []


def test_schema_uses_no_xsd_1_1_constructs() -> None:
    tree = etree.parse(str(CHECKOUT_SCHEMAS / "edxml.xsd"), _PARSER)
    xsd11 = {"assert", "assertion", "alternative", "openContent", "defaultOpenContent", "override"}
    used = {etree.QName(node).localname for node in tree.iter(f"{XS}*")}
    assert used.isdisjoint(xsd11)
    assert not tree.getroot().findall(f".//{XS}import")
    assert not tree.getroot().findall(f".//{XS}include")


# -- valid documents ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "document",
    [
        pytest.param(MINIMAL_EDOC, id="minimal-edoc"),
        pytest.param(FULL_EDOC, id="full-edoc"),
        pytest.param(STATUS, id="status"),
    ],
)
def test_valid_documents(document: str) -> None:
    assert [f"{e.path}: {e.reason}" for e in errors(document)] == []
    assert edxml_schema().is_valid(parse(document))


def test_xmldsig_signature_after_trace_header_list_is_accepted() -> None:
    document = variant(MINIMAL_EDOC, "</TraceHeaderList>", "</TraceHeaderList>\n" + SIGNATURE)
    assert errors(document) == []


def test_foreign_element_at_end_of_root_is_accepted() -> None:
    extension = '<x:Extra xmlns:x="urn:example:extension"><x:Any/></x:Extra>\n</edXML>'
    document = variant(MINIMAL_EDOC, "</edXML>\n", extension)
    assert errors(document) == []


def test_status_without_optional_elements_is_accepted() -> None:
    document = STATUS
    for start, end in (("<StaffInfo>", "</StaffInfo>"), ("<Description>", "</Description>")):
        document = document[: document.index(start)] + document[document.index(end) + len(end) :]
    assert "StaffInfo" not in document
    assert errors(document) == []


# -- invalid documents --------------------------------------------------------------------


def test_wrong_order_is_rejected() -> None:
    subject = "<Subject>V/v thử nghiệm liên thông</Subject>"
    document = variant(MINIMAL_EDOC, subject, "")
    document = variant(document, "<PromulgationInfo>", subject + "\n<PromulgationInfo>")
    error = single_error(document)
    assert error.path == MESSAGE_HEADER
    assert "Subject" in error.reason
    assert "PromulgationInfo" in error.reason


def test_missing_document_id_is_rejected() -> None:
    document = variant(
        MINIMAL_EDOC, "<DocumentId>000.00.00.G22,2015/09/30,7816/VPCP-TTĐT</DocumentId>", ""
    )
    error = single_error(document)
    assert error.path == MESSAGE_HEADER
    assert "not complete" in error.reason
    assert "DocumentId" in error.reason


def test_one_digit_status_code_is_rejected() -> None:
    error = single_error(
        variant(STATUS, "<StatusCode>03</StatusCode>", "<StatusCode>1</StatusCode>")
    )
    assert error.path == f"{MESSAGE_HEADER}/StatusCode"
    assert "pattern" in error.reason


def test_iso_date_is_rejected() -> None:
    document = variant(
        MINIMAL_EDOC,
        "<PromulgationDate>2015/09/30</PromulgationDate>",
        "<PromulgationDate>2020-01-01</PromulgationDate>",
    )
    error = single_error(document)
    assert error.path == f"{MESSAGE_HEADER}/PromulgationInfo/PromulgationDate"
    assert "pattern" in error.reason


def test_impossible_month_is_rejected() -> None:
    document = variant(STATUS, "<PromulgationDate>2015/09/30", "<PromulgationDate>2015/13/30")
    error = single_error(document)
    assert error.path == f"{MESSAGE_HEADER}/ResponseFor/PromulgationDate"


def test_timestamp_without_seconds_is_rejected() -> None:
    document = variant(
        STATUS,
        "<Timestamp>2015/10/01 11:08:36</Timestamp>",
        "<Timestamp>2015/10/01 11:08</Timestamp>",
    )
    error = single_error(document)
    assert error.path == f"{MESSAGE_HEADER}/Timestamp"
    assert "pattern" in error.reason


def test_trace_timestamp_without_seconds_is_rejected() -> None:
    document = variant(MINIMAL_EDOC, "2015/09/30 17:25:11", "2015/09/30 17:25")
    error = single_error(document)
    assert error.path == f"{HEADER}/TraceHeaderList/TraceHeader/Timestamp"


def test_empty_subject_is_rejected() -> None:
    document = variant(
        MINIMAL_EDOC, "<Subject>V/v thử nghiệm liên thông</Subject>", "<Subject></Subject>"
    )
    error = single_error(document)
    assert error.path == f"{MESSAGE_HEADER}/Subject"
    assert "length" in error.reason


def test_two_from_elements_are_rejected() -> None:
    second_from = "<From><OrganId>000.00.00.G12</OrganId></From>\n        <To>"
    error = single_error(variant(MINIMAL_EDOC, "<To>", second_from))
    assert error.path == MESSAGE_HEADER
    assert "From" in error.reason


def test_unknown_element_in_the_edxml_namespace_is_rejected() -> None:
    document = variant(MINIMAL_EDOC, "</edXML>\n", "<Boundary>xyz</Boundary>\n</edXML>")
    error = single_error(document)
    assert error.path == "/edXML"
    assert "Boundary" in error.reason


def test_signature_in_the_edxml_namespace_is_rejected() -> None:
    # The SDK writes <Signature> without a namespace declaration; the validator normalises
    # it into the XML-DSig namespace before applying the schema.
    document = variant(
        MINIMAL_EDOC,
        "</TraceHeaderList>",
        "</TraceHeaderList>\n<Signature><SignedInfo/></Signature>",
    )
    error = single_error(document)
    assert error.path == HEADER
    assert "Signature" in error.reason


def test_non_base64_payload_is_rejected() -> None:
    document = variant(MINIMAL_EDOC, PAYLOAD, "${__StringFromFile(test.txt,,,)}")
    error = single_error(document)
    assert error.path == "/edXML/AttachmentEncoded/Attachment/ContentTransferEncoded"
    assert "base64" in error.reason.lower()


def test_unknown_business_type_is_rejected() -> None:
    document = variant(
        MINIMAL_EDOC,
        "<BussinessDocType>0</BussinessDocType>",
        "<BussinessDocType>7</BussinessDocType>",
    )
    found = errors(document)
    assert found
    assert {e.path for e in found} == {f"{HEADER}/TraceHeaderList/Bussiness/BussinessDocType"}


def test_status_package_with_edoc_fields_is_rejected() -> None:
    document = variant(STATUS, "<StatusCode>", "<Subject>x</Subject>\n<StatusCode>")
    error = single_error(document)
    assert error.path == MESSAGE_HEADER
    assert "Subject" in error.reason


def test_content_id_without_cid_prefix_is_rejected() -> None:
    document = variant(
        MINIMAL_EDOC,
        "<Reference>\n          <ContentId>cid:",
        "<Reference>\n          <ContentId>",
    )
    error = single_error(document)
    assert error.path == "/edXML/edXMLEnvelope/edXMLBody/edXMLManifest/Reference/ContentId"


# -- the real sample named in the brief ---------------------------------------------------

STATUS_SAMPLE = (
    SAMPLES / "PVN-Organization__API-Gateway-iOffice" / "resources__status_acceptance_03.edxml"
)


def test_official_status_sample_differs_only_in_organization_child_order() -> None:
    # The official sample writes OrganName before OrganizationInCharge in From; the schema
    # fixes the SDK's order (OrganizationInCharge first). Swapping them makes it valid.
    raw = STATUS_SAMPLE.read_bytes()
    error = single_error(raw.decode("utf-8"))
    assert error.path == f"{MESSAGE_HEADER}/From"
    assert "OrganizationInCharge" in error.reason

    tree = parse(raw.decode("utf-8"))
    ns = {"e": EDXML_NAMESPACE}
    organization = tree.find("e:edXMLEnvelope/e:edXMLHeader/e:MessageHeader/e:From", ns)
    assert organization is not None
    in_charge = organization.find("e:OrganizationInCharge", ns)
    name = organization.find("e:OrganName", ns)
    assert in_charge is not None
    assert name is not None
    name.addprevious(in_charge)
    assert list(edxml_schema().iter_errors(tree)) == []
