"""The business records the graph holds, in the row shape the graph writer takes.

A row carries the node's ``id`` (``<kind>:<natural key>``), the ids of what it links to, and
``props``: scalar properties set on the node as they are (dates as ``datetime.date``,
instants as timezone-aware ``datetime``). Identifiers arrive already hashed and masked.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, NotRequired, TypedDict


class PartyKind(StrEnum):
    """The kinds of party; the value is the node label."""

    CUSTOMER = "Customer"
    REPAIR_SHOP = "RepairShop"
    AGENT = "Agent"
    BROKER = "Broker"
    DEALER = "Dealer"
    ADJUSTER = "Adjuster"
    # Someone the book does not know yet: a third-party claimant, a passer-by, an unknown
    # broker's client. Recorded when they file a complaint, identifiers hashed like anyone's.
    THIRD_PARTY = "ThirdParty"


PARTY_ID_PREFIX: dict[PartyKind, str] = {
    PartyKind.CUSTOMER: "customer",
    PartyKind.REPAIR_SHOP: "shop",
    PartyKind.AGENT: "agent",
    PartyKind.BROKER: "broker",
    PartyKind.DEALER: "dealer",
    PartyKind.ADJUSTER: "adjuster",
    PartyKind.THIRD_PARTY: "thirdparty",
}


def party_id(kind: PartyKind, ref: str) -> str:
    """The node id of a party from its natural key (customer number, shop code...)."""
    return f"{PARTY_ID_PREFIX[kind]}:{ref}"


def policy_id(policy_no: str) -> str:
    """The node id of a policy."""
    return f"policy:{policy_no}"


def claim_id(claim_no: str) -> str:
    """The node id of a claim."""
    return f"claim:{claim_no}"


def complaint_id(complaint_no: str) -> str:
    """The node id of a complaint."""
    return f"complaint:{complaint_no}"


def branch_id(code: str) -> str:
    """The node id of a branch (机构) from its code."""
    return f"branch:{code}"


class ClaimStatus(StrEnum):
    """Where a claim stands."""

    PENDING = "PENDING"
    PAID = "PAID"
    DENIED = "DENIED"
    WITHDRAWN = "WITHDRAWN"


class ComplaintChannel(StrEnum):
    """Where a complaint came in, in escalation order."""

    FRONTLINE = "FRONTLINE"
    HOTLINE = "HOTLINE"
    ONLINE = "ONLINE"
    REGULATOR = "REGULATOR"
    # Consumer councils (消费者协会), trade associations and other social organisations.
    SOCIAL_ORGANISATION = "SOCIAL_ORGANISATION"
    MEDIA = "MEDIA"


CHANNEL_LADDER: tuple[ComplaintChannel, ...] = (
    ComplaintChannel.FRONTLINE,
    ComplaintChannel.HOTLINE,
    ComplaintChannel.ONLINE,
    ComplaintChannel.REGULATOR,
    ComplaintChannel.SOCIAL_ORGANISATION,
    ComplaintChannel.MEDIA,
)

# Channels on which a complaint is public, or about to be: filing or escalating a complaint
# on one of them starts the crisis plan at once.
CRISIS_CHANNELS: frozenset[ComplaintChannel] = frozenset(
    {ComplaintChannel.SOCIAL_ORGANISATION, ComplaintChannel.MEDIA}
)


class ComplaintCategory(StrEnum):
    """What a complaint is about."""

    UNDERWRITING = "UNDERWRITING"
    CLAIMS = "CLAIMS"
    SALES = "SALES"
    SERVICE = "SERVICE"
    OTHER = "OTHER"


class ComplaintStatus(StrEnum):
    """A complaint's life: open until answered (or closed), overdue past its deadline; a
    duplicate merged into another complaint is MERGED (its history stays readable)."""

    OPEN = "OPEN"
    EXTENDED = "EXTENDED"
    OVERDUE = "OVERDUE"
    RESOLVED = "RESOLVED"
    CLOSED = "CLOSED"
    MERGED = "MERGED"


class IdentifierRow(TypedDict):
    """An identifier as written: ``id`` is ``<kind>:<key>``."""

    id: str
    kind: str
    key: str
    masked: str


class PartyRow(TypedDict):
    """A customer, shop, agent, broker, dealer or adjuster."""

    id: str
    props: dict[str, Any]
    identifiers: list[IdentifierRow]


class PartyIdentifiers(TypedDict):
    """Identifiers to link to an existing party (``party_id``)."""

    party_id: str
    identifiers: list[IdentifierRow]


class PolicyRow(TypedDict):
    """A policy, its holder and who sold it."""

    id: str
    props: dict[str, Any]
    holder_id: str
    seller_id: str | None
    dealer_id: str | None


class ClaimRow(TypedDict):
    """A claim on a policy, where it was repaired and who assessed it."""

    id: str
    props: dict[str, Any]
    policy_id: str
    shop_id: str | None
    adjuster_id: str | None


class ComplaintRow(TypedDict):
    """A complaint, who filed it and what it is about."""

    id: str
    props: dict[str, Any]
    complainant_id: str
    about_policy_ids: list[str]
    about_claim_ids: list[str]
    about_party_ids: list[str]
    # History that exports carry (models.import_history); absent for newly filed records.
    repeat_of_ids: NotRequired[list[str]]
    escalations: NotRequired[list[dict[str, Any]]]
    joint_reviews: NotRequired[list[dict[str, Any]]]
    contacts: NotRequired[list[dict[str, Any]]]
    attachments: NotRequired[list[dict[str, Any]]]
    audit: NotRequired[list[AuditRow]]
    merged_into_id: NotRequired[str | None]
    merged_from_ids: NotRequired[list[str]]


class BranchRow(TypedDict):
    """A branch (机构): ``id`` is ``branch:<code>``."""

    id: str
    props: dict[str, Any]


class AuditRow(TypedDict):
    """One audit event of a watchlist entry as exported: instants as ISO-8601 text."""

    id: str
    at: str
    actor: str
    action: str
    before: str | None
    after: str | None


class WatchlistEntryRow(TypedDict):
    """A watchlist entry restored from an export: its props, its party and its audit trail."""

    id: str
    props: dict[str, Any]
    party_id: str
    audit: list[AuditRow]
