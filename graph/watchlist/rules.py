"""The watchlist rules: each a named Cypher finder (``graph.watchlist.queries``) and a reason
code, turning rows into :class:`models.watchlist.Finding` objects with their evidence.

Nothing here loads the whole graph: finders filter in Cypher, the identifier walk goes one
bounded hop at a time from known parties, and ring detection pages through identifiers and
keeps only those shared by two or more parties.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from graph.client import Graph
from graph.watchlist import queries as q
from models.watchlist import EvidenceEdge, Finding, WatchlistReason


@dataclass(frozen=True)
class RuleThresholds:
    """The rules' knobs (from settings): counts, windows in days, hops, group sizes."""

    complaint_min: int = 3
    complaint_window_days: int = 365
    fraud_hops: int = 2
    ring_min_parties: int = 3
    identifier_max_degree: int = 50
    shop_min_customers: int = 5
    shop_window_days: int = 14
    shop_malicious_min: int = 2
    page_size: int = 50_000


RuleFinder = Callable[[Graph, RuleThresholds, datetime], Awaitable[list[Finding]]]


def _edge(source: str, rel_type: str, target: str) -> EvidenceEdge:
    return EvidenceEdge(source, rel_type, target)


async def repeat_complainants(graph: Graph, t: RuleThresholds, now: datetime) -> list[Finding]:
    """REPEAT_COMPLAINANT: at least ``complaint_min`` complaints within the window."""
    since = now - timedelta(days=t.complaint_window_days)
    records = await graph.read(
        q.REPEAT_COMPLAINANTS, since=since, now=now, min_complaints=t.complaint_min
    )
    findings = []
    for record in records:
        party = record["party_id"]
        complaints = sorted(record["complaints"])
        findings.append(
            Finding(
                party,
                WatchlistReason.REPEAT_COMPLAINANT,
                nodes={party, *complaints},
                edges={_edge(party, "FILED", c) for c in complaints},
                summary=f"{len(complaints)} complaints in {t.complaint_window_days} days",
            )
        )
    return findings


async def regulator_escalations(graph: Graph, t: RuleThresholds, now: datetime) -> list[Finding]:
    """REGULATOR_ESCALATION_AFTER_CLEAR_DENIAL: a regulator complaint about a claim denied
    with a recorded, valid reason."""
    since = now - timedelta(days=t.complaint_window_days)
    records = await graph.read(q.REGULATOR_ESCALATIONS, since=since, now=now)
    by_party: dict[str, Finding] = {}
    for record in records:
        party, complaint, claim = record["party_id"], record["complaint_id"], record["claim_id"]
        finding = by_party.setdefault(
            party,
            Finding(party, WatchlistReason.REGULATOR_ESCALATION_AFTER_CLEAR_DENIAL, {party}),
        )
        finding.nodes |= {complaint, claim}
        finding.edges |= {_edge(party, "FILED", complaint), _edge(complaint, "ABOUT", claim)}
    for finding in by_party.values():
        claims = sum(1 for node in finding.nodes if node.startswith("claim:"))
        finding.summary = f"regulator complaint about {claims} validly denied claim(s)"
    return list(by_party.values())


async def fraud_linked(graph: Graph, t: RuleThresholds, now: datetime) -> list[Finding]:
    """FRAUD_LINKED: within ``fraud_hops`` shared identifiers of a fraud-flagged claim's
    holder or a fraud-flagged party (the holder itself is at hop 0)."""
    sources = await graph.read(q.FRAUD_SOURCES)
    # For every reached party: the evidence chain that reached it first (breadth first).
    chains: dict[str, tuple[set[str], set[EvidenceEdge], int]] = {}
    for record in sources:
        party, claim, policy = record["party_id"], record["claim_id"], record["policy_id"]
        nodes, edges, _ = chains.get(party, ({party}, set(), 0))
        if claim is not None:
            nodes = nodes | {claim, policy}
            edges = edges | {_edge(party, "HOLDS", policy), _edge(policy, "HAS_CLAIM", claim)}
        chains[party] = (nodes, edges, 0)
    frontier = sorted(chains)
    for hop in range(1, t.fraud_hops + 1):
        if not frontier:
            break
        records = await graph.read(
            q.SHARED_IDENTIFIER_HOP, frontier=frontier, max_degree=t.identifier_max_degree
        )
        reached: list[str] = []
        for record in sorted(records, key=lambda r: (r["reached"], r["source"], r["identifier"])):
            target, source, ident = record["reached"], record["source"], record["identifier"]
            if target in chains and chains[target][2] < hop:
                continue
            nodes, edges, _ = chains[source]
            old_nodes, old_edges, _ = chains.get(target, (set(), set(), hop))
            link = {_edge(source, "HAS_ID", ident), _edge(target, "HAS_ID", ident)}
            chains[target] = (old_nodes | nodes | {ident, target}, old_edges | edges | link, hop)
            reached.append(target)
        frontier = sorted(set(reached))
    findings = []
    for party, (nodes, edges, hops) in sorted(chains.items()):
        summary = "holds a fraud-flagged claim" if hops == 0 else f"{hops} shared-identifier hop(s)"
        findings.append(Finding(party, WatchlistReason.FRAUD_LINKED, nodes, edges, summary))
    return findings


class _Groups:
    """Union-find over party ids, remembering the identifiers that joined them."""

    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, item: str) -> str:
        root = self.parent.setdefault(item, item)
        while root != self.parent[root]:
            self.parent[root] = self.parent[self.parent[root]]
            root = self.parent[root]
        self.parent[item] = root
        return root

    def union(self, items: Iterable[str]) -> None:
        roots = [self.find(item) for item in items]
        for root in roots[1:]:
            self.parent[root] = roots[0]


