"""The claims queue: pending claims by age and handler, for claims staff and management.

The handler comes from the claims export (the ``handler`` column, ``docs/import-format.md``).
Holders are shown masked; a claim that has drawn grievances or complaints, or whose holder is
on the watchlist, says so, because those are the claims to settle before they escalate.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from graph.client import Graph
from graph.complaints import pending_claims_queries as q
from graph.paging import Page, keyset_page
from graph.values import native, utc
from models.complaints import EARLIEST, LATEST
from models.cursors import decode_cursor, encode_cursor, page_size
from models.pending_claims import age_days, bucket_edges, bucket_labels, reported_between
from models.watchlist import mask_name

ORDER = "REPORTED_ASC"


@dataclass(frozen=True)
class PendingClaim:
    """A pending claim with its age, handler and what may make it a complaint."""

    id: str
    claim_no: str
    reported_at: datetime
    age_days: int
    handler: str | None
    amount: float | None
    policy_no: str | None
    product: str | None
    holder_customer_no: str | None
    holder_masked_name: str | None
    holder_masked_phone: str | None
    repair_shop: str | None
    grievances: int
    complaints: int
    holder_flagged: bool


@dataclass(frozen=True)
class PendingClaimFilter:
    """Which pending claims: by age in whole days, by handler, or those without one."""

    min_age_days: int | None = None
    max_age_days: int | None = None
    handler: str | None = None
    unassigned: bool | None = None


@dataclass
class HandlerLoad:
    """One handler's pending claims (``handler`` None: not assigned), by age bucket."""

    handler: str | None
    pending: int = 0
    oldest_days: int = 0
    average_days: float = 0.0
    buckets: dict[str, int] = field(default_factory=dict)


class PendingClaimsRepository:
    """Reads the pending-claims queue."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph

    async def page(
        self, where: PendingClaimFilter, *, first: int, after: str | None, now: datetime
    ) -> Page[PendingClaim]:
        """Pending claims oldest first, keyset-paginated."""
        limit = page_size(first)
        now = utc(now)
        reported_after, reported_before = reported_between(
            now, where.min_age_days, where.max_age_days
        )
        after_at, after_id = decode_cursor(after, ORDER) if after else (None, None)
        records = await self.graph.read(
            q.PENDING_CLAIMS,
            **{"from": max(t for t in (after_at, reported_after, EARLIEST) if t is not None)},
            to=reported_before or LATEST,
            reported_after=reported_after,
            handler=where.handler.strip() if where.handler else None,
            unassigned=where.unassigned,
            after_at=after_at,
            after_id=after_id,
            limit=limit + 1,
        )
        items = []
        for r in records:
            claim = r["claim"]
            holder = r["holder"] or {}
            reported_at = native(claim["reported_at"])
            items.append(
                PendingClaim(
                    id=claim["id"],
                    claim_no=claim["claim_no"],
                    reported_at=reported_at,
                    age_days=age_days(reported_at, now),
                    handler=claim.get("handler"),
                    amount=claim.get("amount"),
                    policy_no=r["policy_no"],
                    product=r["product"],
                    holder_customer_no=holder.get("customer_no"),
                    holder_masked_name=mask_name(holder["name"]) if holder.get("name") else None,
                    holder_masked_phone=holder.get("phone_masked"),
                    repair_shop=r["shop_ref"],
                    grievances=int(r["grievances"]),
                    complaints=int(r["complaints"]),
                    holder_flagged=bool(r["flagged"]),
                )
            )
        return keyset_page(items, limit, lambda c: encode_cursor(ORDER, c.reported_at, c.id))

    async def by_handler(self, now: datetime) -> list[HandlerLoad]:
        """Every handler's pending claims by age bucket, most pending first (the unassigned
        claims as handler None)."""
        now = utc(now)
        labels = bucket_labels()
        loads: dict[str, HandlerLoad] = {}
        seconds: dict[str, float] = {}
        for r in await self.graph.read(q.PENDING_BY_HANDLER, now=now, edges=bucket_edges(now)):
            name = r["handler"]
            load = loads.setdefault(
                name, HandlerLoad(name or None, buckets=dict.fromkeys(labels, 0))
            )
            load.pending += int(r["claims"])
            load.buckets[labels[int(r["bucket"])]] += int(r["claims"])
            load.oldest_days = max(load.oldest_days, age_days(native(r["oldest"]), now))
            seconds[name] = seconds.get(name, 0.0) + float(r["age_seconds"])
        for name, load in loads.items():
            load.average_days = round(seconds[name] / 86_400 / load.pending, 1)
        return sorted(loads.values(), key=lambda h: (-h.pending, h.handler or ""))
