"""Comparing Vietnamese text: the one folding function the catalogue modules share."""

from __future__ import annotations

import unicodedata

__all__ = ["fold"]


def fold(value: object) -> str:
    """Fold text for comparison: NFC/NFD-insensitive, no diacritics, ``đ`` → ``d``,
    case-folded, white space collapsed. Anything that is not text folds to ``''``.

    >>> fold('  Thượng   KHẨN ')
    'thuong khan'
    >>> fold('Đề án') == fold('de an')
    True
    >>> fold(None)
    ''
    """
    if not isinstance(value, str):
        return ""
    text = unicodedata.normalize("NFD", value).replace("đ", "d").replace("Đ", "D")
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(text.casefold().split())
