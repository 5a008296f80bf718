"""The import format: one raw record (a CSV row or a JSON Lines object) to one graph row.

Pure parsing and validation, no I/O. Each record type has a natural key column, references
to other records by their natural keys, and typed columns; ``docs/import-format.md`` is the
reference for users. A record that cannot be imported raises :class:`RowError`, which names
the column and the reason, and nothing of it is written.
"""

from __future__ import annotations

import hmac
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from pathlib import PurePath
from typing import Any

from models.errors import InvalidInput
from models.identity import (
    Identifier,
    IdentifierKind,
    InvalidIdentifier,
    identity_key_check,
    make_identifier,
)
from models.import_columns import (
    KEY_PATTERN,
    choice_value,
    date_value,
    flag_value,
    instant_value,
    key_value,
    key_values,
    many_values,
    number_value,
    optional_key,
    present,
    required_text,
    text_value,
)
from models.import_columns import (
    RowError as RowError,  # re-exported: callers catch it from here
)
from models.import_history import (
    attachments,
    audit_trail,
    complaint_lifecycle,
    contacts,
    escalations,
    joint_reviews,
    repeats,
    watchlist_entry_props,
)
from models.names import fold_name, pinyin_key
from models.nfra_categories import NfraCategory, categories_for_filing
from models.records import (
    PARTY_ID_PREFIX,
    BranchRow,
    ClaimRow,
    ClaimStatus,
    ComplaintCategory,
    ComplaintChannel,
    ComplaintRow,
    ComplaintStatus,
    IdentifierRow,
    PartyIdentifiers,
    PartyKind,
    PartyRow,
    PolicyRow,
    WatchlistEntryRow,
    branch_id,
    claim_id,
    complaint_id,
    party_id,
    policy_id,
)
from models.text_scrub import scrub_personal_data
from models.watchlist import WatchlistReason, entry_id


class RecordType(StrEnum):
    """What a file (or a ``type`` column) holds; the value is how files are named."""

    BRANCH = "branches"
    CUSTOMER = "customers"
    REPAIR_SHOP = "repair_shops"
    AGENT = "agents"
    BROKER = "brokers"
    DEALER = "dealers"
    ADJUSTER = "adjusters"
    THIRD_PARTY = "third_parties"
    POLICY = "policies"
    CLAIM = "claims"
    COMPLAINT = "complaints"
    WATCHLIST_ENTRY = "watchlist_entries"


# Branches first, then parties, then what references them: policies, claims, complaints,
# watchlist entries.
IMPORT_ORDER: tuple[RecordType, ...] = tuple(RecordType)

PARTY_TYPES: dict[RecordType, PartyKind] = {
    RecordType.CUSTOMER: PartyKind.CUSTOMER,
    RecordType.REPAIR_SHOP: PartyKind.REPAIR_SHOP,
    RecordType.AGENT: PartyKind.AGENT,
    RecordType.BROKER: PartyKind.BROKER,
    RecordType.DEALER: PartyKind.DEALER,
    RecordType.ADJUSTER: PartyKind.ADJUSTER,
    RecordType.THIRD_PARTY: PartyKind.THIRD_PARTY,
}

# The natural key column of each party kind.
PARTY_KEY_COLUMN: dict[PartyKind, str] = {
    PartyKind.CUSTOMER: "customer_no",
    PartyKind.REPAIR_SHOP: "shop_code",
    PartyKind.AGENT: "agent_no",
    PartyKind.BROKER: "broker_no",
    PartyKind.DEALER: "dealer_no",
    PartyKind.ADJUSTER: "adjuster_no",
    PartyKind.THIRD_PARTY: "third_party_no",
}

# Raw identifier columns a party may carry; each may hold several values separated by ";".
IDENTIFIER_COLUMNS: dict[str, IdentifierKind] = {
    "id_number": IdentifierKind.ID_CARD,
    "phone": IdentifierKind.PHONE,
    "plate": IdentifierKind.PLATE,
    "bank_account": IdentifierKind.BANK_ACCOUNT,
    "email": IdentifierKind.EMAIL,
    "address": IdentifierKind.ADDRESS,
}

