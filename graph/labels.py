"""The allow-list of node labels and relationship types (see ARCHITECTURE.md's graph model).

Labels and types cannot be Cypher parameters, so any code that must choose one at run time
picks it from these enums, never from caller input.
"""

from __future__ import annotations

from enum import StrEnum

from models.records import PartyKind


class Label(StrEnum):
    """Node labels."""

    PARTY = "Party"
    CUSTOMER = "Customer"
    REPAIR_SHOP = "RepairShop"
    AGENT = "Agent"
    BROKER = "Broker"
    DEALER = "Dealer"
    ADJUSTER = "Adjuster"
    THIRD_PARTY = "ThirdParty"
    POLICY = "Policy"
    CLAIM = "Claim"
    COMPLAINT = "Complaint"
    IDENTIFIER = "Identifier"
    FEED = "Feed"
    MENTION = "Mention"
    STORY = "Story"
    SUBJECT = "Subject"
    WATCHLIST_ENTRY = "WatchlistEntry"
    ALERT = "Alert"
    CRISIS_CASE = "CrisisCase"
    AUDIT_EVENT = "AuditEvent"
    API_KEY = "ApiKey"
    FRONTLINE_FEEDBACK = "FrontlineFeedback"
    FEEDBACK_DECISION = "FeedbackDecision"
    JOINT_REVIEW = "JointReview"
    HANDLING_GUIDE = "HandlingGuide"
    DELIVERY = "Delivery"
    WEBHOOK_TARGET = "WebhookTarget"
    DOMAIN_EVENT = "DomainEvent"
    COMPLAINT_ESCALATION = "ComplaintEscalation"
    CRISIS_STEP = "CrisisStep"
    CRISIS_PLAN = "CrisisPlan"
    RING = "Ring"
    BRANCH = "Branch"
    COMPLAINT_CONTACT = "ComplaintContact"
    COMPLAINT_ATTACHMENT = "ComplaintAttachment"


# One label per kind of party (models.records.PartyKind's values are these labels).
PARTY_LABELS: tuple[Label, ...] = tuple(Label(kind.value) for kind in PartyKind)


class Rel(StrEnum):
    """Relationship types."""

    HOLDS = "HOLDS"
    HAS_CLAIM = "HAS_CLAIM"
    REPAIRED_AT = "REPAIRED_AT"
    ASSESSED_BY = "ASSESSED_BY"
    SOLD_BY = "SOLD_BY"
    SOLD_VIA = "SOLD_VIA"
    HAS_ID = "HAS_ID"
    FILED = "FILED"
    ABOUT = "ABOUT"
    FROM = "FROM"
    MENTIONS = "MENTIONS"
    IN_STORY = "IN_STORY"
    LISTS = "LISTS"
    CITES = "CITES"
    HAS_ALERT = "HAS_ALERT"
    ESCALATED = "ESCALATED"
    REVIEWS = "REVIEWS"
    REPEAT_OF = "REPEAT_OF"
    CONCERNS = "CONCERNS"
    BECAME = "BECAME"  # (FrontlineFeedback)-[:BECAME]->(Complaint): a converted grievance
    DECIDES = "DECIDES"  # (FeedbackDecision)-[:DECIDES]->(FrontlineFeedback)
    HAS_STEP = "HAS_STEP"
    FOR = "FOR"
    IN_RING = "IN_RING"
    HAS_CONTACT = "HAS_CONTACT"
    HAS_ATTACHMENT = "HAS_ATTACHMENT"
    MERGED_INTO = "MERGED_INTO"
