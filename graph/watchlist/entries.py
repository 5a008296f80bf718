"""Watchlist entries: running the rules into entries, four-eyes review, manual proposals,
listing, evidence subgraphs and the masked attention flag.

One entry per (party, reason), with a stable id. A rule run is idempotent: an unchanged
finding refreshes its entry; changed evidence updates it; a dismissed entry stays dismissed
for the same evidence (fingerprint) and is proposed again on new evidence; entries whose rule
no longer fires, or whose expiry has passed, expire. Every status or evidence change writes an
``:AuditEvent``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from neo4j import AsyncManagedTransaction

from graph.client import Graph
from graph.events import DomainEventType, append_domain_events, domain_event
from graph.paging import Page, keyset_page
from graph.values import native
from graph.watchlist import queries as q
from graph.watchlist.rules import RULES, RuleThresholds
from models.cursors import decode_id_cursor, encode_cursor, page_size
from models.errors import InvalidInput, NotFound, PermissionDenied
from models.reason_texts import REASON_TEXTS
from models.watchlist import (
    EvidenceEdge,
    Finding,
    FindingOutcome,
    StoredEvidence,
    WatchlistReason,
    WatchlistStatus,
    decide_finding,
    entry_id,
    evidence_fingerprint,
    mask_name,
)

_WRITE_BATCH = 1000
# The most entries on one page, and the order (and cursor kind) of the list.
MAX_PAGE = 500
ENTRY_ORDER = "WATCHLIST_ID"


@dataclass
class RunReport:
    """What a rule run changed, per reason code."""

    added: dict[str, int] = field(default_factory=dict)
    refreshed: dict[str, int] = field(default_factory=dict)
    expired: int = 0
    kept_dismissed: dict[str, int] = field(default_factory=dict)

    def line(self) -> str:
        """One human-readable line for logs and the CLI."""
        return (
            f"added {sum(self.added.values())}, refreshed {sum(self.refreshed.values())}, "
            f"expired {self.expired}, kept dismissed {sum(self.kept_dismissed.values())}"
        )


@dataclass(frozen=True)
class Entry:
    """A watchlist entry as stored, with its party's display fields."""

    id: str
    party_id: str
    party_ref: str
    party_name: str
    party_kind: str
    reason: WatchlistReason
    status: WatchlistStatus
    summary: str
    source: str
    proposed_by: str
    proposed_by_key: str
    created_at: datetime
    reviewed_by: str | None
    reviewed_at: datetime | None
    review_comment: str | None
    expires_at: datetime | None
    last_seen_at: datetime | None
    evidence_nodes: tuple[str, ...]
    evidence_edges: tuple[EvidenceEdge, ...]


@dataclass(frozen=True)
class EvidenceNode:
    """One evidence node: its id, label and a caption with identifiers masked."""

    id: str
    label: str
    caption: str


@dataclass(frozen=True)
class AttentionFlag:
    """What frontline staff see of a party: masked forms and the reasons of its ACTIVE
    entries (codes; ``models.reason_texts`` words them), no evidence."""

    party_id: str
    kind: str
    masked_name: str
    id_masked: str | None
    phone_masked: str | None
    matched_on: tuple[str, ...]
    reasons: tuple[WatchlistReason, ...]

    @property
    def flagged(self) -> bool:
        """Whether the party needs special attention."""
        return bool(self.reasons)


# Parties an attention check by phone, ID number or plate may name (a shared phone, a family).
ATTENTION_MAX_PARTIES = 10


def _entry(record: Mapping[str, Any]) -> Entry:
    w = record["entry"]
    return Entry(
        id=w["id"],
        party_id=w["party_id"],
        party_ref=record["party_ref"] or "",
        party_name=record["party_name"] or "",
        party_kind=record["party_kind"] or "Party",
        reason=WatchlistReason(w["reason"]),
        status=WatchlistStatus(w["status"]),
        summary=w.get("summary") or "",
        source=w.get("source") or "rule",
        proposed_by=w.get("proposed_by") or "",
        proposed_by_key=w.get("proposed_by_key") or "",
        created_at=native(w["created_at"]),
        reviewed_by=w.get("reviewed_by"),
        reviewed_at=native(w.get("reviewed_at")),
        review_comment=w.get("review_comment"),
        expires_at=native(w.get("expires_at")),
        last_seen_at=native(w.get("last_seen_at")),
        evidence_nodes=tuple(w.get("evidence_nodes") or ()),
        evidence_edges=tuple(EvidenceEdge.decode(e) for e in w.get("evidence_edges") or ()),
    )