_ALIASES = {
    "customer": RecordType.CUSTOMER,
    "repair_shop": RecordType.REPAIR_SHOP,
    "shop": RecordType.REPAIR_SHOP,
    "shops": RecordType.REPAIR_SHOP,
    "agent": RecordType.AGENT,
    "broker": RecordType.BROKER,
    "dealer": RecordType.DEALER,
    "adjuster": RecordType.ADJUSTER,
    "third_party": RecordType.THIRD_PARTY,
    "branch": RecordType.BRANCH,
    "policy": RecordType.POLICY,
    "claim": RecordType.CLAIM,
    "complaint": RecordType.COMPLAINT,
    "watchlist_entry": RecordType.WATCHLIST_ENTRY,
    "watchlist": RecordType.WATCHLIST_ENTRY,
}

COMPLAINT_DEADLINE = timedelta(days=15)


class IdentitySecretMismatch(RowError):
    """Hashed identifiers made with another identity secret: no record of that source can be
    imported (the importer stops at the first one instead of rejecting them one by one)."""

    def __init__(self) -> None:
        super().__init__(
            KEY_CHECK_COLUMN,
            "the hashed identifiers were made with a different RISKWATCH_IDENTITY_SECRET; "
            "import this file with the secret of the installation that exported it",
        )


def _scrubbed(text: str | None) -> str | None:
    """Free text with the identifiers typed into it masked (models.text_scrub)."""
    return None if text is None else scrub_personal_data(text)


def parse_record_type(value: str) -> RecordType:
    """A record type from its name, singular or plural (``claim``, ``claims``, ``shop``)."""
    name = value.strip().lower().replace("-", "_").replace(" ", "_")
    try:
        return RecordType(name)
    except ValueError:
        if name in _ALIASES:
            return _ALIASES[name]
    known = ", ".join(t.value for t in RecordType)
    raise RowError("type", f"unknown record type {value!r} (one of {known})")


def record_type_from_filename(path: str) -> RecordType | None:
    """The type a file name names (``customers_2026-05.csv``, ``crm_claims.jsonl``), else None."""
    stem = PurePath(path).name.lower().split(".", 1)[0]
    named = [t for t in RecordType if t.value in stem]
    return named[0] if len(named) == 1 else None


@dataclass(frozen=True)
class Reference:
    """A node a record links to, which must exist before the record is written."""

    node_id: str
    column: str
    value: str

    @property
    def kind(self) -> str:
        """``party``, ``policy``, ``claim`` or ``branch``: which index the existence check
        uses."""
        prefix = self.node_id.split(":", 1)[0]
        return prefix if prefix in ("policy", "claim", "branch") else "party"


@dataclass
class ParsedRecord:
    """One valid record: the row for the writer, and what it references."""

    record_type: RecordType
    row: PartyRow | PolicyRow | ClaimRow | ComplaintRow | WatchlistEntryRow | BranchRow
    references: list[Reference] = field(default_factory=list)
    # Identifiers that belong to another party (a policy's plate belongs to its holder).
    linked_identifiers: list[PartyIdentifiers] = field(default_factory=list)


def _identifiers(
    raw: Mapping[str, Any], secret: bytes, columns: dict[str, IdentifierKind]
) -> list[Identifier]:
    found: list[Identifier] = []
    for column, kind in columns.items():
        for value in many_values(raw, column):
            try:
                found.append(make_identifier(secret, kind, value))
            except InvalidIdentifier as error:
                raise RowError(column, f"invalid {_LABELS[kind]}: {error.message}") from None
    return found


# Identifiers as exported: already hashed with the identity secret, with their masked form.
HASHED_IDENTIFIER_COLUMN = "identifier_keys"
KEY_CHECK_COLUMN = "key_check"
_HASHED = re.compile(
    r"(" + "|".join(kind.value for kind in IdentifierKind) + r"):([0-9a-f]{64}):(.{1,100})",
    re.DOTALL,
)


def _hashed_identifiers(raw: Mapping[str, Any], secret: bytes) -> list[Identifier]:
    """``identifier_keys`` (``KIND:hash:masked`` items), valid only with the ``key_check`` of
    this installation's secret: a hash is a join key only under the secret that made it.
    A ``key_check`` is checked wherever it appears (exports put it on every party)."""
    check = text_value(raw, KEY_CHECK_COLUMN)
    if check is not None and not hmac.compare_digest(check, identity_key_check(secret)):
        raise IdentitySecretMismatch()
    value = raw.get(HASHED_IDENTIFIER_COLUMN)
    if value is None or value == "" or value == []:
        return []
    if isinstance(value, str):
        items: list[Any] = [part.strip() for part in value.split(";") if part.strip()]
    elif isinstance(value, list):
        items = value
    else:
        raise RowError(HASHED_IDENTIFIER_COLUMN, "expected a list of KIND:hash:masked items")
    if check is None:
        raise RowError(KEY_CHECK_COLUMN, "missing (hashed identifiers need the secret's check)")
    found: list[Identifier] = []
    for item in items:
        match = _HASHED.fullmatch(item) if isinstance(item, str) else None
        if match is None:
            raise RowError(HASHED_IDENTIFIER_COLUMN, f"{item!r} is not KIND:hash:masked")
        found.append(Identifier(IdentifierKind(match[1]), match[2], match[3]))
    return found


