"""Test helpers that ship with the library, for this project's tests and for integrators'.

* :mod:`vbdt_exchange.testing.pki` — a throw-away test PKI (root, intermediate, organisation and
  person certificates, an expired and a revoked one, a CRL) and an in-process HTTP server on
  loopback serving the CRL, the CA certificates and OCSP.

* :mod:`vbdt_exchange.testing.tsa` — an RFC 3161 time-stamping authority on loopback, for PAdES
  B-T and above.
* :mod:`vbdt_exchange.testing.axis` — :class:`~vbdt_exchange.testing.axis.LocalAxis`, the local
  reference axis on a free loopback port with registered systems.
* :mod:`vbdt_exchange.testing.pytest_plugin` — the pytest plugin (entry point ``vbdt_exchange``):
  fixtures ``vbdt_axis``, ``vbdt_axis_factory`` and ``vbdt_package_factory``.
* :mod:`vbdt_exchange.testing.mailserver` — :class:`~vbdt_exchange.testing.mailserver.MailServer`:
  an SMTP server (aiosmtpd) and a private Dovecot IMAP server on loopback, for the e-mail channel.
* :mod:`vbdt_exchange.testing.demo` — the demo exchange behind ``vbdt demo``.
"""
