"""The exceptions of :mod:`vbdt_exchange.signature.pdf` (here so private modules share them)."""

from __future__ import annotations

from vbdt_exchange.errors import SignatureError

__all__ = ["EncryptedPdfError", "PdfSignatureError"]


class PdfSignatureError(SignatureError):
    """A PDF cannot be signed or read for verification: not a PDF, broken, no room for the
    image, a missing anchor, a TSA that does not answer, a level that needs what is missing."""


class EncryptedPdfError(PdfSignatureError):
    """The PDF is encrypted; decrypt it first (signing or checking it encrypted is refused)."""