_LABELS = {
    IdentifierKind.ID_CARD: "ID number",
    IdentifierKind.PHONE: "phone number",
    IdentifierKind.PLATE: "plate",
    IdentifierKind.BANK_ACCOUNT: "bank account",
    IdentifierKind.EMAIL: "e-mail address",
    IdentifierKind.ADDRESS: "address",
}


def _identifier_row(ident: Identifier) -> IdentifierRow:
    return {"id": ident.node_id, "kind": ident.kind.value, "key": ident.key, "masked": ident.masked}


def _first_masked(idents: list[Identifier], kind: IdentifierKind) -> str | None:
    return next((i.masked for i in idents if i.kind is kind), None)


def _ref(kind: PartyKind, raw: Mapping[str, Any], column: str) -> Reference | None:
    ref = optional_key(raw, column)
    return Reference(party_id(kind, ref), column, ref) if ref else None


def _branch(raw: Mapping[str, Any]) -> Reference | None:
    """The ``branch`` column: a branch code that must exist (imported earlier, or in the
    graph already)."""
    code = optional_key(raw, "branch")
    return Reference(branch_id(code), "branch", code) if code else None


def _branch_record(raw: Mapping[str, Any], secret: bytes, today: date) -> ParsedRecord:
    code = key_value(raw, "branch_code")
    name = required_text(raw, "name")
    if len(name) > 100:
        raise RowError("name", "a branch name is at most 100 characters")
    row: BranchRow = {"id": branch_id(code), "props": {"code": code, "name": name}}
    return ParsedRecord(RecordType.BRANCH, row)


# -- one parser per record type ---------------------------------------------------------------


def _party(
    record_type: RecordType, raw: Mapping[str, Any], secret: bytes, today: date
) -> ParsedRecord:
    kind = PARTY_TYPES[record_type]
    key_column = PARTY_KEY_COLUMN[kind]
    ref = key_value(raw, key_column)
    name = required_text(raw, "name")
    idents = _identifiers(raw, secret, IDENTIFIER_COLUMNS) + _hashed_identifiers(raw, secret)
    props: dict[str, Any] = {
        "ref": ref,
        "name": name,
        "name_key": fold_name(name),
        "pinyin_key": pinyin_key(name),
    }
    city = text_value(raw, "city")
    if city is not None:
        props["city"] = city
    branch = _branch(raw)
    if branch is not None:
        props["branch"] = branch.value
    if kind is PartyKind.THIRD_PARTY:
        props.update(
            description=_scrubbed(text_value(raw, "description")),
            id_masked=_first_masked(idents, IdentifierKind.ID_CARD),
            phone_masked=_first_masked(idents, IdentifierKind.PHONE),
        )
    if kind is PartyKind.CUSTOMER:
        since = date_value(raw, "since")
        if since is not None and since > today:
            raise RowError("since", "is in the future")
        props.update(
            customer_no=ref,
            since=since,
            id_masked=_first_masked(idents, IdentifierKind.ID_CARD),
            phone_masked=_first_masked(idents, IdentifierKind.PHONE),
        )
    row: PartyRow = {
        "id": party_id(kind, ref),
        "props": props,
        "identifiers": [_identifier_row(i) for i in idents],
    }
    return ParsedRecord(record_type, row, [branch] if branch else [])


