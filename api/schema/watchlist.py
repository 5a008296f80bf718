"""The watchlist for the risk team (entries, evidence, four-eyes review, manual proposals,
rule runs) and the masked attention flag for frontline and complaint-desk staff."""

from __future__ import annotations

from dataclasses import fields
from datetime import UTC, datetime
from enum import Enum

import strawberry
from strawberry.types import Info
from strawberry.types.base import get_object_definition

from api.auth import allow
from api.context import Context
from api.probing_guard import ProbingGuard
from api.runtime.watchlist import run_watchlist_rules
from api.schema.language import Language
from api.schema.pagination import Connection, connection
from graph.access.apikeys import Principal
from graph.watchlist import entries as stored
from graph.watchlist.entries import WatchlistRepository
from models.errors import AuthenticationError, InvalidInput, NotFound
from models.reason_texts import reason_text
from models.records import PartyKind, party_id
from models.renewal import identity_keys
from models.roles import Role
from models.watchlist import WatchlistReason, WatchlistStatus

# Registered under their GraphQL names: strawberry marks the Enum class itself, so fields
# are annotated with the Enum (no alias, nothing for mypy to ignore).
strawberry.enum(WatchlistReason, name="WatchlistReason")
strawberry.enum(WatchlistStatus, name="WatchlistStatus")


@strawberry.enum
class ReviewDecision(Enum):
    ACTIVATE = "ACTIVATE"
    DISMISS = "DISMISS"


@strawberry.type
class EvidenceNode:
    id: strawberry.ID
    label: str
    caption: str = strawberry.field(description="What it is; identifiers only masked.")


@strawberry.type
class EvidenceEdge:
    source: strawberry.ID
    type: str
    target: strawberry.ID


@strawberry.type
class Evidence:
    nodes: list[EvidenceNode]
    edges: list[EvidenceEdge]


@strawberry.type
class WatchlistEntry:
    id: strawberry.ID
    party_id: strawberry.ID
    party_ref: str
    party_name: str
    party_kind: str
    reason: WatchlistReason
    status: WatchlistStatus
    summary: str
    source: str = strawberry.field(description="'rule' or 'manual'.")
    proposed_by: str
    created_at: datetime
    reviewed_by: str | None
    reviewed_at: datetime | None
    review_comment: str | None
    expires_at: datetime | None
    last_seen_at: datetime | None
    stored_entry: strawberry.Private[stored.Entry]

    @strawberry.field(description="The reason in plain words, in the language asked for.")
    def reason_text(self, language: Language = Language.ZH) -> str:
        return reason_text(str(self.reason), Language(language))

    @strawberry.field(description="The nodes and relationships that made the rule fire.")
    async def evidence(self, info: Info[Context, None]) -> Evidence:
        nodes = await info.context.repo(WatchlistRepository).evidence(self.stored_entry)
        return Evidence(
            nodes=[
                EvidenceNode(id=strawberry.ID(n.id), label=n.label, caption=n.caption)
                for n in nodes
            ],
            edges=[
                EvidenceEdge(
                    source=strawberry.ID(e.source), type=e.type, target=strawberry.ID(e.target)
                )
                for e in self.stored_entry.evidence_edges
            ],
        )

    @classmethod
    def of(cls, entry: stored.Entry) -> WatchlistEntry:
        # Every schema field has a same-named field on the stored entry.
        names = {f.python_name for f in get_object_definition(cls, strict=True).fields}
        values = {f.name: getattr(entry, f.name) for f in fields(entry) if f.name in names}
        return cls(**values, stored_entry=entry)


@strawberry.type
class RuleCount:
    reason: str
    count: int


@strawberry.type
class RuleRunReport:
    added: list[RuleCount]
    refreshed: list[RuleCount]
    kept_dismissed: list[RuleCount]
    expired: int


@strawberry.type(description="A reason for special attention, in the caller's language.")
class AttentionReason:
    code: WatchlistReason
    text: str


@strawberry.type(description="A party an attention check found; masked forms only.")
class AttentionMatch:
    party_id: strawberry.ID
    kind: str
    masked_name: str
    masked_id_number: str | None
    masked_phone: str | None
    matched_on: list[str] = strawberry.field(
        description="Which inputs matched: customerId, idNumber, phone, plate."
    )
    flagged: bool
    reasons: list[AttentionReason]


@strawberry.type(
    description="Whether a person needs special attention. The top-level fields describe the "
    "best match; `matches` lists every party found (a phone or plate may be shared)."
)
class AttentionFlag:
    customer_id: strawberry.ID = strawberry.field(description="The best match's party id.")
    masked_name: str
    flagged: bool
    reasons: list[str] = strawberry.field(
        description="Plain words in the chosen language, no evidence details."
    )
    language: Language
    matches: list[AttentionMatch]


def _attention_match(flag: stored.AttentionFlag, language: Language) -> AttentionMatch:
    return AttentionMatch(
        party_id=strawberry.ID(flag.party_id),
        kind=flag.kind,
        masked_name=flag.masked_name,
        masked_id_number=flag.id_masked,
        masked_phone=flag.phone_masked,
        matched_on=list(flag.matched_on),
        flagged=flag.flagged,
        reasons=[AttentionReason(code=r, text=reason_text(r, language)) for r in flag.reasons],
    )


