"""The compiled normalisation table behaves in `tokenizers` as the table says."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from monitors.sentiment.charsmap import build_precompiled_charsmap

TABLE = {
    0xFF21: "A",  # fullwidth A
    0xFF01: "!",
    0x3000: " ",  # ideographic space
    0x0007: "",  # control character: deleted
    0x2460: "1",  # circled digit one
    0xFB01: "fi",  # ligature: one codepoint to two
    0x1F600: "x",  # a 4-byte key
    0x00C5: "Å",  # maps to itself in NFC terms, but through the table
}


def _normalizer() -> object:
    from tokenizers import normalizers

    return normalizers.Precompiled(build_precompiled_charsmap(TABLE))


def test_each_entry_maps_and_other_text_passes_through() -> None:
    norm = _normalizer()
    for cp, repl in TABLE.items():
        assert norm.normalize_str(f"保{chr(cp)}险") == f"保{repl}险"  # type: ignore[attr-defined]
    assert norm.normalize_str("中国平安 Ping An 2024") == "中国平安 Ping An 2024"  # type: ignore[attr-defined]


@settings(max_examples=300)
@given(st.text(max_size=20))
def test_any_text_is_safe_even_with_a_tiny_table(text: str) -> None:
    from tokenizers import normalizers

    # every lookup walks the trie with arbitrary bytes; unmapped text must pass unchanged
    norm = normalizers.Precompiled(build_precompiled_charsmap({0xFF01: "!"}))
    text = text.replace("\uff01", "")
    assert norm.normalize_str(text) == text


@settings(max_examples=200)
@given(st.text(alphabet=st.sampled_from([chr(c) for c in TABLE] + list("保险ab 1")), max_size=30))
def test_normalizes_like_a_per_codepoint_lookup(text: str) -> None:
    expected = "".join(TABLE.get(ord(ch), ch) for ch in text)
    assert _normalizer().normalize_str(text) == expected  # type: ignore[attr-defined]


def test_larger_tables_compile() -> None:
    table = {cp: chr(cp - 0xFEE0) for cp in range(0xFF01, 0xFF5F)}
    table.update({cp: "" for cp in range(0x80, 0xA0)})
    norm = _normalizer_for(table)
    assert norm.normalize_str("ＡＢＣ１２３\x85") == "ABC123"  # type: ignore[attr-defined]


def _normalizer_for(table: dict[int, str]) -> object:
    from tokenizers import normalizers

    return normalizers.Precompiled(build_precompiled_charsmap(table))
