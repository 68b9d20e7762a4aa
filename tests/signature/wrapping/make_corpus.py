"""Regenerate the signature-wrapping corpus of this folder: ``python make_corpus.py``.

Every file is a package signed with a TEST key made afresh by each run (a
:class:`vbdt_exchange.testing.pki.TestPKI` person; the key is never written to disk, its certificate
is kept in ``signer.pem`` and in each package's ``KeyInfo``), then changed the way an attacker
would, and — where the change touches ``SignedInfo`` — signed again, so that the
cryptography alone would accept it. ``expected.json`` maps each file to the rule the verifier
must refuse it with (``"PASSED"`` for the controls, ``"unreadable"`` for files that must not
be read at all). ``tests/signature/test_wrapping.py`` checks them.
"""

from __future__ import annotations

import copy
import datetime
import hashlib
import io
import json
from collections.abc import Callable
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from lxml import etree

HERE = Path(__file__).resolve().parent
DS = "http://www.w3.org/2000/09/xmldsig#"
XA = "http://uri.etsi.org/01903/v1.3.2#"
EDXML = "http://www.mic.gov.vn/TBT/QCVN_102_2016"
Q = f"{{{DS}}}"
NOW = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)


_SIGNER: list[tuple[rsa.RSAPrivateKey, x509.Certificate]] = []


def _key() -> tuple[rsa.RSAPrivateKey, x509.Certificate]:
    if not _SIGNER:
        from vbdt_exchange.testing.pki import TestPKI

        person = TestPKI.generate(now=NOW).person
        key = serialization.load_pem_private_key(person.key_pem(), None)
        assert isinstance(key, rsa.RSAPrivateKey)
        (HERE / "signer.pem").write_bytes(person.pem())
        _SIGNER.append((key, person.certificate))
    return _SIGNER[0]


def _base(profile: str) -> bytes:
    import attrs

    from vbdt_exchange.envelope.models import Attachment
    from vbdt_exchange.envelope.reader import read
    from vbdt_exchange.signature.keys import KeySigner
    from vbdt_exchange.signature.xml import sign_package

    example = HERE.parents[2] / "src/vbdt_exchange/examples/cong-van.edxml"
    package = attrs.evolve(
        read(example).package,
        attachments=(Attachment.from_bytes("a.pdf", b"%PDF-1.7 corpus", content_id="a"),),
    )
    key, cert = _key()
    out = io.BytesIO()
    sign_package(package, out, KeySigner(key, cert), profile=profile, signing_time=NOW)  # type: ignore[arg-type]
    return out.getvalue()


def _tree(data: bytes) -> etree._Element:
    return etree.fromstring(data)


def _sig(root: etree._Element) -> etree._Element:
    found = root.find(f".//{Q}Signature")
    assert found is not None
    return found


def _resign(root: etree._Element, hash_: hashes.HashAlgorithm | None = None) -> None:
    """Sign the SignedInfo again (after a change to it), with its own c14n method."""
    key, _ = _key()
    sig = _sig(root)
    signed_info = sig.find(f"{Q}SignedInfo")
    assert signed_info is not None
    method = signed_info.find(f"{Q}CanonicalizationMethod")
    uri = method.get("Algorithm", "") if method is not None else ""
    exclusive = "exc-c14n" in uri
    data = etree.tostring(signed_info, method="c14n", exclusive=exclusive, with_comments=False)
    value = key.sign(data, padding.PKCS1v15(), hash_ or hashes.SHA256())
    import base64

    sig.find(f"{Q}SignatureValue").text = base64.b64encode(value).decode()  # type: ignore[union-attr]


def _out(root: etree._Element) -> bytes:
    return etree.tostring(root.getroottree(), xml_declaration=True, encoding="UTF-8")


def _ref(root: etree._Element) -> etree._Element:
    ref = _sig(root).find(f"{Q}SignedInfo/{Q}Reference")
    assert ref is not None
    return ref


