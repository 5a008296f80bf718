"""Personal and business names: folding and a pinyin key for fuzzy matching."""

from __future__ import annotations

import re
from difflib import SequenceMatcher
from functools import lru_cache

from models.identity import fold_width


@lru_cache(maxsize=65536)
def fold_name(name: str) -> str:
    """Simplified Chinese, half-width, lower case, no whitespace or separators."""
    import zhconv

    value = zhconv.convert(fold_width(name), "zh-cn")
    return re.sub(r"[\s·•.\-_]+", "", value).lower()


@lru_cache(maxsize=65536)
def pinyin_key(name: str) -> str:
    """The folded name in toneless pinyin, syllables joined (张伟 -> zhangwei)."""
    from pypinyin import lazy_pinyin

    return "".join(lazy_pinyin(fold_name(name)))


def name_similarity(a: str, b: str) -> float:
    """0..1: 1 for the same folded name, high for same-sounding names (homophones)."""
    return key_similarity(fold_name(a), pinyin_key(a), fold_name(b), pinyin_key(b))


def key_similarity(folded_a: str, pinyin_a: str, folded_b: str, pinyin_b: str) -> float:
    """:func:`name_similarity` from already folded names and pinyin keys (as stored on parties)."""
    if not folded_a or not folded_b:
        return 0.0
    if folded_a == folded_b:
        return 1.0
    by_chars = SequenceMatcher(None, folded_a, folded_b).ratio()
    by_sound = SequenceMatcher(None, pinyin_a, pinyin_b).ratio()
    return round(max(by_chars, 0.9 * by_sound), 4)
