"""Finding parties by what an analyst types: a reference, an identifier, or words of a name.

Chinese names have no spaces, so a name must be found by any word inside it. The full-text
index ``party_names`` holds every party's folded name (simplified script, half-width, lower
case: ``models.names.fold_name``) cut by Lucene's ``cjk`` analyzer into overlapping pairs of
characters; a query term, folded the same way, is searched as a phrase of its pairs, so it
matches wherever it occurs in a name (宏发 in 北京宏发汽修4号店, 汽修 in every repair shop).
Latin input is looked for inside the pinyin key through the trigram TEXT index
``party_pinyin_text`` (``qixiu`` finds the 汽修 shops too).

Whatever is typed is a search term, never query syntax: a term keeps only its letters and
digits (punctuation splits terms) and goes into the Lucene query quoted, so ``"``, ``*``,
``~``, ``AND``, ``\\`` or an unbalanced bracket can neither fail the query nor change its
meaning.
"""

from __future__ import annotations

import re
from typing import Any

from models.identity import IdentifierKind, InvalidIdentifier, make_identifier
from models.names import fold_name, pinyin_key
from models.records import PARTY_ID_PREFIX

_REF = re.compile(r"[A-Za-z]\d{6,9}")
_LATIN = re.compile(r"[A-Za-z\s'’-]+")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_NOT_WORD = re.compile(r"[\W_]+")
# Lone surrogates (valid in a JSON string, not in UTF-8) and control characters.
_UNSENDABLE = re.compile(r"[\ud800-\udfff\x00-\x1f\x7f]")
# Shorter latin fragments would match inside most pinyin keys.
MIN_PINYIN_FRAGMENT = 3
# Full-text hits read before the kind filter, per party asked for (so a filter still fills a page).
FULLTEXT_SCAN_FACTOR = 5


def clean_text(text: str) -> str:
    """The text without characters that cannot travel to Neo4j or mean nothing in a name."""
    return _UNSENDABLE.sub(" ", text).strip()


def reference_ids(text: str) -> list[str]:
    """Party node ids a reference such as ``C8000001`` or ``S9000001`` could be."""
    ref = text.strip().upper()
    if not _REF.fullmatch(ref):
        return []
    return [f"{prefix}:{ref}" for prefix in PARTY_ID_PREFIX.values()]


def identifier_ids(secret: bytes, text: str) -> list[str]:
    """Identifier node ids of ``text`` read as each identifier kind it validly is."""
    found: list[str] = []
    for kind in IdentifierKind:
        try:
            found.append(make_identifier(secret, kind, text).node_id)
        except InvalidIdentifier:
            continue
    return found


def name_keys(text: str) -> tuple[str | None, str | None]:
    """The folded-name and pinyin keys to search for (None where the text cannot be one)."""
    folded = fold_name(text)
    if len(folded) < 2:
        return None, None
    if _LATIN.fullmatch(text):
        return folded, re.sub(r"[^a-z]", "", text.lower()) or None
    return folded, pinyin_key(text)


def _phrase(term: str) -> str:
    # Terms hold only letters and digits by now; escaping keeps it so if that ever changes.
    return '"' + term.replace("\\", "\\\\").replace('"', '\\"') + '"'


def fulltext_query(text: str) -> str | None:
    """The Lucene query for the Chinese words of ``text``: each run of letters and digits
    (split at spaces and punctuation) that has a Chinese character, folded and quoted, all of
    them required; None if there is none."""
    terms = [term for raw in text.split() for term in _NOT_WORD.split(fold_name(raw))]
    phrases = [_phrase(term) for term in terms if _CJK.search(term)]
    return " AND ".join(phrases) or None


def pinyin_fragment(text: str) -> str | None:
    """The latin letters and digits of a text without Chinese, to find inside pinyin keys."""
    if _CJK.search(text):
        return None
    fragment = re.sub(r"[^a-z0-9]", "", fold_name(text))
    return fragment if len(fragment) >= MIN_PINYIN_FRAGMENT else None


def search_parameters(
    text: str, labels: list[str] | None, first: int, secret: bytes
) -> dict[str, Any]:
    """The parameters of ``SEARCH_PARTIES`` for what an analyst typed."""
    text = clean_text(text)
    name_key, pinyin = name_keys(text)
    return {
        "ids": reference_ids(text),
        "ref": text.upper(),
        "identifier_ids": identifier_ids(secret, text),
        "name_key": name_key,
        "pinyin_key": pinyin,
        "fulltext": fulltext_query(text),
        "fragment": pinyin_fragment(text),
        "labels": labels,
        "first": first,
        "scan": first * FULLTEXT_SCAN_FACTOR if labels else first,
    }