def _header(root: etree._Element) -> etree._Element:
    found = root.find(f".//{{{EDXML}}}edXMLHeader")
    assert found is not None
    return found


# -- the variants --------------------------------------------------------------------------------


def ref_id_on_message_header(data: bytes) -> bytes:
    root = _tree(data)
    header = root.find(f".//{{{EDXML}}}MessageHeader")
    assert header is not None
    header.set("Id", "hdr")
    ref = _ref(root)
    ref.set("URI", "#hdr")
    c14n = etree.tostring(header, method="c14n", exclusive=True, with_comments=False)
    import base64

    ref.find(f"{Q}DigestValue").text = base64.b64encode(hashlib.sha256(c14n).digest()).decode()  # type: ignore[union-attr]
    _resign(root)
    return _out(root)


def ref_id_on_root(data: bytes) -> bytes:
    root = _tree(data)
    root.set("Id", "root")
    _ref(root).set("URI", "#root")
    _resign(root)
    return _out(root)


def ref_xpointer(data: bytes) -> bytes:
    root = _tree(data)
    _ref(root).set("URI", "#xpointer(/)")
    _resign(root)
    return _out(root)


def ref_external_http(data: bytes) -> bytes:
    root = _tree(data)
    _ref(root).set("URI", "http://attacker.invalid/package.edxml")
    _resign(root)
    return _out(root)


def ref_external_file(data: bytes) -> bytes:
    root = _tree(data)
    _ref(root).set("URI", "file:///etc/passwd")
    _resign(root)
    return _out(root)


def ref_missing_uri(data: bytes) -> bytes:
    root = _tree(data)
    del _ref(root).attrib["URI"]
    _resign(root)
    return _out(root)


def two_document_references(data: bytes) -> bytes:
    root = _tree(data)
    ref = _ref(root)
    ref.addnext(copy.deepcopy(ref))
    _resign(root)
    return _out(root)


def no_reference(data: bytes) -> bytes:
    root = _tree(data)
    ref = _ref(root)
    ref.getparent().remove(ref)  # type: ignore[union-attr]
    _resign(root)
    return _out(root)


def duplicate_signed_properties_id(data: bytes) -> bytes:
    root = _tree(data)
    props = root.find(f".//{{{XA}}}SignedProperties")
    assert props is not None
    header = root.find(f".//{{{EDXML}}}MessageHeader")
    header.set("Id", props.get("Id", ""))  # type: ignore[union-attr]
    return _out(root)


def keyinfo_id_shadowed(data: bytes) -> bytes:
    """A reference to the signature's KeyInfo by Id, with a second element carrying that Id
    earlier in the document (which one a resolver picks is up to the resolver)."""
    root = _tree(data)
    key_info = _sig(root).find(f"{Q}KeyInfo")
    key_info.set("Id", "ki")  # type: ignore[union-attr]
    header = root.find(f".//{{{EDXML}}}MessageHeader")
    header.set("Id", "ki")  # type: ignore[union-attr]
    ref = etree.SubElement(_sig(root).find(f"{Q}SignedInfo"), f"{Q}Reference", URI="#ki")  # type: ignore[arg-type]
    etree.SubElement(ref, f"{Q}DigestMethod", Algorithm="http://www.w3.org/2001/04/xmlenc#sha256")
    etree.SubElement(ref, f"{Q}DigestValue").text = "AAAA"
    _resign(root)
    return _out(root)


def xades_target_mismatch(data: bytes) -> bytes:
    root = _tree(data)
    qp = root.find(f".//{{{XA}}}QualifyingProperties")
    qp.set("Target", "#another-signature")  # type: ignore[union-attr]
    return _out(root)


