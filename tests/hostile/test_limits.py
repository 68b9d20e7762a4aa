"""Resource bounds: depth, element and attribute counts, tag and text sizes, package, header and
attachment sizes and counts. Each bound is hit both at its default and through ``Limits``."""

from __future__ import annotations

import base64

import pytest
from _hostile import attachment, package, reference

import vbdt_exchange as vbdt
from vbdt_exchange import Limits, ReadOptions, ResourceLimitError, Severity

MiB = 1024 * 1024


def _limits(**kwargs: int) -> ReadOptions:
    return ReadOptions(limits=Limits(**kwargs))


def _nested(depth: int) -> str:
    return "<x>" * depth + "</x>" * depth


def _refused(data: bytes, *, options: ReadOptions | None = None) -> ResourceLimitError:
    with pytest.raises(ResourceLimitError) as info:
        vbdt.read(data, options=options)
    assert info.value.rule == "EDX005"
    return info.value


# -- depth ------------------------------------------------------------------------------------


def test_ten_thousand_deep_nesting() -> None:
    error = _refused(package(extra_root_children=_nested(10_000)))
    assert "depth" in error.message
    assert error.line == 25


def test_hundred_deep_nesting_against_the_default_depth() -> None:
    error = _refused(package(extra_root_children=_nested(100)))
    assert "nesting depth exceeds the limit of 64" in error.message
    assert error.line == 25


def test_hundred_deep_nesting_against_a_configured_depth() -> None:
    error = _refused(package(extra_root_children=_nested(100)), options=_limits(max_depth=50))
    assert "nesting depth exceeds the limit of 50" in error.message
    result = vbdt.read(package(extra_root_children=_nested(100)), options=_limits(max_depth=200))
    assert [(f.rule, f.severity) for f in result.findings] == [("EDX104", Severity.WARNING)]


def test_depth_limit_counts_the_package_itself() -> None:
    """The envelope is 5 deep where the deepest header value sits: max_depth=4 refuses it."""
    error = _refused(package(), options=_limits(max_depth=4))
    assert "limit of 4" in error.message


# -- element and attribute counts, tag and text sizes ----------------------------------------


def test_too_many_elements_against_a_configured_limit() -> None:
    error = _refused(package(extra_root_children="<x/>" * 2000), options=_limits(max_elements=1000))
    assert "number of elements exceeds the limit of 1000" in error.message


def test_too_many_elements_against_the_default_limit() -> None:
    error = _refused(package(extra_root_children="<x/>" * 200_001))
    assert "number of elements exceeds the limit of 200000" in error.message


def test_huge_attribute_value() -> None:
    error = _refused(package(extra_root_children=f'<x a="{"A" * (3 * MiB)}"/>'))
    assert "start tag exceeds the limit" in error.message
    assert error.line == 25


def test_huge_start_tag() -> None:
    attributes = " ".join(f'a{i}="1"' for i in range(250_000))  # about 2.6 MB
    error = _refused(package(extra_root_children=f"<x {attributes}/>"))
    assert "start tag exceeds the limit" in error.message


def test_unterminated_start_tag() -> None:
    error = _refused(package(extra_root_children="<x " + 'a="1" ' * 300_000))
    assert "start tag" in error.message


def test_many_attributes_are_refused_by_default() -> None:
    """Keeping an unknown element costs more with each attribute (Limits.max_attributes)."""
    attributes = " ".join(f'a{i}="{i}"' for i in range(2000))
    error = _refused(package(extra_root_children=f"<x {attributes}/>"))
    assert error.rule == "EDX005"
    assert "attributes" in error.message
    assert "256" in error.message


def test_many_attributes_within_a_raised_bound_are_kept() -> None:
    attributes = " ".join(f'a{i}="{i}"' for i in range(2000))
    result = vbdt.read(
        package(extra_root_children=f"<x {attributes}/>"), options=_limits(max_attributes=5000)
    )
    assert [(f.rule, f.severity) for f in result.findings] == [("EDX104", Severity.WARNING)]
    (parent, kept) = result.package.structural_extensions[0]
    assert parent == "edXML"
    assert kept.element().get("a1999") == "1999"


def test_huge_text_node_in_the_header() -> None:
    """12 MiB of text in one header value: over libxml2's own text-node bound."""
    error = _refused(package(subject="A" * (12 * MiB)))
    assert "Text node too long" in error.message
    assert error.line == 11


# -- package, header and attachments --------------------------------------------------------


def test_package_bigger_than_max_package_bytes() -> None:
    data = package(payload=base64.b64encode(bytes(100_000)).decode())
    error = _refused(data, options=_limits(max_package_bytes=50_000))
    assert "package size exceeds the limit of 50000" in error.message
    vbdt.read(data, options=_limits(max_package_bytes=len(data)))  # exactly at the bound


def test_header_bigger_than_max_header_bytes() -> None:
    data = package(subject="A" * 100_000)
    error = _refused(data, options=_limits(max_header_bytes=50_000))
    assert "without its attachment payloads exceeds the limit of 50000" in error.message
    # payloads do not count towards the header
    big_payload = package(payload=base64.b64encode(bytes(200_000)).decode())
    result = vbdt.read(big_payload, options=_limits(max_header_bytes=50_000))
    assert result.package.attachments[0].size == 200_000


def test_header_bound_default_is_enforced_on_text_outside_payloads() -> None:
    data = package(extra_root_children="<x>" + ("<y>" + "a" * 1000 + "</y>") * 17_000 + "</x>")
    error = _refused(data)
    assert "without its attachment payloads exceeds the limit of 16777216" in error.message


def _attachments(count: int) -> bytes:
    return package(
        attachments=[attachment("aGVsbG8=", cid=f"c{i}", name=f"{i}.txt") for i in range(count)],
        references=[reference(cid=f"c{i}", name=f"{i}.txt") for i in range(count)],
    )


def test_more_attachments_than_max_attachments() -> None:
    error = _refused(_attachments(11), options=_limits(max_attachments=10))
    assert "number of attachments exceeds the limit of 10" in error.message
    result = vbdt.read(_attachments(10), options=_limits(max_attachments=10))
    assert len(result.package.attachments) == 10
    assert result.findings == ()


def test_absurd_attachment_count_against_the_default() -> None:
    data = package(attachments=[attachment("", cid=f"c{i}") for i in range(5000)], references=[])
    error = _refused(data)
    assert "number of attachments exceeds the limit of 1000" in error.message


def test_attachment_bigger_than_max_attachment_bytes() -> None:
    data = package(payload=base64.b64encode(bytes(300_000)).decode())
    error = _refused(data, options=_limits(max_attachment_bytes=100_000))
    assert "decoded size exceeds the limit of 100000" in error.message
    assert error.line == 27
