"""A key on a PKCS#11 token (SoftHSM2) signs a PDF through the keys.Signer protocol.

SoftHSM reads its configuration once per process, so the token is made and used in a child
process with its own ``SOFTHSM2_CONF`` (the PKCS#11 tests of the keys module use the same
library in this process)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

from vbdt_exchange.signature.keys_pkcs11 import find_softhsm_module
from vbdt_exchange.signature.pdf import verify_pdf
from vbdt_exchange.signature.policy import Indication, VerificationPolicy
from vbdt_exchange.signature.trust import TrustStore
from vbdt_exchange.testing.pki import TestPKI

CHILD = textwrap.dedent(
    """
    import os, subprocess, sys
    from pathlib import Path
    import pkcs11
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization
    from pkcs11.util.rsa import decode_rsa_private_key
    from vbdt_exchange.signature.keys_pkcs11 import Pkcs11Signer
    from vbdt_exchange.signature.pdf import sign_pdf

    util, module, base = sys.argv[1], sys.argv[2], Path(sys.argv[3])
    subprocess.run([util, "--init-token", "--free", "--label", "pdf-test", "--pin", "1234",
                    "--so-pin", "5678"], check=True, capture_output=True)
    key = serialization.load_pem_private_key((base / "person.key.pem").read_bytes(), None)
    chain = x509.load_pem_x509_certificates((base / "person-chain.pem").read_bytes())
    der = key.private_bytes(serialization.Encoding.DER,
                            serialization.PrivateFormat.TraditionalOpenSSL,
                            serialization.NoEncryption())
    attributes = decode_rsa_private_key(der)
    attributes.update({pkcs11.Attribute.TOKEN: True, pkcs11.Attribute.PRIVATE: True,
                       pkcs11.Attribute.SENSITIVE: True, pkcs11.Attribute.SIGN: True,
                       pkcs11.Attribute.LABEL: "nguoi-ky", pkcs11.Attribute.ID: b"\\x01"})
    with pkcs11.lib(module).get_token(token_label="pdf-test").open(rw=True, user_pin="1234") as s:
        s.create_object(attributes)
    with Pkcs11Signer.open(module, token_label="pdf-test", pin="1234", key_label="nguoi-ky",
                           certificate=chain[0], chain=chain[1:-1]) as signer:
        document = (base / "in.pdf").read_bytes()
        (base / "p11.pdf").write_bytes(sign_pdf(document, signer).data)
        (base / "p11-pss.pdf").write_bytes(sign_pdf(document, signer, pss=True).data)
    """
)


def test_a_token_key_signs_pdfs(
    pki: TestPKI,
    document: bytes,
    trust: TrustStore,
    policy: VerificationPolicy,
    tmp_path: Path,
    require_tool: Callable[[str, str], str],
    pdfsig: Callable[[bytes], list[str]],
) -> None:
    util = require_tool("softhsm2-util", "softhsm2")
    module = find_softhsm_module()
    assert module is not None, "softhsm2-util is installed but its PKCS#11 module is not"
    pki.person.write(tmp_path)
    (tmp_path / "in.pdf").write_bytes(document)
    (tmp_path / "tokens").mkdir()
    conf = tmp_path / "softhsm2.conf"
    conf.write_text(
        f"directories.tokendir = {tmp_path / 'tokens'}\nobjectstore.backend = file\n"
        "log.level = ERROR\n"
    )
    env = {**os.environ, "SOFTHSM2_CONF": str(conf)}
    done = subprocess.run(
        [sys.executable, "-c", CHILD, util, str(module), str(tmp_path)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    for name in ("p11.pdf", "p11-pss.pdf"):
        data = (tmp_path / name).read_bytes()
        report = verify_pdf(data, trust=trust, policy=policy)
        assert report.indication is Indication.PASSED, report.render("en")
        assert report.signatures[0].signer_name == "Nguyễn Văn An (TEST)"
        assert pdfsig(data) == ["Signature is Valid."]
