"""Test helpers that ship with the library, for this project's tests and for integrators'.

* :mod:`vbdt_exchange.testing.pki` — a throw-away test PKI (root, intermediate, organisation and
  person certificates, an expired and a revoked one, a CRL) and an in-process HTTP server on
  loopback serving the CRL, the CA certificates and OCSP.

The local reference axis and the pytest plugin come with their issues.
"""
