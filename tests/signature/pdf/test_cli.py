"""``vbdt pdf sign`` and ``vbdt pdf verify``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from vbdt_exchange.cli._main import load_commands
from vbdt_exchange.testing.pki import TestPKI
from vbdt_exchange.testing.tsa import TSAServer


@pytest.fixture
def files(pki: TestPKI, tmp_path: Path, document: bytes, scribble: bytes, seal: bytes) -> Path:
    pki.person.write(tmp_path, password=b"mk-nguoi-ky")
    pki.organisation.write(tmp_path, password=b"mk-co-quan")
    (tmp_path / "root.pem").write_bytes(pki.root.pem())
    (tmp_path / "crl.der").write_bytes(pki.crl_der())
    (tmp_path / "in.pdf").write_bytes(document)
    (tmp_path / "chu-ky.png").write_bytes(scribble)
    (tmp_path / "con-dau.png").write_bytes(seal)
    return tmp_path


def run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(load_commands(), list(args), env=env, catch_exceptions=False)
    return result.exit_code, result.output


def test_sign_signer_then_organisation_and_verify(files: Path, tsa: TSAServer) -> None:
    d = str(files)
    code, out = run(
        "pdf", "sign", f"{d}/in.pdf", "-o", f"{d}/1.pdf", "--role", "signer",
        "--pkcs12", f"{d}/person.p12", "--password-env", "PW", "--image", f"{d}/chu-ky.png",
        "--anchor-text", "Nguyễn Văn An", "--level", "b-t", "--tsa", tsa.url,
        env={"PW": "mk-nguoi-ky"},
    )  # fmt: skip
    assert code == 0, out
    assert out.startswith(f"signed {d}/1.pdf (B-T, field NguoiKy on page 2 at ")
    code, out = run(
        "pdf", "sign", f"{d}/1.pdf", "-o", f"{d}/2.pdf", "--role", "organisation",
        "--key", f"{d}/organisation.key.pem", "--cert", f"{d}/organisation-chain.pem",
        "--key-password-env", "PW", "--image", f"{d}/con-dau.png", "--level", "b-lt",
        "--tsa", tsa.url, "--trust", f"{d}/root.pem", "--crl", f"{d}/crl.der",
        env={"PW": "mk-co-quan"},
    )  # fmt: skip
    assert code == 0, out
    assert "(B-LT, field CoQuan on page 2" in out
    code, out = run("pdf", "verify", f"{d}/2.pdf", "--trust", f"{d}/root.pem")
    assert code == 0, out
    assert "Chữ ký hợp lệ [PASSED]" in out
    assert out.rstrip().endswith("Kết quả: PASSED (2 chữ ký)")
    code, out = run("pdf", "verify", f"{d}/2.pdf", "--trust", f"{d}/root.pem", "--json")
    assert code == 0
    data = json.loads(out)
    assert data["indication"] == "PASSED"
    assert [s["level"] for s in data["signatures"]] == ["b-lt", "b-lt"]
    code, out = run("pdf", "verify", f"{d}/2.pdf", "--lang", "en")  # no trust anchors
    assert code == 1
    assert "Result: INDETERMINATE" in out


def test_attachment_and_copy_roles(files: Path) -> None:
    d = str(files)
    env = {"PW": "mk-co-quan"}
    key = ["--pkcs12", f"{d}/organisation.p12", "--password-env", "PW"]
    code, out = run(
        "pdf", "sign", f"{d}/in.pdf", "-o", f"{d}/a.pdf", "--role", "attachment", *key,
        "--number-notation", "3244/UBND-VP", env=env,
    )  # fmt: skip
    assert code == 0, out
    assert "field VanThu on page 1" in out
    code, out = run(
        "pdf", "sign", f"{d}/in.pdf", "-o", f"{d}/c.pdf", "--role", "copy", *key,
        "--copy-form", "TRÍCH SAO", "--copy-org", "UBND tỉnh Nghệ An",
        "--copy-number", "05/TrS-UBND", env=env,
    )  # fmt: skip
    assert code == 0, out
    code, out = run(
        "pdf", "verify", f"{d}/c.pdf", "--trust", f"{d}/root.pem", "--crl", f"{d}/crl.der"
    )
    assert code == 0, out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--role", "signer", "--image", "chu-ky.png"], "needs either --anchor-text TEXT or --box"),
        (["--role", "signer"], "--role signer needs --image PNG"),
        (
            ["--role", "signer", "--image", "chu-ky.png", "--box", "1,2,3"],
            "--box must be x1,y1,x2,y2",
        ),
        (["--role", "organisation"], "needs --image PNG (the seal)"),
        (
            ["--role", "signer", "--image", "chu-ky.png", "--box", "1,1,9,9", "--page", "0"],
            "counts from 1",
        ),
        (
            ["--role", "signer", "--image", "chu-ky.png", "--box", "1,1,9,9", "--page", "3"],
            "page index 2 is out of range: the PDF has 2 page(s)",
        ),
        (["--role", "attachment"], "needs --number-notation"),
        (["--role", "copy", "--copy-form", "SAO Y"], "needs --copy-form and --copy-org"),
        (["--role", "organisation", "--image", "con-dau.png"], "no signed, visible signature"),
        (
            ["--role", "attachment", "--number-notation", "1/A", "--level", "b-t"],
            "needs a time-stamping",
        ),
    ],
)
def test_sign_errors_exit_2(
    files: Path, args: list[str], message: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(files)
    code, out = run(
        "pdf", "sign", "in.pdf", "-o", "out.pdf", "--pkcs12", "organisation.p12",
        "--password-env", "PW", *args, env={"PW": "mk-co-quan"},
    )  # fmt: skip
    assert code == 2
    assert message in out
    assert not (files / "out.pdf").exists()


def test_key_errors(files: Path) -> None:
    d = str(files)
    code, out = run("pdf", "sign", f"{d}/in.pdf", "-o", f"{d}/o.pdf", "--role", "attachment")
    assert code == 2
    assert "a key is needed: --pkcs12 FILE, or --key KEY.pem with --cert CERT.pem" in out
    code, out = run(
        "pdf", "sign", f"{d}/in.pdf", "-o", f"{d}/o.pdf", "--role", "attachment",
        "--pkcs12", f"{d}/person.p12", "--password-env", "NOPE",
    )  # fmt: skip
    assert code == 2
    assert "the environment variable NOPE is not set" in out
    code, out = run(
        "pdf", "sign", f"{d}/in.pdf", "-o", f"{d}/o.pdf", "--role", "attachment",
        "--pkcs12", f"{d}/person.p12", "--password-env", "PW", env={"PW": "sai"},
    )  # fmt: skip
    assert code == 2
    assert "PKCS#12" in out


def test_verify_exit_codes(files: Path, document: bytes, encrypted_pdf: bytes) -> None:
    d = str(files)
    code, out = run("pdf", "verify", f"{d}/in.pdf", "--trust", f"{d}/root.pem")
    assert code == 1
    assert "SIG309" in out
    (files / "enc.pdf").write_bytes(encrypted_pdf)
    code, out = run("pdf", "verify", f"{d}/enc.pdf")
    assert code == 2
    assert out.startswith("vbdt: error: the PDF is encrypted")
    (files / "half.pdf").write_bytes(document[:3000])
    code, out = run("pdf", "verify", f"{d}/half.pdf")
    assert code == 2
    assert out.startswith("vbdt: error:")
    code, out = run("pdf", "verify", f"{d}/missing.pdf")
    assert code == 2


def test_the_command_line_does_not_pass_on_dependency_warnings(files: Path) -> None:
    """pyHanko's import of cryptography's deprecated DSA class warns; ``vbdt`` keeps it quiet."""
    import subprocess
    import sys

    d = str(files)
    done = subprocess.run(
        [sys.executable, "-W", "default", "-m", "vbdt_exchange", "pdf", "verify", f"{d}/in.pdf"],
        capture_output=True, text=True, check=False, timeout=120,
    )  # fmt: skip
    assert "Warning" not in done.stderr, done.stderr
    assert "pdf" in (done.stdout + done.stderr).lower()  # it really ran the command
