"""Building the party search: folded phrases for the full-text index, pinyin fragments, and
typed text that can never become Lucene syntax."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from graph.network.party_search import (
    clean_text,
    fulltext_query,
    pinyin_fragment,
    search_parameters,
)

# What a query may look like: quoted runs of letters and digits joined by AND.
_SAFE = re.compile(r'"[^\W_]+"( AND "[^\W_]+")*')


def test_chinese_words_become_required_folded_phrases() -> None:
    assert fulltext_query("宏发") == '"宏发"'
    assert fulltext_query("北京 汽修") == '"北京" AND "汽修"'
    assert fulltext_query("北京宏發　汽修") == '"北京宏发" AND "汽修"', (
        "traditional, ideographic space"
    )
    assert fulltext_query("４号店") == '"4号店"'
    assert fulltext_query("汽修~2 (北京)") == '"汽修" AND "北京"'
    assert fulltext_query("qixiu") is None
    assert fulltext_query('"*~\\') is None


def test_latin_input_is_a_pinyin_fragment() -> None:
    assert pinyin_fragment("qixiu") == "qixiu"
    assert pinyin_fragment("ＱＩ ＸＩＵ") == "qixiu"
    assert pinyin_fragment("qi") is None, "too short: it would match most keys"
    assert pinyin_fragment("汽修") is None


def test_unsendable_characters_are_dropped() -> None:
    assert clean_text("\ud800汽修\x00") == "汽修"
    params = search_parameters("a\udfffb", None, 5, b"0123456789abcdef")
    assert "\udfff" not in str(params)


@given(st.text(max_size=60))
def test_any_text_makes_a_query_of_quoted_words_or_none(text: str) -> None:
    query = fulltext_query(clean_text(text))
    assert query is None or _SAFE.fullmatch(query), query