def _policy(raw: Mapping[str, Any], secret: bytes, today: date) -> ParsedRecord:
    policy_no = key_value(raw, "policy_no")
    holder = _ref(PartyKind.CUSTOMER, raw, "customer_no")
    if holder is None:
        raise RowError("customer_no", "missing")
    agent = _ref(PartyKind.AGENT, raw, "agent_no")
    broker = _ref(PartyKind.BROKER, raw, "broker_no")
    if agent and broker:
        raise RowError("broker_no", "a policy is sold by an agent or a broker, not both")
    seller = agent or broker
    dealer = _ref(PartyKind.DEALER, raw, "dealer_no")
    product = required_text(raw, "product")
    start = present(date_value(raw, "start_date"), "start_date")
    end = present(date_value(raw, "end_date"), "end_date")
    if end < start:
        raise RowError("end_date", "is before start_date")
    commercial = flag_value(raw, "commercial")
    plates = _identifiers(raw, secret, {"plate": IdentifierKind.PLATE})
    row: PolicyRow = {
        "id": policy_id(policy_no),
        "props": {
            "policy_no": policy_no,
            "product": product,
            "commercial": product != "交强险" if commercial is None else commercial,
            "start_date": start,
            "end_date": end,
            "premium": number_value(raw, "premium"),
            "plate_masked": _first_masked(plates, IdentifierKind.PLATE)
            or text_value(raw, "plate_masked"),
        },
        "holder_id": holder.node_id,
        "seller_id": seller.node_id if seller else None,
        "dealer_id": dealer.node_id if dealer else None,
    }
    references = [r for r in (holder, seller, dealer) if r is not None]
    linked = (
        [
            PartyIdentifiers(
                party_id=holder.node_id, identifiers=[_identifier_row(p) for p in plates]
            )
        ]
        if plates
        else []
    )
    return ParsedRecord(RecordType.POLICY, row, references, linked)


MAX_HANDLER = 64


def _handler(raw: Mapping[str, Any]) -> str | None:
    """The claims handler (a staff number or name) the claim is assigned to."""
    handler = text_value(raw, "handler")
    if handler is not None and len(handler) > MAX_HANDLER:
        raise RowError("handler", f"longer than {MAX_HANDLER} characters")
    return handler


def _claim(raw: Mapping[str, Any], secret: bytes, today: date) -> ParsedRecord:
    claim_no = key_value(raw, "claim_no")
    policy_no = key_value(raw, "policy_no")
    policy = Reference(policy_id(policy_no), "policy_no", policy_no)
    shop = _ref(PartyKind.REPAIR_SHOP, raw, "shop_code")
    adjuster = _ref(PartyKind.ADJUSTER, raw, "adjuster_no")
    status = choice_value(raw, "status", ClaimStatus)
    reported = present(instant_value(raw, "reported_at"), "reported_at")
    settled = instant_value(raw, "settled_at")
    if settled is not None and settled < reported:
        raise RowError("settled_at", "is before reported_at")
    fraud = flag_value(raw, "fraud_flag")
    row: ClaimRow = {
        "id": claim_id(claim_no),
        "props": {
            "claim_no": claim_no,
            "status": status.value,
            "reported_at": reported,
            "settled_at": settled,
            "amount": number_value(raw, "amount"),
            "fraud_flag": bool(fraud),
            "denial_code": text_value(raw, "denial_code"),
            "denial_reason": text_value(raw, "denial_reason"),
            "denial_reason_valid": flag_value(raw, "denial_reason_valid"),
            "handler": _handler(raw),
        },
        "policy_id": policy.node_id,
        "shop_id": shop.node_id if shop else None,
        "adjuster_id": adjuster.node_id if adjuster else None,
    }
    references = [r for r in (policy, shop, adjuster) if r is not None]
    return ParsedRecord(RecordType.CLAIM, row, references)


# A complainant may be a party of any kind, named by that kind's key column.
_COMPLAINANT_COLUMNS = tuple((kind, PARTY_KEY_COLUMN[kind]) for kind in PartyKind)
_PREFIX_KIND = {prefix: kind for kind, prefix in PARTY_ID_PREFIX.items()}


def _about_party(value: str, column: str = "about") -> Reference:
    prefix, _, ref = value.partition(":")
    kind = _PREFIX_KIND.get(prefix.strip().lower())
    if kind is None or not KEY_PATTERN.fullmatch(ref.strip()):
        kinds = ", ".join(_PREFIX_KIND)
        raise RowError(column, f"{value!r} is not <kind>:<key> with kind one of {kinds}")
    return Reference(party_id(kind, ref.strip()), column, value)