def xades_properties_outside(data: bytes) -> bytes:
    """The SignedProperties reference points at a copy outside the signature."""
    root = _tree(data)
    props = root.find(f".//{{{XA}}}SignedProperties")
    assert props is not None
    decoy = copy.deepcopy(props)
    decoy.set("Id", "decoy")
    root.find(f".//{{{EDXML}}}edXMLBody").append(decoy)  # type: ignore[union-attr]
    ref = _sig(root).findall(f"{Q}SignedInfo/{Q}Reference")[1]
    ref.set("URI", "#decoy")
    _resign(root)
    return _out(root)


def _move(data: bytes, where: Callable[[etree._Element], etree._Element]) -> bytes:
    root = _tree(data)
    sig = _sig(root)
    sig.getparent().remove(sig)  # type: ignore[union-attr]
    where(root).append(sig)
    return _out(root)


def signature_in_body(data: bytes) -> bytes:
    return _move(data, lambda r: r.find(f".//{{{EDXML}}}edXMLBody"))  # type: ignore[arg-type, return-value]


def signature_in_attachment_encoded(data: bytes) -> bytes:
    return _move(data, lambda r: r.find(f".//{{{EDXML}}}AttachmentEncoded"))  # type: ignore[arg-type, return-value]


def signature_under_root(data: bytes) -> bytes:
    return _move(data, lambda r: r)


def signature_in_extension(data: bytes) -> bytes:
    def wrapper(root: etree._Element) -> etree._Element:
        return etree.SubElement(_header(root), f"{{{EDXML}}}Extension")

    return _move(data, wrapper)


def envelope_in_object(data: bytes) -> bytes:
    root = _tree(data)
    envelope = root.find(f"{{{EDXML}}}edXMLEnvelope")
    decoy = copy.deepcopy(envelope)
    for sig in decoy.iter(f"{Q}Signature"):  # type: ignore[union-attr]
        sig.getparent().remove(sig)  # type: ignore[union-attr]
    subject = decoy.find(f".//{{{EDXML}}}Subject")  # type: ignore[union-attr]
    subject.text = "Văn bản giả mạo"  # type: ignore[union-attr]
    obj = etree.SubElement(_sig(root), f"{Q}Object")
    obj.append(decoy)  # type: ignore[arg-type]
    return _out(root)


def nested_signature_in_object(data: bytes) -> bytes:
    root = _tree(data)
    inner = copy.deepcopy(_sig(root))
    etree.SubElement(_sig(root), f"{Q}Object").append(inner)
    return _out(root)


def _transform(data: bytes, uri: str, child: str | None = None) -> bytes:
    root = _tree(data)
    transforms = _ref(root).find(f"{Q}Transforms")
    t = etree.SubElement(transforms, f"{Q}Transform", Algorithm=uri)  # type: ignore[arg-type]
    if child is not None:
        t.append(etree.fromstring(child))
    _resign(root)
    return _out(root)


def xpath_transform(data: bytes) -> bytes:
    return _transform(
        data,
        "http://www.w3.org/TR/1999/REC-xpath-19991116",
        f'<ds:XPath xmlns:ds="{DS}">not(ancestor-or-self::*[local-name()="Subject"])</ds:XPath>',
    )


def xpath_filter2_transform(data: bytes) -> bytes:
    return _transform(
        data,
        "http://www.w3.org/2002/06/xmldsig-filter2",
        '<XPath xmlns="http://www.w3.org/2002/06/xmldsig-filter2" Filter="subtract">'
        "//*[local-name()='Subject']</XPath>",
    )


def xslt_transform(data: bytes) -> bytes:
    return _transform(
        data,
        "http://www.w3.org/TR/1999/REC-xslt-19991116",
        '<xsl:stylesheet xmlns:xsl="http://www.w3.org/1999/XSL/Transform" version="1.0">'
        '<xsl:template match="/"><x/></xsl:template></xsl:stylesheet>',
    )


def unknown_transform(data: bytes) -> bytes:
    return _transform(data, "urn:example:transform")


def base64_transform(data: bytes) -> bytes:
    return _transform(data, DS + "base64")


