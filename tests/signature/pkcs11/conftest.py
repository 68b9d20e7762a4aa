"""A SoftHSM2 token for the PKCS#11 tests, made once per session in a temporary directory.

The token ``vbdt-test`` (user PIN ``1234``) holds the RSA and the EC test PKI's person keys
with their certificates: labels ``rsa-person`` / ``ec-person``, ids ``01`` / ``02``.
"""

from __future__ import annotations

import datetime
import os
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import attrs
import pytest
from cryptography.hazmat.primitives import serialization

from vbdt_exchange.signature.keys_pkcs11 import find_softhsm_module
from vbdt_exchange.testing.pki import TestPKI

NOW = datetime.datetime(2026, 1, 15, 9, 30, tzinfo=datetime.UTC)
TOKEN = "vbdt-test"
PIN = "1234"


@attrs.frozen
class Token:
    module: Path
    label: str
    pin: str
    rsa: TestPKI
    ec: TestPKI


def _import(session: object, pki: TestPKI, label: str, object_id: bytes) -> None:
    import pkcs11
    from pkcs11.util.ec import decode_ec_private_key
    from pkcs11.util.rsa import decode_rsa_private_key
    from pkcs11.util.x509 import decode_x509_certificate

    key = pki.person.private_key
    der = key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    )
    attrs_ = decode_rsa_private_key(der) if pki.key_type == "rsa" else decode_ec_private_key(der)
    attrs_.update(
        {
            pkcs11.Attribute.TOKEN: True,
            pkcs11.Attribute.PRIVATE: True,
            pkcs11.Attribute.SENSITIVE: True,
            pkcs11.Attribute.SIGN: True,
            pkcs11.Attribute.LABEL: label,
            pkcs11.Attribute.ID: object_id,
        }
    )
    session.create_object(attrs_)  # type: ignore[attr-defined]
    cert = decode_x509_certificate(pki.person.certificate.public_bytes(serialization.Encoding.DER))
    cert.update(
        {
            pkcs11.Attribute.TOKEN: True,
            pkcs11.Attribute.LABEL: label,
            pkcs11.Attribute.ID: object_id,
        }
    )
    session.create_object(cert)  # type: ignore[attr-defined]


@pytest.fixture
def token(require_tool: Callable[[str, str], str], request: pytest.FixtureRequest) -> Token:
    """The session's SoftHSM2 token (skips without softhsm2-util; fails in CI)."""
    require_tool("softhsm2-util", "softhsm2")
    made: Token = request.getfixturevalue("_softhsm_token")
    return made


@pytest.fixture(scope="session")
def _softhsm_token(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Token]:
    util = shutil.which("softhsm2-util")
    assert util is not None  # checked by ``token`` first
    module = find_softhsm_module()
    if module is None:
        pytest.fail("softhsm2-util is installed but its PKCS#11 module was not found")
    pkcs11 = pytest.importorskip("pkcs11")
    base = tmp_path_factory.mktemp("softhsm")
    (base / "tokens").mkdir()
    conf = base / "softhsm2.conf"
    conf.write_text(
        f"directories.tokendir = {base / 'tokens'}\nobjectstore.backend = file\nlog.level = ERROR\n"
    )
    old = os.environ.get("SOFTHSM2_CONF")
    os.environ["SOFTHSM2_CONF"] = str(conf)
    try:
        subprocess.run(
            [util, "--init-token", "--free", "--label", TOKEN, "--pin", PIN, "--so-pin", "5678"],
            check=True,
            capture_output=True,
        )
        lib = pkcs11.lib(str(module))
        lib.reinitialize()  # SoftHSM reads SOFTHSM2_CONF when initialised
        rsa_pki = TestPKI.generate(now=NOW)
        ec_pki = TestPKI.generate(now=NOW, key_type="ec")
        with lib.get_token(token_label=TOKEN).open(rw=True, user_pin=PIN) as session:
            _import(session, rsa_pki, "rsa-person", b"\x01")
            _import(session, ec_pki, "ec-person", b"\x02")
        yield Token(module, TOKEN, PIN, rsa_pki, ec_pki)
    finally:
        if old is None:
            os.environ.pop("SOFTHSM2_CONF", None)
        else:
            os.environ["SOFTHSM2_CONF"] = old