def activation_event(entry: Entry, reviewer: str) -> dict[str, Any]:
    """The ``watchlist.entry_activated`` outbox row for an entry a reviewer made ACTIVE: the
    party's id, kind, reference and masked name, the reason with its texts, who proposed and
    who reviewed it (no evidence, no identifiers)."""
    text = REASON_TEXTS[entry.reason.value]
    return domain_event(
        DomainEventType.WATCHLIST_ENTRY_ACTIVATED,
        entry.id,
        {
            "entry_id": entry.id,
            "party_id": entry.party_id,
            "party_kind": entry.party_kind,
            "party_ref": entry.party_ref,
            "masked_name": mask_name(entry.party_name),
            "reason": entry.reason.value,
            "reason_text_zh": text.zh,
            "reason_text_en": text.en,
            "source": entry.source,
            "proposed_by": entry.proposed_by,
            "reviewed_by": reviewer,
        },
    )


class WatchlistRepository:
    """Reads and writes ``:WatchlistEntry`` nodes."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph

    async def run_rules(
        self,
        thresholds: RuleThresholds,
        now: datetime,
        ttl_days: int,
        reasons: Iterable[WatchlistReason] | None = None,
    ) -> RunReport:
        """Run the rules (all, or ``reasons``) at instant ``now`` and write what they found."""
        chosen = list(reasons) if reasons is not None else list(RULES)
        findings: list[Finding] = []
        for reason in chosen:
            findings.extend(await RULES[reason](self.graph, thresholds, now))
        return await self.apply_findings(findings, chosen, now, ttl_days)

    async def apply_findings(
        self,
        findings: list[Finding],
        reasons: list[WatchlistReason],
        now: datetime,
        ttl_days: int,
    ) -> RunReport:
        """Turn a run's findings into entry writes, then expire what the run no longer finds."""
        existing = {
            r["id"]: StoredEvidence(
                WatchlistStatus(r["status"]), r["fingerprint"], r["dismissed_fingerprint"]
            )
            for r in await self.graph.read(
                q.ENTRIES_FOR_REASONS, reasons=[reason.value for reason in reasons]
            )
        }
        report = RunReport()
        rows: list[dict[str, Any]] = []
        seen: list[str] = []
        for finding in findings:
            wid = entry_id(finding.party_id, finding.reason)
            fingerprint = finding.fingerprint()
            decision = decide_finding(fingerprint, existing.get(wid))
            code = finding.reason.value
            counts = {
                FindingOutcome.ADDED: report.added,
                FindingOutcome.REFRESHED: report.refreshed,
                FindingOutcome.KEPT_DISMISSED: report.kept_dismissed,
            }[decision.outcome]
            counts[code] = counts.get(code, 0) + 1
            seen.append(wid)
            if decision.outcome is FindingOutcome.KEPT_DISMISSED:
                continue
            rows.append(
                {
                    "id": wid,
                    "party_id": finding.party_id,
                    "reason": code,
                    "status": decision.status.value,
                    "nodes": sorted(finding.nodes),
                    "edges": sorted(edge.encoded() for edge in finding.edges),
                    "fingerprint": fingerprint,
                    "summary": finding.summary,
                    "proposed_by": f"rules:{code}",
                    "repropose": decision.repropose,
                    "audit_action": decision.audit_action,
                    "audit_after": f"{decision.status.value}: {finding.summary}",
                }
            )
        expires_at = now + timedelta(days=ttl_days)
        for start in range(0, len(rows), _WRITE_BATCH):
            await self.graph.write(
                q.UPSERT_ENTRIES,
                rows=rows[start : start + _WRITE_BATCH],
                now=now,
                expires_at=expires_at,
            )
        expired = await self.graph.write(
            q.EXPIRE_ENTRIES,
            reasons=[reason.value for reason in reasons],
            seen=seen,
            now=now,
            actor="rules",
        )
        report.expired = len(expired)
        return report

    async def get(self, wid: str) -> Entry:
        """One entry, or NotFound."""
        records = await self.graph.read(q.GET_ENTRY, id=wid)
        if not records:
            raise NotFound(f"no watchlist entry {wid!r}")
        return _entry(records[0])

    async def page(
        self,
        status: WatchlistStatus | None,
        reason: WatchlistReason | None,
        *,
        first: int,
        after: str | None,
    ) -> Page[Entry]:
        """Entries in id order, keyset-paginated after cursor ``after``."""
        limit = page_size(first, MAX_PAGE)
        records = await self.graph.read(
            q.LIST_ENTRIES,
            status=status.value if status else None,
            reason=reason.value if reason else None,
            after=decode_id_cursor(after, ENTRY_ORDER) if after else None,
            limit=limit + 1,
        )
        return keyset_page(
            [_entry(record) for record in records],
            limit,
            lambda e: encode_cursor(ENTRY_ORDER, e.id, e.id),
        )

    async def review(
        self, wid: str, activate: bool, comment: str, actor: str, actor_key: str
    ) -> Entry:
        """Activate or dismiss an entry; the reviewer must not be its proposer (four-eyes)."""
        if not comment.strip():
            raise InvalidInput("a review needs a comment")
        entry = await self.get(wid)
        if entry.proposed_by_key == actor_key:
            raise PermissionDenied("four-eyes: an entry cannot be reviewed by its proposer")
        target = WatchlistStatus.ACTIVE if activate else WatchlistStatus.DISMISSED
        allowed = {
            WatchlistStatus.PROPOSED: (WatchlistStatus.ACTIVE, WatchlistStatus.DISMISSED),
            WatchlistStatus.ACTIVE: (WatchlistStatus.DISMISSED,),
        }
        if target not in allowed.get(entry.status, ()):
            raise InvalidInput(f"an entry that is {entry.status.value} cannot become {target}")
        activated = [activation_event(entry, actor)] if activate else []

        async def work(tx: AsyncManagedTransaction) -> bool:
            written = await (
                await tx.run(
                    q.REVIEW_ENTRY,
                    id=wid,
                    expected=entry.status.value,
                    status=target.value,
                    comment=comment.strip(),
                    actor=actor,
                    actor_key=actor_key,
                )
            ).single()
            if written is None:
                return False
            # Renewal and frontline systems learn of a confirmed entry through the outbox, in
            # the review's own transaction: the event exists if and only if the review committed.
            await append_domain_events(tx, activated)
            return True

        if not await self.graph.write_transaction(work):
            raise InvalidInput("the entry changed meanwhile; reload it and review again")
        return await self.get(wid)

    async def propose(
        self,
        party_id: str,
        reason: WatchlistReason,
        comment: str,
        actor: str,
        actor_key: str,
        now: datetime,
        ttl_days: int,
    ) -> Entry:
        """A manual proposal (it needs another reviewer to become active)."""
        if not comment.strip():
            raise InvalidInput("a proposal needs a comment saying why")
        wid = entry_id(party_id, reason)
        written = await self.graph.write(
            q.PROPOSE_ENTRY,
            id=wid,
            party_id=party_id,
            reason=reason.value,
            comment=comment.strip(),
            actor=actor,
            actor_key=actor_key,
            nodes=[party_id],
            fingerprint=evidence_fingerprint([party_id], [f"manual:{actor_key}"]),
            expires_at=now + timedelta(days=ttl_days),
        )
        if not written:
            existing = await self.graph.read(q.GET_ENTRY, id=wid)
            if not existing:
                raise NotFound(f"no party {party_id!r}")
            raise InvalidInput("this party already has an open entry for that reason")
        return await self.get(wid)

    async def evidence(self, entry: Entry) -> tuple[EvidenceNode, ...]:
        """The entry's evidence nodes (identifiers masked), in the stored order."""
        records = await self.graph.read(q.EVIDENCE_NODES, ids=list(entry.evidence_nodes))
        return tuple(EvidenceNode(r["id"], r["label"] or "", r["caption"] or "") for r in records)

    async def attention(self, party_id: str) -> AttentionFlag:
        """The attention flag of one party by id; NotFound when there is none."""
        flags = await self.attention_lookup(party_ids=[party_id])
        if not flags:
            raise NotFound(f"no party {party_id!r}")
        return flags[0]

    async def attention_lookup(
        self,
        *,
        party_ids: Sequence[str] = (),
        identifiers: Sequence[tuple[str, str, str]] = (),
        limit: int = ATTENTION_MAX_PARTIES,
    ) -> tuple[AttentionFlag, ...]:
        """Attention flags of the parties named by id (a customer number's party id) or by
        keyed identifier hashes (``(input field, kind, hash)``, as ``models.renewal``'s
        ``identity_keys`` makes them): best matches first, at most ``limit``."""
        records = await self.graph.read(
            q.ATTENTION,
            parties=[{"id": pid, "via": "customerId"} for pid in party_ids],
            identifiers=[{"field": f, "kind": kind, "key": key} for f, kind, key in identifiers],
            limit=limit,
        )
        return tuple(
            AttentionFlag(
                party_id=r["party_id"],
                kind=r["kind"] or "Party",
                masked_name=mask_name(r["name"] or ""),
                id_masked=r["id_masked"],
                phone_masked=r["phone_masked"],
                matched_on=tuple(sorted(r["matched_on"])),
                reasons=tuple(sorted(WatchlistReason(code) for code in r["reasons"])),
            )
            for r in records
        )