def sdk_exc_c14n_uri(data: bytes) -> bytes:
    root = _tree(data)
    _ref(root).findall(f"{Q}Transforms/{Q}Transform")[1].set(
        "Algorithm", "http://www.w3.org/TR/xml-exc-c14n#"
    )
    _resign(root)
    return _out(root)


def c14n_before_enveloped(data: bytes) -> bytes:
    root = _tree(data)
    transforms = _ref(root).find(f"{Q}Transforms")
    first, second = list(transforms)  # type: ignore[arg-type]
    transforms.remove(first)  # type: ignore[union-attr]
    second.addnext(first)
    _resign(root)
    return _out(root)


def retrieval_method(data: bytes) -> bytes:
    root = _tree(data)
    key_info = _sig(root).find(f"{Q}KeyInfo")
    etree.SubElement(
        key_info,  # type: ignore[arg-type]
        f"{Q}RetrievalMethod",
        URI="http://attacker.invalid/key.cer",
        Type=DS + "rawX509Certificate",
    )
    return _out(root)


def keyinfo_unknown_child(data: bytes) -> bytes:
    root = _tree(data)
    etree.SubElement(_sig(root).find(f"{Q}KeyInfo"), "{urn:example}KeyLocator")  # type: ignore[arg-type]
    return _out(root)


def comment_in_digest_value(data: bytes) -> bytes:
    root = _tree(data)
    value = _ref(root).find(f"{Q}DigestValue")
    text = value.text or ""  # type: ignore[union-attr]
    value.text = text[:10]  # type: ignore[union-attr]
    comment = etree.Comment(" split ")
    comment.tail = text[10:]
    value.append(comment)  # type: ignore[union-attr]
    _resign(root)
    return _out(root)


def element_in_signature_value(data: bytes) -> bytes:
    root = _tree(data)
    value = _sig(root).find(f"{Q}SignatureValue")
    etree.SubElement(value, f"{Q}Extra")  # type: ignore[arg-type]
    return _out(root)


def hmac_method(data: bytes) -> bytes:
    root = _tree(data)
    method = _sig(root).find(f"{Q}SignedInfo/{Q}SignatureMethod")
    method.set("Algorithm", "http://www.w3.org/2001/04/xmldsig-more#hmac-sha256")  # type: ignore[union-attr]
    return _out(root)


def rsa_sha1(data: bytes) -> bytes:
    root = _tree(data)
    method = _sig(root).find(f"{Q}SignedInfo/{Q}SignatureMethod")
    method.set("Algorithm", DS + "rsa-sha1")  # type: ignore[union-attr]
    _resign(root, hashes.SHA1())
    return _out(root)


def inclusive_namespaces_prefix_list(data: bytes) -> bytes:
    root = _tree(data)
    method = _sig(root).find(f"{Q}SignedInfo/{Q}CanonicalizationMethod")
    etree.SubElement(
        method,  # type: ignore[arg-type]
        "{http://www.w3.org/2001/10/xml-exc-c14n#}InclusiveNamespaces",
        PrefixList="xsi",
    )
    _resign(root)
    return _out(root)


def c14n11_method(data: bytes) -> bytes:
    root = _tree(data)
    method = _sig(root).find(f"{Q}SignedInfo/{Q}CanonicalizationMethod")
    method.set("Algorithm", "http://www.w3.org/2006/12/xml-c14n11")  # type: ignore[union-attr]
    _resign(root)
    return _out(root)


def inclusive_c14n_namespace_game(data: bytes) -> bytes:
    """Signed with inclusive c14n of SignedInfo; then a namespace is declared on an ancestor,
    which inclusive c14n carries into SignedInfo: the value no longer verifies."""
    root = _tree(data)
    method = _sig(root).find(f"{Q}SignedInfo/{Q}CanonicalizationMethod")
    method.set("Algorithm", "http://www.w3.org/TR/2001/REC-xml-c14n-20010315")  # type: ignore[union-attr]
    _resign(root)
    text = _out(root)
    return text.replace(b"<edXMLHeader>", b'<edXMLHeader xmlns:evil="urn:evil">', 1)


