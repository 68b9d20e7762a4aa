"""DTDs, entities, XInclude, encodings and well-formedness: the parser-level attacks.

Each static case lives in ``cases/`` under a name that says what it is; the expected outcome is
next to it here. "Refused" always means a specific exception with a specific rule id and line.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from _hostile import CASES, NS, package
from lxml import etree

import vbdt_exchange as vbdt
from vbdt_exchange import EnvelopeReadError, ReadOptions, Severity, UnsafeXMLError, _xml

# (case file, line of the DOCTYPE in the original file)
DTD_CASES = [
    ("xxe-system-file.xml", 2),
    ("xxe-system-http.xml", 2),
    ("xxe-parameter-entity.xml", 2),
    ("xxe-parameter-entity-oob.xml", 2),
    ("billion-laughs.xml", 2),
    ("external-dtd-system.xml", 2),
    ("external-dtd-public.xml", 2),
    ("external-dtd-file.xml", 2),
    ("doctype-lowercase.xml", 2),
    ("doctype-mixed-case.xml", 2),
    ("doctype-whitespace.xml", 2),
    ("doctype-after-comment.xml", 3),
    ("doctype-after-root.xml", 30),
    ("doctype-utf16.xml", 2),
]
DTD_IDS = [name.removesuffix(".xml") for name, _ in DTD_CASES]


def _clean_reference() -> vbdt.ReadResult:
    return vbdt.read(package())


# -- DTDs and entities ----------------------------------------------------------------------------


@pytest.mark.parametrize("recover", [False, True], ids=["strict", "recover"])
@pytest.mark.parametrize(("name", "line"), DTD_CASES, ids=DTD_IDS)
def test_dtd_is_refused(name: str, line: int, recover: bool, no_network: list[object]) -> None:
    with pytest.raises(UnsafeXMLError) as info:
        vbdt.read(CASES / name, recover=recover)
    assert info.value.rule == "EDX004"
    assert info.value.line == line
    assert "DTD" in info.value.message
    assert no_network == [], "the reader tried to reach the network"


@pytest.mark.parametrize(("name", "line"), DTD_CASES, ids=DTD_IDS)
def test_dtd_refused_by_the_parser_itself(name: str, line: int, no_network: list[object]) -> None:
    """The hardened parser refuses DTDs on its own (it also parses ``RawXml`` extensions)."""
    data = (CASES / name).read_bytes()
    if name.endswith("utf16.xml"):
        data = data.decode("utf-16").replace('encoding="UTF-16"', 'encoding="UTF-8"').encode()
    with pytest.raises(UnsafeXMLError) as info:
        _xml.parse(data)
    assert info.value.rule == "EDX004"
    assert no_network == []


def test_parser_settings_do_not_resolve_entities(tmp_path: Path, no_network: list[object]) -> None:
    """Second line of defence: even past the DOCTYPE check, lxml must neither read the file an
    external entity names nor fetch anything."""
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-7f3a")
    doc = (
        f'<!DOCTYPE r [<!ENTITY file SYSTEM "{secret.as_uri()}">'
        '<!ENTITY web SYSTEM "http://attacker.example/x">]><r>&file;&web;</r>'
    ).encode()
    root = etree.fromstring(doc, _xml.make_parser())
    assert b"TOP-SECRET" not in etree.tostring(root)
    assert no_network == []


def test_external_entity_to_a_local_file_never_reads_it(
    tmp_path: Path, no_network: list[object]
) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-7f3a")
    data = package(
        between=f'<!DOCTYPE edXML [<!ENTITY xxe SYSTEM "{secret.as_uri()}">]>\n', subject="&xxe;"
    )
    for recover in (False, True):
        with pytest.raises(UnsafeXMLError) as info:
            vbdt.read(data, recover=recover)
        assert info.value.rule == "EDX004"
        assert "TOP-SECRET" not in str(info.value)


def test_quadratic_blowup_is_refused_quickly() -> None:
    """One 100 KB internal entity referenced 10 000 times (1 GB if expanded)."""
    dtd = f'<!DOCTYPE edXML [<!ENTITY big "{"x" * 100_000}">]>\n'
    data = package(between=dtd, subject="&big;" * 10_000)
    with pytest.raises(UnsafeXMLError) as info:
        vbdt.read(data)
    assert info.value.rule == "EDX004"
    assert info.value.line == 2


def test_entity_reference_without_dtd_is_not_well_formed() -> None:
    with pytest.raises(EnvelopeReadError) as info:
        vbdt.read(package(subject="&xxe;"))
    assert type(info.value) is EnvelopeReadError
    assert info.value.rule == "EDX001"
    assert info.value.line == 11
    assert "xxe" in info.value.message


# -- XInclude -------------------------------------------------------------------------------------


def test_xinclude_is_not_processed(no_network: list[object]) -> None:
    result = vbdt.read(CASES / "xinclude.xml")
    unknown = [f for f in result.findings if f.rule == "EDX104"]
    assert [(f.severity, f.line) for f in unknown] == [(Severity.WARNING, 12)]
    assert "{http://www.w3.org/2001/XInclude}include" in unknown[0].message
    assert not result.errors
    (kept,) = result.package.extensions
    element = kept.element()
    assert element.tag == "{http://www.w3.org/2001/XInclude}include"
    assert element.get("href") == "file:///etc/passwd"
    assert "root:" not in kept.xml  # /etc/passwd was not pulled in
    assert no_network == []


# -- encodings ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["utf16le-bom.xml", "utf16be-bom.xml", "utf16le-no-bom.xml", "utf16be-no-bom.xml"]
)
def test_utf16_package_reads_with_warning(name: str) -> None:
    result = vbdt.read(CASES / name)
    assert [(f.rule, f.severity) for f in result.findings] == [("EDX006", Severity.WARNING)]
    assert "UTF-16" in result.findings[0].message
    reference = _clean_reference()
    assert result.package == reference.package
    assert result.package.subject == "Kiểm thử"
    with result.package.attachments[0].data.open() as stream:
        assert stream.read() == b"hello"


def test_utf16_with_invalid_surrogate_is_refused() -> None:
    data = (CASES / "utf16le-bom.xml").read_bytes()
    cut = data.index("Kiểm".encode("utf-16-le"))
    data = data[:cut] + b"\x00\xd8A\x00" + data[cut:]  # a lone high surrogate, then 'A'
    with pytest.raises(EnvelopeReadError) as info:
        vbdt.read(data)
    assert info.value.rule == "EDX001"
    assert "UTF-16" in info.value.message


def test_utf8_bom_reads_clean() -> None:
    result = vbdt.read(CASES / "utf8-bom.xml")
    assert result.findings == ()
    assert result.package == _clean_reference().package


def test_utf32_is_refused() -> None:
    data = b"\xff\xfe\x00\x00" + package().decode().encode("utf-32-le")
    with pytest.raises(EnvelopeReadError) as info:
        vbdt.read(data)
    assert info.value.rule == "EDX001"
    assert "UTF-32" in info.value.message


def test_declared_latin1_reads_with_warning() -> None:
    text = package(prolog='<?xml version="1.0" encoding="ISO-8859-1"?>\n', subject="Caf\u00e9")
    result = vbdt.read(text.decode("utf-8").encode("latin-1", "replace"))
    assert ("EDX006", Severity.WARNING) in [(f.rule, f.severity) for f in result.findings]
    assert result.package.subject == "Caf\u00e9"


# -- well-formedness ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "line", "column", "detail"),
    [
        ("nul-byte-in-text.xml", 11, 22, "0x0"),
        ("invalid-utf8-in-text.xml", 11, 25, "encoding"),
        ("payload-never-closes.xml", 27, 187, "Premature end of data"),
    ],
    ids=["nul-byte-in-text", "invalid-utf8-in-text", "payload-never-closes"],
)
def test_not_well_formed(name: str, line: int, column: int, detail: str) -> None:
    with pytest.raises(EnvelopeReadError) as info:
        vbdt.read(CASES / name)
    error = info.value
    assert type(error) is EnvelopeReadError
    assert (error.rule, error.line, error.column) == ("EDX001", line, column)
    assert detail in error.message
    assert f"line {line}, column {column}" in str(error)


@pytest.mark.parametrize("name", ["nul-byte-in-text.xml", "invalid-utf8-in-text.xml"])
def test_recovery_parser_repairs_bad_characters_and_says_so(name: str) -> None:
    result = vbdt.read(CASES / name, recover=True)
    repaired = [f for f in result.findings if f.rule == "EDX007"]
    assert [(f.severity, f.line) for f in repaired] == [(Severity.WARNING, 11)]


def test_nul_bytes_everywhere_are_refused() -> None:
    data = package().replace(b"<edXMLEnvelope>", b"<edXMLEnvelope>\x00\x00\x00")
    with pytest.raises(EnvelopeReadError) as info:
        vbdt.read(data)
    assert info.value.rule == "EDX001"


def test_bytes_before_declaration() -> None:
    with pytest.raises(EnvelopeReadError) as info:
        vbdt.read(CASES / "bytes-before-declaration.xml")
    assert (info.value.rule, info.value.line) == ("EDX002", 1)
    assert "4 byte(s)" in info.value.message
    assert "1212" in info.value.message
    result = vbdt.read(CASES / "bytes-before-declaration.xml", recover=True)
    assert [(f.rule, f.severity, f.line) for f in result.findings] == [
        ("EDX002", Severity.WARNING, 1)
    ]
    assert result.package == _clean_reference().package


def test_binary_junk_before_declaration_is_refused() -> None:
    with pytest.raises(EnvelopeReadError) as info:
        vbdt.read(bytes(range(1, 60)) + package())
    assert info.value.rule == "EDX002"


def test_peer_sample_with_bytes_before_declaration() -> None:
    sample = CASES / "peer-bytes-before-declaration.edxml"
    with pytest.raises(EnvelopeReadError) as info:
        vbdt.read(sample)
    assert (info.value.rule, info.value.line) == ("EDX002", 1)
    with vbdt.read(sample, recover=True) as result:
        assert ("EDX002", Severity.WARNING) in [(f.rule, f.severity) for f in result.findings]
        assert not result.errors
        (attachment,) = result.package.attachments
        assert attachment.sdk_zipped
        assert attachment.size == 388_347


def test_undeclared_prefix() -> None:
    with pytest.raises(EnvelopeReadError) as info:
        vbdt.read(CASES / "undeclared-prefix.xml")
    assert (info.value.rule, info.value.line) == ("EDX003", 12)
    assert "'foo'" in info.value.message


def test_undeclared_well_known_prefix_is_repaired_in_recovery_mode() -> None:
    with pytest.raises(EnvelopeReadError) as info:
        vbdt.read(CASES / "undeclared-xlink-prefix.xml")
    assert (info.value.rule, info.value.line) == ("EDX003", 22)
    result = vbdt.read(CASES / "undeclared-xlink-prefix.xml", recover=True)
    assert [(f.rule, f.severity, f.line) for f in result.findings] == [
        ("EDX003", Severity.WARNING, 22)
    ]


def test_peer_sample_with_undeclared_xlink_prefix() -> None:
    sample = CASES / "peer-undeclared-xlink-prefix.edxml"
    with pytest.raises(EnvelopeReadError) as info:
        vbdt.read(sample)
    assert (info.value.rule, info.value.line) == ("EDX003", 116)
    result = vbdt.read(sample, recover=True)
    rules = {(f.rule, f.severity) for f in result.findings}
    assert ("EDX003", Severity.WARNING) in rules
    # its payload is a JMeter placeholder, not base64 (edXML §9.5)
    assert ("EDX301", Severity.ERROR) in rules


def test_no_root_element() -> None:
    for data in (b"", b"   \n", b'<?xml version="1.0"?>\n', b"<!-- only a comment -->"):
        with pytest.raises(EnvelopeReadError) as info:
            vbdt.read(data)
        assert info.value.rule == "EDX001", data


def test_wrong_root_element() -> None:
    with pytest.raises(EnvelopeReadError) as info:
        vbdt.read(b'<?xml version="1.0"?>\n<html><body/></html>')
    assert (info.value.rule, info.value.line) == ("EDX101", 2)
    foreign = package().replace(NS.encode(), b"urn:not-edxml")
    with pytest.raises(EnvelopeReadError) as info:
        vbdt.read(foreign)
    assert info.value.rule == "EDX101"
    result = vbdt.read(foreign, options=ReadOptions(foreign_namespaces=True))
    assert ("EDX102", Severity.WARNING) in [(f.rule, f.severity) for f in result.findings]
