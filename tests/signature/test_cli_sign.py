"""``vbdt sign`` and ``vbdt verify``: exit codes 0/1/2, key options, --json."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

import vbdt_exchange.cli.sign  # noqa: F401 - registers the commands
from vbdt_exchange.cli._main import cli
from vbdt_exchange.envelope.models import EdocPackage
from vbdt_exchange.envelope.writer import to_bytes
from vbdt_exchange.testing.pki import TestPKI


def invoke(*args: str | Path, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False, env=env)


@pytest.fixture(scope="module")
def pki() -> TestPKI:
    """Valid now: the CLI signs with the current time."""
    return TestPKI.generate()


@pytest.fixture
def files(
    tmp_path: Path, pki: TestPKI, package_with: Callable[..., EdocPackage]
) -> dict[str, Path]:
    rsa_pki = pki
    keys = rsa_pki.person.write(tmp_path / "keys", password=b"pw")
    unsigned = tmp_path / "unsigned.edxml"
    unsigned.write_bytes(to_bytes(package_with(b"%PDF cli")))
    root = tmp_path / "root.pem"
    root.write_bytes(rsa_pki.root.pem())
    crl = tmp_path / "ca.crl"
    crl.write_bytes(rsa_pki.crl_der())
    return {**keys, "unsigned": unsigned, "root": root, "crl": crl}


def test_sign_pkcs12_then_verify(files: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "signed.edxml"
    result = invoke(
        "sign",
        files["unsigned"],
        "-o",
        out,
        "--pkcs12",
        files["pkcs12"],
        "--password-env",
        "P12_PASSWORD",
        env={"P12_PASSWORD": "pw"},
    )
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"signed {out} (xades-b-b, rsa-sha256) as CN=")
    trusted = invoke("verify", out, "--trust", files["root"], "--crl", files["crl"])
    assert trusted.exit_code == 0, trusted.output
    assert trusted.output.splitlines()[0].endswith(": PASSED")
    untrusted = invoke("verify", out)
    assert untrusted.exit_code == 1
    assert "INDETERMINATE" in untrusted.output
    assert "SIG140" in untrusted.output
    assert invoke("verify", out, "--integrity-only").exit_code == 0


def test_sign_pem_options(files: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "signed.edxml"
    result = invoke(
        "sign",
        files["unsigned"],
        "-o",
        out,
        "--key",
        files["key"],
        "--cert",
        files["cert"],
        "--chain",
        files["chain"],
        "--key-password-env",
        "KEY_PW",
        "--algorithm",
        "rsa-pss-sha256",
        "--profile",
        "xmldsig",
        env={"KEY_PW": "pw"},
    )
    assert result.exit_code == 0, result.output
    verified = invoke("verify", out, "--integrity-only", "--json")
    assert verified.exit_code == 0, verified.output
    data = json.loads(verified.output)
    assert data["indication"] == "PASSED"
    (sig,) = data["signatures"]
    assert sig["kind"] == "xmldsig"
    assert sig["signature_algorithm"].endswith("sha256-rsa-MGF1")
    assert sig["references"][0]["digest_matches"] is True
    assert "Nguyễn" in sig["signer"]["subject"]


def test_verify_tampered_is_1_and_json(files: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "signed.edxml"
    invoke(
        "sign",
        files["unsigned"],
        "-o",
        out,
        "--pkcs12",
        files["pkcs12"],
        "--password-env",
        "P",
        env={"P": "pw"},
    )
    out.write_bytes(out.read_bytes().replace(b"<CodeNumber>3244<", b"<CodeNumber>3245<"))
    result = invoke("verify", out, "--trust", files["root"], "--json")
    assert result.exit_code == 1
    data = json.loads(result.output)
    assert data["indication"] == "FAILED"
    assert "SIG130" in [f["rule"] for f in data["findings"]]


def test_verify_unsigned_is_1(files: dict[str, Path]) -> None:
    result = invoke("verify", files["unsigned"])
    assert result.exit_code == 1
    assert "SIG101" in result.output


def test_unreadable_is_2(tmp_path: Path, files: dict[str, Path]) -> None:
    bad = tmp_path / "bad.edxml"
    bad.write_bytes(b"<edXML><unclosed></edXML>")
    result = invoke("verify", bad)
    assert result.exit_code == 2
    assert result.output.startswith("vbdt: error:")
    assert invoke("verify", tmp_path / "missing.edxml").exit_code == 2
    assert invoke("sign", files["unsigned"], "-o", tmp_path / "o.edxml").exit_code == 2
    wrong = invoke(
        "sign",
        files["unsigned"],
        "-o",
        tmp_path / "o.edxml",
        "--pkcs12",
        files["pkcs12"],
        "--password-env",
        "P",
        env={"P": "wrong"},
    )
    assert wrong.exit_code == 2
    assert "wrong password" in wrong.output
    unset = invoke(
        "sign",
        files["unsigned"],
        "-o",
        tmp_path / "o.edxml",
        "--pkcs12",
        files["pkcs12"],
        "--password-env",
        "UNSET_VARIABLE_FOR_TEST",
    )
    assert unset.exit_code == 2
    assert "UNSET_VARIABLE_FOR_TEST is not set" in unset.output
    assert not (tmp_path / "o.edxml").exists()