async def shared_identifier_rings(graph: Graph, t: RuleThresholds, now: datetime) -> list[Finding]:
    """SHARED_IDENTIFIER_RING: a group of at least ``ring_min_parties`` parties joined by
    shared identifiers, with at least one complaint or fraud-flagged claim in the group."""
    groups = _Groups()
    shared: dict[str, list[str]] = {}
    after = ""
    while True:
        page = await graph.read(
            q.SHARED_IDENTIFIER_PAGE,
            after=after,
            page_size=t.page_size,
            max_degree=t.identifier_max_degree,
        )
        if not page or page[0]["last"] is None:
            break
        for item in page[0]["shared"]:
            shared[item["identifier"]] = item["parties"]
            groups.union(item["parties"])
        after = page[0]["last"]
    members: dict[str, set[str]] = {}
    for party in groups.parent:
        members.setdefault(groups.find(party), set()).add(party)
    big = {root: group for root, group in members.items() if len(group) >= t.ring_min_parties}
    if not big:
        return []
    candidates = sorted(set().union(*big.values()))
    signals: dict[str, dict[str, Any]] = {
        record["party_id"]: record.data()
        for record in await graph.read(q.RING_MEMBER_SIGNALS, party_ids=candidates)
    }
    findings: list[Finding] = []
    for root, group in big.items():
        nodes: set[str] = set(group)
        edges: set[EvidenceEdge] = set()
        for ident, parties in shared.items():
            if groups.find(parties[0]) == root:
                nodes.add(ident)
                edges |= {_edge(party, "HAS_ID", ident) for party in parties}
        flagged_any = False
        for party in group:
            signal = signals.get(party) or {"complaints": [], "flagged": []}
            for complaint in signal["complaints"]:
                nodes.add(complaint)
                edges.add(_edge(party, "FILED", complaint))
            for policy, claim in signal["flagged"]:
                nodes |= {policy, claim}
                edges |= {_edge(party, "HOLDS", policy), _edge(policy, "HAS_CLAIM", claim)}
            flagged_any = flagged_any or bool(signal["complaints"] or signal["flagged"])
        if not flagged_any:
            continue
        summary = f"group of {len(group)} parties sharing identifiers"
        findings.extend(
            Finding(party, WatchlistReason.SHARED_IDENTIFIER_RING, nodes, edges, summary)
            for party in sorted(group)
        )
    return findings


def _complaint_evidence(shop: str, items: Iterable[dict[str, Any]]) -> Finding:
    finding = Finding(shop, WatchlistReason.REPAIR_SHOP_COMPLAINT_CLUSTER, {shop})
    for item in items:
        complaint, who, claim = item["complaint"], item["who"], item["claim"]
        finding.nodes |= {complaint, who}
        finding.edges.add(_edge(who, "FILED", complaint))
        if claim is None:
            finding.edges.add(_edge(complaint, "ABOUT", shop))
        else:
            finding.nodes.add(claim)
            finding.edges |= {_edge(complaint, "ABOUT", claim), _edge(claim, "REPAIRED_AT", shop)}
    return finding


async def shop_complaint_clusters(graph: Graph, t: RuleThresholds, now: datetime) -> list[Finding]:
    """REPAIR_SHOP_COMPLAINT_CLUSTER: complaints from at least ``shop_min_customers``
    different complainants about a shop (or claims it repaired) within ``shop_window_days``;
    or at least ``shop_malicious_min`` complaints involving the shop from complainants a
    reviewer confirmed as repeat or escalating complainants."""
    since = now - timedelta(days=t.complaint_window_days)
    records = await graph.read(
        q.SHOP_COMPLAINTS, since=since, now=now, min_customers=t.shop_min_customers
    )
    window = timedelta(days=t.shop_window_days)
    findings: dict[str, Finding] = {}
    for record in records:
        shop = record["shop_id"]
        items = sorted(
            ({**item, "at": item["at"].to_native()} for item in record["items"]),
            key=lambda item: (item["at"], item["complaint"]),
        )
        best: list[dict[str, Any]] = []
        for start, first in enumerate(items):
            in_window = [i for i in items[start:] if i["at"] <= first["at"] + window]
            if len({i["who"] for i in in_window}) > len({i["who"] for i in best}):
                best = in_window
        complainants = {i["who"] for i in best}
        if len(complainants) < t.shop_min_customers:
            continue
        findings[shop] = _complaint_evidence(shop, best)
        findings[
            shop
        ].summary = f"{len(complainants)} complainants within {t.shop_window_days} days"
    malicious = await graph.read(
        q.SHOP_MALICIOUS_COMPLAINTS, since=since, now=now, min_complaints=t.shop_malicious_min
    )
    for record in malicious:
        shop = record["shop_id"]
        extra = _complaint_evidence(shop, record["items"])
        summary = f"{len(record['items'])} complaints from confirmed repeat complainants"
        if shop in findings:
            findings[shop].nodes |= extra.nodes
            findings[shop].edges |= extra.edges
            findings[shop].summary += "; " + summary
        else:
            extra.summary = summary
            findings[shop] = extra
    return list(findings.values())


RULES: dict[WatchlistReason, RuleFinder] = {
    WatchlistReason.REPEAT_COMPLAINANT: repeat_complainants,
    WatchlistReason.REGULATOR_ESCALATION_AFTER_CLEAR_DENIAL: regulator_escalations,
    WatchlistReason.FRAUD_LINKED: fraud_linked,
    WatchlistReason.SHARED_IDENTIFIER_RING: shared_identifier_rings,
    WatchlistReason.REPAIR_SHOP_COMPLAINT_CLUSTER: shop_complaint_clusters,
}
