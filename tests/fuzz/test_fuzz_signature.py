"""Hypothesis fuzz of the XML signature verifier :func:`verify_package` (issue 8, item 2).

Inputs are the two signed controls of the wrapping corpus (``tests/signature/wrapping/``: plain
XML-DSig and XAdES B-B), mutated as bytes (bit flips, hostile tokens, deletions, truncations,
slices copied elsewhere — aimed at the signature most of the time) and as a tree (an element of
``Signature``/``SignedInfo``/``KeyInfo``/``Object`` moved, copied, dropped or swapped, an
attribute changed, added or removed, a text changed). The contract:

* ``verify_package`` raises nothing but :class:`~vbdt_exchange.errors.EnvelopeReadError`;
* the verdict converts to JSON; a package is returned exactly when it is PASSED;
* **PASSED implies the package is the one that was signed**: its JSON form (without the
  signature element) equals the original's. A mutation may still pass when it is neutral under
  canonicalisation (whitespace inside a tag, attribute order, a different quote character, a
  line break in base64) — that is asserted separately: those mutations must PASS.

``VBDT_FUZZ_EXAMPLES`` raises the budget, as for ``test_fuzz.py``.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from vbdt_exchange.envelope.jsonform import package_to_json
from vbdt_exchange.envelope.reader import read
from vbdt_exchange.errors import EnvelopeReadError
from vbdt_exchange.signature.policy import Indication, VerificationPolicy
from vbdt_exchange.signature.xml import verify_package

WRAPPING = Path(__file__).resolve().parents[1] / "signature" / "wrapping"
CONTROLS = {
    name: (WRAPPING / name).read_bytes()
    for name in ("control-xmldsig.edxml", "control-xades-b-b.edxml")
}
INTEGRITY = VerificationPolicy(require_trust=False)
DS = "http://www.w3.org/2000/09/xmldsig#"

BUDGET = os.environ.get("VBDT_FUZZ_EXAMPLES")
FUZZ = settings(
    max_examples=int(BUDGET or "150"),
    deadline=None,
    database=None,
    derandomize=BUDGET is None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def _explains(exc: Exception, part: str) -> None:
    """A refusal says what is wrong (and names ``part``)."""
    assert str(exc)
    assert part in str(exc) or part == getattr(exc, "operation", None)


def signed_form(package: Any) -> str:
    form = package_to_json(package)
    form.pop("signature", None)
    return json.dumps(form, sort_keys=True, ensure_ascii=False)


def _original(data: bytes) -> str:
    with read(data) as result:
        return signed_form(result.package)


ORIGINAL = {name: _original(data) for name, data in CONTROLS.items()}


def check(name: str, data: bytes) -> Indication | None:
    """Verify ``data`` (a mutation of the control ``name``) and assert the contract."""
    try:
        verification = verify_package(data, policy=INTEGRITY)
    except EnvelopeReadError as exc:
        _explains(exc, "")
        return None
    with verification:
        json.dumps(verification.to_dict())
        passed = verification.indication is Indication.PASSED
        assert passed == (verification.package is not None)
        if passed:
            assert signed_form(verification.package) == ORIGINAL[name], "PASSED a changed package"
        else:
            assert verification.errors or verification.indication is Indication.INDETERMINATE
        return verification.indication


def test_controls_pass() -> None:
    for name, data in CONTROLS.items():
        assert check(name, data) is Indication.PASSED


# -- byte mutations -------------------------------------------------------------------------------

TOKENS = [
    b"<",
    b">",
    b"&",
    b'"',
    b"'",
    b"=",
    b"/>",
    b"</ds:Signature>",
    b"<ds:Object/>",
    b"<!--x-->",
    b"<![CDATA[x]]>",
    b"&#0;",
    b"&amp;",
    b"\x00",
    b"\xff\xfe",
    b"\xc3",
    b' Id="x"',
    b' URI=""',
    b' URI="#x"',
    b' xmlns:ds="urn:x"',
    b' xmlns="urn:x"',
    b"http://www.w3.org/2000/09/xmldsig#sha1",
    b"http://www.w3.org/2001/10/xml-exc-c14n#",
    b"http://www.w3.org/TR/2001/REC-xml-c14n-20010315#WithComments",
    b"AAAA",
    b"====",
    b"\n",
    b" ",
    b"ds:",
    b"xades:",
    b"Reference",
    b"Transform",
]


def _signature_span(data: bytes) -> tuple[int, int]:
    start = data.index(b"<ds:Signature")
    end = data.index(b"</ds:Signature>") + len(b"</ds:Signature>")
    return start, end


@st.composite
def byte_mutations(draw: st.DrawFn) -> tuple[str, bytes]:
    name = draw(st.sampled_from(sorted(CONTROLS)))
    data = bytearray(CONTROLS[name])
    start, end = _signature_span(bytes(data))
    for _ in range(draw(st.integers(1, 3))):
        # three times in four inside the signature, else anywhere
        inside = draw(st.integers(0, 3)) > 0
        low, high = (start, min(end, len(data))) if inside else (0, len(data))
        if high <= low:
            low, high = 0, len(data)
        pos = draw(st.integers(low, high - 1))
        kind = draw(st.sampled_from(["flip", "token", "delete", "truncate", "copy"]))
        if kind == "flip":
            data[pos] ^= 1 << draw(st.integers(0, 7))
        elif kind == "token":
            data[pos:pos] = draw(st.sampled_from(TOKENS))
        elif kind == "delete":
            del data[pos : pos + draw(st.integers(1, 64))]
        elif kind == "truncate":
            del data[pos:]
        else:
            size = draw(st.integers(1, 200))
            source = draw(st.integers(0, max(0, len(data) - size)))
            data[pos:pos] = data[source : source + size]
        if not data:
            break
    return name, bytes(data)


@FUZZ
@given(byte_mutations())
def test_byte_mutations(mutation: tuple[str, bytes]) -> None:
    name, data = mutation
    indication = check(name, data)
    if data == CONTROLS[name]:
        assert indication is Indication.PASSED


# -- tree mutations -------------------------------------------------------------------------------

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, remove_blank_text=False)


def _signature_elements(root: etree._Element) -> list[etree._Element]:
    """The signature and everything in it (none when an earlier mutation dropped it)."""
    sig = root.find(f".//{{{DS}}}Signature")
    return [] if sig is None else [el for el in sig.iter() if isinstance(el.tag, str)]


@st.composite
def tree_mutations(draw: st.DrawFn) -> tuple[str, bytes]:
    name = draw(st.sampled_from(sorted(CONTROLS)))
    root = etree.fromstring(CONTROLS[name], _PARSER)
    everything = [el for el in root.iter() if isinstance(el.tag, str)]
    for _ in range(draw(st.integers(1, 2))):
        inside = _signature_elements(root)
        if not inside:
            break
        el = draw(st.sampled_from(inside))
        kind = draw(
            st.sampled_from(["move", "copy", "drop", "swap", "attr", "new-attr", "no-attr", "text"])
        )
        parent = el.getparent()
        if kind in ("move", "copy") and parent is not None:
            target = draw(st.sampled_from(everything))
            if target is el or el in target.iterancestors():
                continue
            moved = el if kind == "move" else etree.fromstring(etree.tostring(el))
            target.insert(draw(st.integers(0, len(target))), moved)
        elif kind == "drop" and parent is not None:
            parent.remove(el)
        elif kind == "swap" and parent is not None and len(parent) > 1:
            index = parent.index(el)
            other = draw(st.integers(0, len(parent) - 1))
            if other != index:
                sibling = parent[other]
                parent.replace(el, etree.Element("placeholder"))
                parent.replace(sibling, el)
                parent.replace(parent.find("placeholder"), sibling)
        elif kind == "attr" and el.attrib:
            key = draw(st.sampled_from(sorted(el.attrib)))
            el.set(key, draw(st.sampled_from(["", "#x", "x", el.get(key, "") + "x", "#" + key])))
        elif kind == "new-attr":
            el.set(
                draw(st.sampled_from(["Id", "URI", "Algorithm", "ID", "id"])),
                draw(st.sampled_from(["", "#", "x", "#xpointer(/)", "http://example.invalid/"])),
            )
        elif kind == "no-attr" and el.attrib:
            del el.attrib[draw(st.sampled_from(sorted(el.attrib)))]
        elif kind == "text":
            el.text = draw(st.sampled_from(["", " ", "x", (el.text or "") + "A", "AAAA"]))
    return name, etree.tostring(root.getroottree(), xml_declaration=True, encoding="UTF-8")


@FUZZ
@given(tree_mutations())
def test_tree_mutations(mutation: tuple[str, bytes]) -> None:
    check(*mutation)


# -- mutations that canonicalisation undoes -------------------------------------------------------

_TAG = re.compile(rb"<(?![!?/])([^>]*?)(/?)>")


@st.composite
def neutral_mutations(draw: st.DrawFn) -> tuple[str, bytes]:
    """Whitespace inside start tags and swapped quote characters: c14n gives the same bytes."""
    name = draw(st.sampled_from(sorted(CONTROLS)))
    data = CONTROLS[name]
    tags = list(_TAG.finditer(data))
    chosen = set(draw(st.lists(st.integers(0, len(tags) - 1), min_size=1, max_size=8)))
    out = bytearray()
    last = 0
    for i, m in enumerate(tags):
        if i not in chosen:
            continue
        inner = m.group(1)
        space = draw(st.sampled_from([b" ", b"\n", b"\t", b"  \r\n "]))
        if b"'" not in inner and draw(st.booleans()):
            inner = inner.replace(b'"', b"'")
        # the space after the element name (never one inside a value), and one before the end
        inner = inner.replace(b" ", space, 1)
        out += data[last : m.start()] + b"<" + inner + space + m.group(2) + b">"
        last = m.end()
    out += data[last:]
    return name, bytes(out)


@FUZZ
@given(neutral_mutations())
def test_neutral_mutations_still_pass(mutation: tuple[str, bytes]) -> None:
    assert check(*mutation) is Indication.PASSED


@pytest.mark.parametrize("name", sorted(CONTROLS))
def test_every_single_byte_of_the_signed_info_matters(name: str) -> None:
    """Exhaustive where it is cheap: each character of every DigestValue and of the
    SignatureValue replaced, one at a time, never passes."""
    data = CONTROLS[name]
    values = [
        m.span(1) for m in re.finditer(rb"<ds:(?:DigestValue|SignatureValue)[^>]*>([^<]+)<", data)
    ]
    assert len(values) >= 2
    for start, end in values:
        for pos in range(start, end, 7):
            if data[pos : pos + 1] in b" \r\n\t":
                continue
            replacement = b"B" if data[pos : pos + 1] != b"B" else b"C"
            mutated = data[:pos] + replacement + data[pos + 1 :]
            assert check(name, mutated) is Indication.FAILED, (name, pos)
