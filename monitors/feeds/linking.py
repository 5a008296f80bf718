"""Entity linking: which subjects and parties a text names, with one Aho-Corasick pass.

The automaton holds the folded names of the configured subjects (the company, its brands
and products, with aliases) and of the graph's parties that act in the company's name
(repair shops, agents, brokers, dealers, adjusters). Texts are folded the same way
(simplified Chinese, half-width, lower case, no spaces or punctuation), so 鑫達汽修 and
"鑫达 汽修" both reach the shop. Names shorter than ``min_chars`` are left out: they would
match inside unrelated words. Customers are private persons and are never linked.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import ahocorasick
import anyio

from graph.media.mentions import MentionRepository
from models.media import SubjectSpec, fold_text


@dataclass(frozen=True)
class NamedNode:
    """A node that texts may name: its id and every name it goes by."""

    id: str
    names: tuple[str, ...]


def _is_ascii_word(char: str) -> bool:
    return char.isascii() and char.isalnum()


class EntityLinker:
    """Finds the nodes a folded text names (longest matches, no overlaps)."""

    def __init__(self, nodes: Iterable[NamedNode], min_chars: int = 3) -> None:
        self._automaton = ahocorasick.Automaton()
        targets: dict[str, set[str]] = {}
        spelled: dict[str, str] = {}  # folded name -> the name as configured (first seen)
        for node in nodes:
            for name in node.names:
                folded = fold_text(name)
                if len(folded) >= min_chars:
                    targets.setdefault(folded, set()).add(node.id)
                    spelled.setdefault(folded, name.strip())
        for folded, ids in targets.items():
            self._automaton.add_word(folded, (folded, tuple(sorted(ids)), spelled[folded]))
        self.size = len(targets)
        if targets:
            self._automaton.make_automaton()

    def link(self, folded_text: str) -> set[str]:
        """Ids of the nodes named in ``folded_text`` (already folded with ``fold_text``)."""
        return set(self.link_names(folded_text))

    def link_names(self, folded_text: str) -> dict[str, str]:
        """The nodes named in ``folded_text``, each with the name (or alias) that matched,
        as configured: the entity the sentiment model reads the text about."""
        found: dict[str, str] = {}
        if not self.size or not folded_text:
            return found
        for end, (name, ids, spelling) in self._automaton.iter_long(folded_text):
            start = end - len(name) + 1
            # A latin name must stand alone: "pingan" must not match inside "pinganfu".
            if _is_ascii_word(name[0]) and start > 0 and _is_ascii_word(folded_text[start - 1]):
                continue
            after = end + 1
            if (
                _is_ascii_word(name[-1])
                and after < len(folded_text)
                and _is_ascii_word(folded_text[after])
            ):
                continue
            for node_id in ids:
                found.setdefault(node_id, spelling)
        return found


class LinkerCache:
    """The current :class:`EntityLinker`, rebuilt when the graph's linkable names change.

    The stamp (count and last update of linkable parties, plus the subjects) is read once per
    poll cycle; the automaton is rebuilt in a worker thread only when it differs.
    """

    def __init__(self, mentions: MentionRepository, min_chars: int = 3) -> None:
        self.mentions = mentions
        self.min_chars = min_chars
        self._stamp: str | None = None
        self._linker = EntityLinker(())
        self.rebuilds = 0

    async def current(self) -> EntityLinker:
        """The linker for the graph as it is now."""
        stamp = await self.mentions.linkable_stamp()
        if stamp != self._stamp:
            named = await self.mentions.linkable_names()
            nodes = [NamedNode(node_id, names) for node_id, names in named]
            self._linker = await anyio.to_thread.run_sync(EntityLinker, nodes, self.min_chars)
            self._stamp = stamp
            self.rebuilds += 1
        return self._linker


async def ensure_subjects(mentions: MentionRepository, specs: Iterable[SubjectSpec]) -> None:
    """Create or refresh the configured subject nodes (idempotent; run at startup)."""
    await mentions.ensure_subjects(
        [
            {"id": s.id, "kind": s.kind.value, "name": s.name, "aliases": list(s.aliases)}
            for s in specs
        ]
    )
