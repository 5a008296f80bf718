"""Renewal checks against the graph: identities in, one decision per identity out.

A batch is one query for the exact keys (and one more only when some identities carry a name
and nothing else); the decision itself is ``models.renewal.decide``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from graph.client import Graph
from graph.network import queries as q
from models.names import fold_name, key_similarity, pinyin_key
from models.renewal import (
    CandidateMatch,
    EntryRef,
    IdentityKeys,
    RenewalAction,
    decide,
    match_score,
)

NAME_CANDIDATES = 5


@dataclass(frozen=True)
class Decision:
    """A renewal decision: the action, the entries behind it, the parties matched."""

    action: RenewalAction
    reasons: tuple[tuple[EntryRef, RenewalAction], ...]
    matches: tuple[CandidateMatch, ...]
    checked_at: datetime


def _candidate(record: Mapping[str, Any], given: tuple[str, str] | None) -> CandidateMatch:
    match = CandidateMatch(
        party_id=record["party_id"],
        name=record["name"] or "",
        id_masked=record["id_masked"],
        phone_masked=record["phone_masked"],
        matched_on=set(record["keys"]),
        entries=[EntryRef(e["id"], e["reason"], e["status"]) for e in record["entries"]],
    )
    similarity = None
    if given is not None:
        # The party's folded name and pinyin are stored: only the caller's name is folded here.
        stored_fold = record["name_key"] or fold_name(match.name)
        stored_pinyin = record["pinyin_key"] or pinyin_key(match.name)
        similarity = key_similarity(given[0], given[1], stored_fold, stored_pinyin)
    match.score = match_score(match.matched_on, similarity)
    return match


class RenewalRepository:
    """Finds the parties an identity names and their open watchlist entries."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph

    async def check(
        self, identities: Sequence[IdentityKeys], actions: Mapping[str, str], now: datetime
    ) -> list[Decision]:
        """One decision per identity, in order."""
        exact = [
            {
                "i": i,
                "identifiers": [
                    {"field": field, "kind": kind, "key": key}
                    for field, kind, key in keys.identifiers
                ],
                "customer_no": keys.customer_no,
            }
            for i, keys in enumerate(identities)
            if keys.has_strong_key
        ]
        by_name = [
            {"i": i, "name_key": fold_name(keys.name), "pinyin_key": pinyin_key(keys.name)}
            for i, keys in enumerate(identities)
            if not keys.has_strong_key and keys.name
        ]
        found: dict[int, list[CandidateMatch]] = {}
        records = await self.graph.read(q.MATCH_IDENTITIES, checks=exact) if exact else []
        if by_name:
            records += await self.graph.read(q.MATCH_NAMES, checks=by_name, limit=NAME_CANDIDATES)
        given = {
            i: (fold_name(keys.name), pinyin_key(keys.name))
            for i, keys in enumerate(identities)
            if keys.name
        }
        for record in records:
            i = record["i"]
            found.setdefault(i, []).append(_candidate(record, given.get(i)))
        decisions = []
        for i in range(len(identities)):
            matches = sorted(found.get(i, []), key=lambda m: (-m.score, m.party_id))
            action, reasons = decide(matches, actions)
            decisions.append(Decision(action, tuple(reasons), tuple(matches), now))
        return decisions
