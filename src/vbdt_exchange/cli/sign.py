"""``vbdt sign`` and ``vbdt verify``: XML signatures on packages."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from vbdt_exchange.cli._main import EXIT_ERRORS, EXIT_OK, cli, guarded, recover_option
from vbdt_exchange.cli._signing import (
    FILE,
    key_options,
    load_signer,
    trust_and_policy,
    verification_options,
)
from vbdt_exchange.envelope.reader import ReadOptions
from vbdt_exchange.signature.policy import Indication
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


@cli.command("sign")
@click.argument("package", type=FILE)
@click.option("-o", "--output", required=True, type=FILE, metavar="OUT", help="Where to write.")
@key_options
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
    signer = load_signer(pkcs12, password_env, key, cert, chain, key_password_env)
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
@click.argument("package", type=FILE)
@verification_options
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
    trust, policy = trust_and_policy(
        trust_paths,
        crls,
        revocation,
        allow_fetching,
        allow_sha1,
        require_trust=not integrity_only,
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
