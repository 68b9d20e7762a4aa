"""``vbdt sign`` and ``vbdt verify``: XML signatures on packages."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import click

from vbdt_exchange.cli._main import EXIT_ERRORS, EXIT_OK, cli, fail, guarded, recover_option
from vbdt_exchange.envelope.reader import ReadOptions
from vbdt_exchange.signature.keys import KeySigner, load_pem, load_pkcs12
from vbdt_exchange.signature.policy import Indication, VerificationPolicy
from vbdt_exchange.signature.xml import PROFILES, Verification, sign_package, verify_package

__all__ = ["sign", "verify"]

_ALGORITHMS = (
    "rsa-sha256",
    "rsa-sha384",
    "rsa-sha512",
    "rsa-pss-sha256",
    "rsa-pss-sha384",
    "rsa-pss-sha512",
    "ecdsa-sha256",
    "ecdsa-sha384",
    "ecdsa-sha512",
)
_FILE = click.Path(dir_okay=False, path_type=Path)


def _secret(variable: str | None) -> str | None:
    if variable is None:
        return None
    value = os.environ.get(variable)
    if value is None:
        raise fail(f"the environment variable {variable} is not set")
    return value


@cli.command("sign")
@click.argument("package", type=_FILE)
@click.option("-o", "--output", required=True, type=_FILE, metavar="OUT", help="Where to write.")
@click.option("--pkcs12", type=_FILE, metavar="FILE", help="The key and certificate (.p12/.pfx).")
@click.option(
    "--password-env", metavar="VAR", help="The environment variable holding the PKCS#12 password."
)
@click.option("--key", type=_FILE, metavar="KEY.pem", help="A PEM private key (with --cert).")
@click.option(
    "--cert",
    type=_FILE,
    metavar="CERT.pem",
    help="The PEM certificate of --key, optionally followed by its chain.",
)
@click.option("--chain", type=_FILE, metavar="PEM", help="More CA certificates to embed (PEM).")
@click.option(
    "--key-password-env",
    metavar="VAR",
    help="The environment variable holding the password of an encrypted --key.",
)
@click.option(
    "--algorithm",
    type=click.Choice(_ALGORITHMS),
    help="Default: rsa-sha256 for RSA keys, ecdsa-sha256 for EC keys.",
)
@click.option(
    "--profile",
    type=click.Choice(PROFILES),
    default="xades-b-b",
    show_default=True,
    help="xades-b-b adds the signing time and certificate as signed properties.",
)
@recover_option
@guarded
def sign(
    package: Path,
    output: Path,
    pkcs12: Path | None,
    password_env: str | None,
    key: Path | None,
    cert: Path | None,
    chain: Path | None,
    key_password_env: str | None,
    algorithm: str | None,
    profile: str,
    recover: bool,
) -> None:
    """Sign PACKAGE with an enveloped XML signature and write it to OUT.

    The key comes from --pkcs12 FILE, or from --key and --cert. Passwords are read from
    environment variables, never from the command line.
    """
    signer: KeySigner
    if pkcs12 is not None:
        if key is not None or cert is not None:
            raise fail("give either --pkcs12 or --key and --cert, not both")
        signer = load_pkcs12(pkcs12, _secret(password_env))
    elif key is not None and cert is not None:
        signer = load_pem(key, cert, _secret(key_password_env), chain=chain or ())
    else:
        raise fail("a key is needed: --pkcs12 FILE, or --key KEY.pem with --cert CERT.pem")
    result = sign_package(
        package,
        output,
        signer,
        algorithm=algorithm,  # type: ignore[arg-type]
        profile=profile,  # type: ignore[arg-type]
        read_options=ReadOptions(recover=recover),
        strict=False,
    )
    click.echo(
        f"signed {output} ({result.profile}, {result.algorithm}) as "
        f"{result.certificate.subject.rfc4514_string()}"
    )


@cli.command("verify")
@click.argument("package", type=_FILE)
@click.option(
    "--trust",
    "trust_paths",
    multiple=True,
    type=click.Path(path_type=Path),
    metavar="PEM_OR_DIR",
    help="Trust anchors: PEM/DER files or directories (repeatable).",
)
@click.option(
    "--crl", "crls", multiple=True, type=_FILE, metavar="FILE", help="A CRL to use (repeatable)."
)
@click.option(
    "--revocation",
    type=click.Choice(["hard-fail", "soft-fail", "off"]),
    default="soft-fail",
    show_default=True,
    help="What an unknown revocation status does to the verdict.",
)
@click.option("--allow-fetching", is_flag=True, help="Fetch CRLs and OCSP responses online.")
@click.option("--allow-sha1", is_flag=True, help="Accept SHA-1 (legacy verification), flagged.")
@click.option(
    "--integrity-only",
    is_flag=True,
    help="Without --trust, PASSED when intact (the signer is still reported untrusted).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@recover_option
@guarded
def verify(
    package: Path,
    trust_paths: tuple[Path, ...],
    crls: tuple[Path, ...],
    revocation: str,
    allow_fetching: bool,
    allow_sha1: bool,
    integrity_only: bool,
    as_json: bool,
    recover: bool,
) -> None:
    """Verify the XML signatures of PACKAGE.

    Exit code 0 when every signature PASSED, 1 when one is FAILED or INDETERMINATE (or there is
    none), 2 when PACKAGE cannot be read.
    """
    from vbdt_exchange.signature.trust import TrustStore

    trust = TrustStore.from_paths(trust_paths) if trust_paths else None
    policy = VerificationPolicy(
        revocation=revocation,  # type: ignore[arg-type]
        allow_sha1=allow_sha1,
        allow_fetching=allow_fetching,
        require_trust=not integrity_only,
        crls=tuple(p.read_bytes() for p in crls),
    )
    with verify_package(
        package, trust=trust, policy=policy, options=ReadOptions(recover=recover)
    ) as result:
        if as_json:
            data: dict[str, Any] = {"file": str(package), **result.to_dict()}
            click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        else:
            _print(package, result)
    code = EXIT_OK if result.indication is Indication.PASSED else EXIT_ERRORS
    sys.exit(code)


def _print(package: Path, result: Verification) -> None:
    click.echo(f"{package}: {result.indication}")
    for finding in result.findings:
        if finding.path is None:
            click.echo(f"  {finding}")
    for check in result.signatures:
        click.echo(f"  signature {check.path} ({check.kind}): {check.indication}")
        if check.signer is not None:
            click.echo(f"    signer: {check.signer.subject.rfc4514_string()}")
        if check.signing_time is not None:
            click.echo(f"    signing time (claimed): {check.signing_time.isoformat()}")
        for finding in check.findings:
            click.echo(f"    {finding.severity} {finding.rule}: {finding.message}")