def _complaint(raw: Mapping[str, Any], secret: bytes, today: date) -> ParsedRecord:
    complaint_no = key_value(raw, "complaint_no")
    complainants = [r for k, c in _COMPLAINANT_COLUMNS if (r := _ref(k, raw, c)) is not None]
    if len(complainants) != 1:
        columns = ", ".join(column for _, column in _COMPLAINANT_COLUMNS)
        raise RowError("customer_no", f"a complaint names one complainant: one of {columns}")
    channel = choice_value(raw, "channel", ComplaintChannel)
    fine = (
        choice_value(raw, "nfra_category", NfraCategory)
        if text_value(raw, "nfra_category")
        else None
    )
    coarse = (
        choice_value(raw, "category", ComplaintCategory) if text_value(raw, "category") else None
    )
    if coarse is None and fine is None:
        raise RowError("category", "missing")
    try:
        category, _ = categories_for_filing(coarse, fine)
    except InvalidInput as error:
        raise RowError("category", error.message) from None
    branch = _branch(raw)
    status = choice_value(raw, "status", ComplaintStatus, ComplaintStatus.OPEN)
    received = present(instant_value(raw, "received_at"), "received_at")
    due = instant_value(raw, "due_at") or received + COMPLAINT_DEADLINE
    closed = instant_value(raw, "closed_at")
    if due < received:
        raise RowError("due_at", "is before received_at")
    if closed is not None and closed < received:
        raise RowError("closed_at", "is before received_at")
    policies = [Reference(policy_id(v), "policy_no", v) for v in key_values(raw, "policy_no")]
    claims = [Reference(claim_id(v), "claim_no", v) for v in key_values(raw, "claim_no")]
    parties = [_about_party(v) for v in many_values(raw, "about")]
    row: ComplaintRow = {
        "id": complaint_id(complaint_no),
        "props": {
            "complaint_no": complaint_no,
            "channel": channel.value,
            "category": category.value,
            "status": status.value,
            "received_at": received,
            "due_at": due,
            "closed_at": closed,
            "summary": _scrubbed(text_value(raw, "summary")),
            **({"branch": branch.value} if branch else {}),
            **complaint_lifecycle(raw),
        },
        "complainant_id": complainants[0].node_id,
        "about_policy_ids": [r.node_id for r in policies],
        "about_claim_ids": [r.node_id for r in claims],
        "about_party_ids": [r.node_id for r in parties],
        "repeat_of_ids": [complaint_id(no) for no in repeats(raw)],
        "escalations": escalations(raw),
        "joint_reviews": joint_reviews(raw),
        "contacts": contacts(raw),
        "attachments": attachments(raw),
        "audit": audit_trail(raw, "complaint."),
        "merged_into_id": complaint_id(merged)
        if (merged := optional_key(raw, "merged_into"))
        else None,
        "merged_from_ids": [complaint_id(no) for no in key_values(raw, "merged_from")],
    }
    references = complainants + policies + claims + parties + ([branch] if branch else [])
    return ParsedRecord(RecordType.COMPLAINT, row, references)


def _watchlist_entry(raw: Mapping[str, Any], secret: bytes, today: date) -> ParsedRecord:
    party = _about_party(required_text(raw, "party"), "party")
    reason = choice_value(raw, "reason", WatchlistReason)
    wid = required_text(raw, "entry_id")
    if wid != entry_id(party.node_id, reason):
        raise RowError("entry_id", f"{wid!r} is not the id of {party.value}'s {reason} entry")
    props = {"party_id": party.node_id, "reason": reason.value, **watchlist_entry_props(raw)}
    row: WatchlistEntryRow = {
        "id": wid,
        "props": props,
        "party_id": party.node_id,
        "audit": audit_trail(raw),
    }
    return ParsedRecord(RecordType.WATCHLIST_ENTRY, row, [party])


_Parser = Callable[[Mapping[str, Any], bytes, date], ParsedRecord]
_PARSERS: dict[RecordType, _Parser] = {
    RecordType.BRANCH: _branch_record,
    RecordType.POLICY: _policy,
    RecordType.CLAIM: _claim,
    RecordType.COMPLAINT: _complaint,
    RecordType.WATCHLIST_ENTRY: _watchlist_entry,
}


def parse_record(
    record_type: RecordType, raw: Mapping[str, Any], secret: bytes, today: date | None = None
) -> ParsedRecord:
    """Validate and normalise one raw record of ``record_type``; :class:`RowError` if invalid.

    Identifier columns are normalised, hashed with ``secret`` and masked; the raw values go
    no further. ``today`` bounds dates that cannot be in the future (default: today).
    """
    today = today or date.today()
    if record_type in PARTY_TYPES:
        return _party(record_type, raw, secret, today)
    return _PARSERS[record_type](raw, secret, today)