def reprefixed_signed_info(data: bytes) -> bytes:
    return data.replace(b"ds:", b"dsig:").replace(b"xmlns:ds=", b"xmlns:dsig=")


def foreign_certificate(data: bytes) -> bytes:
    """KeyInfo names another certificate than the key that signed."""
    from vbdt_exchange.testing.pki import TestPKI

    other = TestPKI.generate(now=NOW).person.certificate
    root = _tree(data)
    cert = _sig(root).find(f"{Q}KeyInfo/{Q}X509Data/{Q}X509Certificate")
    import base64

    cert.text = base64.b64encode(other.public_bytes(serialization.Encoding.DER)).decode()  # type: ignore[union-attr]
    return _out(root)


def extra_child_in_signed_info(data: bytes) -> bytes:
    root = _tree(data)
    etree.SubElement(_sig(root).find(f"{Q}SignedInfo"), f"{Q}Object")  # type: ignore[arg-type]
    _resign(root)
    return _out(root)


def second_object(data: bytes) -> bytes:
    root = _tree(data)
    obj = etree.SubElement(_sig(root), f"{Q}Object")
    etree.SubElement(obj, f"{{{EDXML}}}Subject").text = "unsigned text"
    return _out(root)


def part_digests_with_content(data: bytes) -> bytes:
    """Unsigned-looking content smuggled into the part-digests SignatureProperties."""
    root = _tree(data)
    holder = root.find(f".//{Q}SignatureProperty")
    assert holder is not None
    decoy = copy.deepcopy(root.find(f"{{{EDXML}}}edXMLEnvelope"))
    holder.append(decoy)  # type: ignore[arg-type]
    return _out(root)


def doctype_entities(data: bytes) -> bytes:
    return data.replace(
        b"?>\n",
        b'?>\n<!DOCTYPE edXML [<!ENTITY x "3245">]>\n',
        1,
    ).replace(b"<CodeNumber>3244<", b"<CodeNumber>&x;<", 1)


# -- controls ------------------------------------------------------------------------------------


def control_comment_in_value(data: bytes) -> bytes:
    """Comments are not signed (URI=""): a comment added inside a value still verifies, and
    the reader must return the whole text, not the part before the comment."""
    return data.replace(b"V/v tri", b"V/v <!-- not signed -->tri", 1)


def control_whitespace_in_values(data: bytes) -> bytes:
    """Line breaks inside base64 values are allowed (and must not confuse the verifier)."""

    def wrap(el: etree._Element) -> None:
        text = el.text or ""
        el.text = "\n" + "\n".join(text[i : i + 64] for i in range(0, len(text), 64)) + "\n"

    root = _tree(data)
    sig = _sig(root)
    for el in sig.find(f"{Q}SignedInfo").iter(f"{Q}DigestValue"):  # type: ignore[union-attr]
        wrap(el)
    _resign(root)
    wrap(sig.find(f"{Q}SignatureValue"))  # type: ignore[arg-type]
    return _out(root)


