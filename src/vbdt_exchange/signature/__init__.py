"""Digital signatures: XML signatures on edXML packages, PDF signatures, and trust.

* :mod:`vbdt_exchange.signature.xml` — sign a package (enveloped XML-DSig, XAdES-B-B) and verify
  one, returning exactly what the signature covers.
* :mod:`vbdt_exchange.signature.keys` — where a signing key lives: PKCS#12, PEM, a callable for
  remote signing services, PKCS#11 tokens (the ``pkcs11`` extra).
* :mod:`vbdt_exchange.signature.trust` — trust stores, certificate chains, CRL and OCSP checks
  under a :class:`~vbdt_exchange.signature.policy.VerificationPolicy`.
* :mod:`vbdt_exchange.signature.pdf` — PAdES signatures laid out as Nghị định 30/2020 prescribes
  (the ``pdf`` extra).
* :mod:`vbdt_exchange.signature.rules` — the ``SIG`` rule catalogue of findings.
"""
