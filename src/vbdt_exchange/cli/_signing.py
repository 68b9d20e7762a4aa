"""Options shared by the signing commands (``vbdt sign``/``verify``, ``vbdt pdf sign``/``verify``).

* :func:`key_options` adds ``--pkcs12``, ``--password-env``, ``--key``, ``--cert``, ``--chain``
  and ``--key-password-env``; :func:`load_signer` turns them into a
  :class:`~vbdt_exchange.signature.keys.KeySigner`. Passwords come from environment variables,
  never from the command line.
* :func:`verification_options` adds ``--trust``, ``--crl``, ``--revocation``,
  ``--allow-fetching`` and ``--allow-sha1``; :func:`trust_and_policy` builds the trust store and
  the :class:`~vbdt_exchange.signature.policy.VerificationPolicy`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from vbdt_exchange.cli._main import fail, secret_from_env
from vbdt_exchange.signature.keys import KeySigner, load_pem, load_pkcs12
from vbdt_exchange.signature.policy import VerificationPolicy
from vbdt_exchange.signature.trust import TrustStore

__all__ = [
    "FILE",
    "key_options",
    "load_signer",
    "trust_and_policy",
    "verification_options",
]

F = TypeVar("F", bound=Callable[..., Any])
FILE = click.Path(dir_okay=False, path_type=Path)


def _apply(func: F, options: list[Callable[[F], F]]) -> F:
    for option in reversed(options):
        func = option(func)
    return func


def _password(variable: str | None) -> str | None:
    """The password in the environment variable ``variable`` (``None`` when none is named)."""
    return None if variable is None else secret_from_env(variable)


def key_options(func: F) -> F:
    """Add the key options; the command receives ``pkcs12``, ``password_env``, ``key``,
    ``cert``, ``chain`` and ``key_password_env``."""
    return _apply(
        func,
        [
            click.option(
                "--pkcs12", type=FILE, metavar="FILE", help="The key and certificate (.p12/.pfx)."
            ),
            click.option(
                "--password-env",
                metavar="VAR",
                help="The environment variable holding the PKCS#12 password.",
            ),
            click.option(
                "--key", type=FILE, metavar="KEY.pem", help="A PEM private key (with --cert)."
            ),
            click.option(
                "--cert",
                type=FILE,
                metavar="CERT.pem",
                help="The PEM certificate of --key, optionally followed by its chain.",
            ),
            click.option(
                "--chain", type=FILE, metavar="PEM", help="More CA certificates to embed (PEM)."
            ),
            click.option(
                "--key-password-env",
                metavar="VAR",
                help="The environment variable holding the password of an encrypted --key.",
            ),
        ],
    )


def load_signer(
    pkcs12: Path | None,
    password_env: str | None,
    key: Path | None,
    cert: Path | None,
    chain: Path | None,
    key_password_env: str | None,
) -> KeySigner:
    """The signer the key options name."""
    if pkcs12 is not None:
        if key is not None or cert is not None:
            raise fail("give either --pkcs12 or --key and --cert, not both")
        return load_pkcs12(pkcs12, _password(password_env))
    if key is not None and cert is not None:
        return load_pem(key, cert, _password(key_password_env), chain=chain or ())
    raise fail("a key is needed: --pkcs12 FILE, or --key KEY.pem with --cert CERT.pem")


def verification_options(func: F) -> F:
    """Add the trust and policy options; the command receives ``trust_paths``, ``crls``,
    ``revocation``, ``allow_fetching`` and ``allow_sha1``."""
    return _apply(
        func,
        [
            click.option(
                "--trust",
                "trust_paths",
                multiple=True,
                type=click.Path(path_type=Path),
                metavar="PEM_OR_DIR",
                help="Trust anchors: PEM/DER files or directories (repeatable).",
            ),
            click.option(
                "--crl",
                "crls",
                multiple=True,
                type=FILE,
                metavar="FILE",
                help="A CRL to use (repeatable).",
            ),
            click.option(
                "--revocation",
                type=click.Choice(["hard-fail", "soft-fail", "off"]),
                default="soft-fail",
                show_default=True,
                help="What an unknown revocation status does to the verdict.",
            ),
            click.option(
                "--allow-fetching", is_flag=True, help="Fetch CRLs and OCSP responses online."
            ),
            click.option(
                "--allow-sha1", is_flag=True, help="Accept SHA-1 (legacy verification), flagged."
            ),
        ],
    )


def trust_and_policy(
    trust_paths: tuple[Path, ...],
    crls: tuple[Path, ...],
    revocation: str,
    allow_fetching: bool,
    allow_sha1: bool,
    *,
    require_trust: bool = True,
) -> tuple[TrustStore | None, VerificationPolicy]:
    """The trust store (``None`` without ``--trust``) and the policy the options describe."""
    trust = TrustStore.from_paths(trust_paths) if trust_paths else None
    policy = VerificationPolicy(
        revocation=revocation,  # type: ignore[arg-type]
        allow_sha1=allow_sha1,
        allow_fetching=allow_fetching,
        require_trust=require_trust,
        crls=tuple(p.read_bytes() for p in crls),
    )
    return trust, policy