VARIANTS: dict[str, tuple[str, Callable[[bytes], bytes], str]] = {
    # name: (base profile, variant, expected rule)
    "ref-id-on-message-header": ("xmldsig", ref_id_on_message_header, "SIG114"),
    "ref-id-on-root": ("xmldsig", ref_id_on_root, "SIG114"),
    "ref-xpointer": ("xmldsig", ref_xpointer, "SIG114"),
    "ref-external-http": ("xmldsig", ref_external_http, "SIG114"),
    "ref-external-file": ("xmldsig", ref_external_file, "SIG114"),
    "ref-missing-uri": ("xmldsig", ref_missing_uri, "SIG114"),
    "two-document-references": ("xmldsig", two_document_references, "SIG119"),
    "no-reference": ("xmldsig", no_reference, "SIG119"),
    "duplicate-signed-properties-id": ("xades-b-b", duplicate_signed_properties_id, "SIG120"),
    "xades-target-mismatch": ("xades-b-b", xades_target_mismatch, "SIG111"),
    "keyinfo-id-shadowed": ("xmldsig", keyinfo_id_shadowed, "SIG120"),
    "xades-properties-outside": ("xades-b-b", xades_properties_outside, "SIG114"),
    "signature-in-body": ("xmldsig", signature_in_body, "SIG110"),
    "signature-in-attachment-encoded": ("xmldsig", signature_in_attachment_encoded, "SIG110"),
    "signature-under-root": ("xmldsig", signature_under_root, "SIG110"),
    "signature-in-extension": ("xmldsig", signature_in_extension, "SIG110"),
    "envelope-in-object": ("xmldsig", envelope_in_object, "SIG123"),
    "nested-signature-in-object": ("xmldsig", nested_signature_in_object, "SIG123"),
    "xpath-transform": ("xmldsig", xpath_transform, "SIG115"),
    "xpath-filter2-transform": ("xmldsig", xpath_filter2_transform, "SIG115"),
    "xslt-transform": ("xmldsig", xslt_transform, "SIG115"),
    "unknown-transform": ("xmldsig", unknown_transform, "SIG115"),
    "base64-transform": ("xmldsig", base64_transform, "SIG115"),
    "sdk-exc-c14n-uri": ("xmldsig", sdk_exc_c14n_uri, "SIG115"),
    "c14n-before-enveloped": ("xmldsig", c14n_before_enveloped, "SIG115"),
    "retrieval-method": ("xmldsig", retrieval_method, "SIG121"),
    "keyinfo-unknown-child": ("xmldsig", keyinfo_unknown_child, "SIG121"),
    "comment-in-digest-value": ("xmldsig", comment_in_digest_value, "SIG124"),
    "element-in-signature-value": ("xmldsig", element_in_signature_value, "SIG124"),
    "hmac-method": ("xmldsig", hmac_method, "SIG113"),
    "rsa-sha1": ("xmldsig", rsa_sha1, "SIG117"),
    "inclusive-namespaces-prefix-list": ("xmldsig", inclusive_namespaces_prefix_list, "SIG112"),
    "c14n11-method": ("xmldsig", c14n11_method, "SIG112"),
    "inclusive-c14n-namespace-game": ("xmldsig", inclusive_c14n_namespace_game, "SIG131"),
    "reprefixed-signed-info": ("xmldsig", reprefixed_signed_info, "SIG131"),
    "foreign-certificate": ("xmldsig", foreign_certificate, "SIG131"),
    "extra-child-in-signed-info": ("xmldsig", extra_child_in_signed_info, "SIG111"),
    "second-object": ("xades-b-b", second_object, "SIG123"),
    "part-digests-with-content": ("xades-b-b", part_digests_with_content, "SIG123"),
    "doctype-entities": ("xmldsig", doctype_entities, "unreadable"),
    "control-comment-in-value": ("xmldsig", control_comment_in_value, "PASSED"),
    "control-whitespace-in-values": ("xades-b-b", control_whitespace_in_values, "PASSED"),
}


def main() -> None:
    bases = {profile: _base(profile) for profile in ("xmldsig", "xades-b-b")}
    expected: dict[str, str] = {}
    (HERE / "control-xmldsig.edxml").write_bytes(bases["xmldsig"])
    (HERE / "control-xades-b-b.edxml").write_bytes(bases["xades-b-b"])
    expected["control-xmldsig.edxml"] = "PASSED"
    expected["control-xades-b-b.edxml"] = "PASSED"
    for name, (profile, variant, rule) in VARIANTS.items():
        (HERE / f"{name}.edxml").write_bytes(variant(bases[profile]))
        expected[f"{name}.edxml"] = rule
    (HERE / "expected.json").write_text(json.dumps(expected, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