async def _attention(
    info: Info[Context, None],
    customer_id: str | None,
    identity: dict[str, str | None],
) -> tuple[stored.AttentionFlag, ...]:
    """The parties a customer number (or party id) and identifiers name, best first."""
    given = {name: value for name, value in identity.items() if value and value.strip()}
    if not given and not (customer_id and customer_id.strip()):
        raise InvalidInput("give a customerId, phone, idNumber or plate to check")
    # Lookups by identifier are an enumeration oracle too (issue 19): the same guard as
    # renewal checks counts what matched nobody and refuses keys that probe.
    guard = ProbingGuard(info.context)
    await guard.admit()
    keys = identity_keys(info.context.services.settings.identity_key, given) if given else None
    flags = await info.context.repo(WatchlistRepository).attention_lookup(
        party_ids=[_customer_or_party_id(customer_id)] if customer_id else [],
        identifiers=keys.identifiers if keys else (),
    )
    matched = {"customerNo" if f == "customerId" else f for g in flags for f in g.matched_on}
    await guard.account([({**given, "customerNo": customer_id}, matched)])
    if not given and not flags:
        raise NotFound(f"no party {_customer_or_party_id(customer_id or '')!r}")
    if not flags:
        raise NotFound(
            "no customer or other party has the " + " or ".join(sorted(given)) + " given"
        )
    return flags


def _principal(info: Info[Context, None]) -> Principal:
    principal = info.context.principal
    if principal is None:
        raise AuthenticationError("not authenticated")
    return principal


def _counts(counts: dict[str, int]) -> list[RuleCount]:
    return [RuleCount(reason=code, count=n) for code, n in sorted(counts.items())]


def _customer_or_party_id(ref: str) -> str:
    """Accept a party id (``customer:C0000001``) or a bare customer number."""
    ref = ref.strip()
    return ref if ":" in ref else party_id(PartyKind.CUSTOMER, ref.upper())


RISK = allow(Role.RISK)


@strawberry.type
class WatchlistQuery:
    @strawberry.field(permission_classes=RISK, description="Watchlist entries, in id order.")
    async def watchlist(
        self,
        info: Info[Context, None],
        status: WatchlistStatus | None = None,
        reason: WatchlistReason | None = None,
        first: int = 50,
        after: str | None = None,
    ) -> Connection[WatchlistEntry]:
        page = await info.context.repo(WatchlistRepository).page(
            WatchlistStatus(status) if status else None,
            WatchlistReason(reason) if reason else None,
            first=first,
            after=after,
        )
        return connection(page, WatchlistEntry.of)

    @strawberry.field(permission_classes=RISK, description="One entry with its evidence.")
    async def watchlist_entry(self, info: Info[Context, None], id: strawberry.ID) -> WatchlistEntry:
        return WatchlistEntry.of(await info.context.repo(WatchlistRepository).get(str(id)))

    @strawberry.field(
        permission_classes=allow(Role.COMPLAINTS, Role.RISK, Role.FRONTLINE, Role.CLAIMS),
        description="Whether a person needs special attention, in plain words (masked): by "
        "customer number, phone, ID number or plate (matched through their keyed hashes).",
    )
    async def attention_flag(
        self,
        info: Info[Context, None],
        customer_id: str | None = None,
        phone: str | None = None,
        id_number: str | None = None,
        plate: str | None = None,
        language: Language = Language.ZH,
    ) -> AttentionFlag:
        chosen = Language(language)
        identity = {"phone": phone, "idNumber": id_number, "plate": plate}
        matches = [
            _attention_match(f, chosen) for f in await _attention(info, customer_id, identity)
        ]
        best = matches[0]
        return AttentionFlag(
            customer_id=best.party_id,
            masked_name=best.masked_name,
            flagged=best.flagged,
            reasons=[r.text for r in best.reasons],
            language=chosen,
            matches=matches,
        )


@strawberry.type
class WatchlistMutation:
    @strawberry.mutation(
        permission_classes=RISK,
        description="Activate or dismiss an entry; the reviewer must not be its proposer.",
    )
    async def review_watchlist_entry(
        self, info: Info[Context, None], id: strawberry.ID, decision: ReviewDecision, comment: str
    ) -> WatchlistEntry:
        principal = _principal(info)
        entry = await info.context.repo(WatchlistRepository).review(
            str(id), decision is ReviewDecision.ACTIVATE, comment, principal.name, principal.key_id
        )
        return WatchlistEntry.of(entry)

    @strawberry.mutation(
        permission_classes=RISK, description="Propose a party for the watchlist by hand."
    )
    async def propose_watchlist_entry(
        self,
        info: Info[Context, None],
        party_id: str,
        comment: str,
        reason: WatchlistReason = WatchlistReason.MANUAL,
    ) -> WatchlistEntry:
        principal = _principal(info)
        settings = info.context.services.settings
        entry = await info.context.repo(WatchlistRepository).propose(
            _customer_or_party_id(party_id),
            WatchlistReason(reason),
            comment,
            principal.name,
            principal.key_id,
            datetime.now(UTC),
            settings.watchlist.entry_ttl_days,
        )
        return WatchlistEntry.of(entry)

    @strawberry.mutation(
        permission_classes=RISK,
        description="Run the watchlist rules now (as of `now`, default the current time).",
    )
    async def run_watchlist_rules(
        self, info: Info[Context, None], now: datetime | None = None
    ) -> RuleRunReport:
        report = await run_watchlist_rules(
            info.context.services.graph, info.context.services.settings, now
        )
        return RuleRunReport(
            added=_counts(report.added),
            refreshed=_counts(report.refreshed),
            kept_dismissed=_counts(report.kept_dismissed),
            expired=report.expired,
        )
