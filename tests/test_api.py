"""The curated public API: complete, sorted, importable, and free of private names."""

from __future__ import annotations

import importlib

import pytest

import vbdt_exchange
import vbdt_exchange.envelope


@pytest.mark.parametrize("module", [vbdt_exchange, vbdt_exchange.envelope])
def test_all_is_sorted_and_resolves(module: object) -> None:
    names = module.__all__  # type: ignore[attr-defined]
    assert list(names) == sorted(names, key=lambda n: (not n.isupper(), n))
    for name in names:
        assert getattr(module, name) is not None, name
        assert not name.startswith("_") or name == "__version__"


def test_version_comes_from_the_installed_metadata() -> None:
    from importlib.metadata import version

    assert vbdt_exchange.__version__ == version("vbdt-exchange")


def test_unknown_attribute_raises() -> None:
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        vbdt_exchange.nope  # noqa: B018


def test_errors_form_one_tree() -> None:
    errors = importlib.import_module("vbdt_exchange.errors")
    for name in errors.__all__:
        cls = getattr(errors, name)
        assert issubclass(cls, vbdt_exchange.VbdtError), name
    assert issubclass(vbdt_exchange.EnvelopeError, ValueError)
    assert issubclass(vbdt_exchange.UnsafeXMLError, vbdt_exchange.EnvelopeReadError)


def test_example_is_bundled_and_valid() -> None:
    path = vbdt_exchange.example_path()
    assert path.is_file()
    with vbdt_exchange.validate(path) as report:
        assert report.ok, [str(f) for f in report.findings]
        assert report.findings == ()
