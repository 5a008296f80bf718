"""What filing a complaint takes in: the complaint and its complainant, who may be a
customer, any other party, or someone the book does not know yet (recorded as a new party
with hashed identifiers in the filing's own transaction)."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from graph.complaints.records import PartyRef
from graph.complaints.transactions import audit_json
from models.complaint_record import staff_text
from models.errors import InvalidInput
from models.identity import Identifier, IdentifierKind
from models.names import fold_name, pinyin_key
from models.nfra_categories import NfraCategory
from models.records import PARTY_ID_PREFIX, ComplaintCategory, ComplaintChannel, PartyKind, party_id


@dataclass(frozen=True)
class NewParty:
    """A complainant the book does not know yet (a third-party claimant, a passer-by): recorded
    as a ``:ThirdParty`` with identifiers already hashed and masked (``models.identity``)."""

    name: str
    identifiers: Sequence[Identifier] = ()
    description: str | None = None  # "third-party claimant of claim L1"


@dataclass(frozen=True)
class NewComplaint:
    """A complaint as the desk records it. The complainant is exactly one of: a customer
    number, a party id of any kind (``complainant_id``), or a new party."""

    customer_no: str | None
    channel: ComplaintChannel
    category: ComplaintCategory
    summary: str
    received_at: datetime
    complaint_no: str | None = None
    policy_nos: Sequence[str] = ()
    claim_nos: Sequence[str] = ()
    party_ids: Sequence[str] = ()  # repair shops, agents... as node ids ("shop:S9000001")
    complainant_id: str | None = None  # "broker:B0000001", "thirdparty:TP...", "shop:S1"
    new_party: NewParty | None = None
    nfra_category: NfraCategory | None = None
    branch: str | None = None  # default: the complainant's branch
    regulator_ref: str | None = None
    regulator_reply_due_at: datetime | None = None


class ComplainantAlreadyKnown(InvalidInput):
    """A "new" complainant whose ID number the book already holds: file for that party."""

    def __init__(self, matches: Sequence[PartyRef]) -> None:
        ids = ", ".join(m.id for m in matches)
        super().__init__(f"this ID number belongs to {ids}; file the complaint for that party")
        self.matches = list(matches)


def complainant_rows(new: NewComplaint, received_at: datetime) -> tuple[str, list[dict[str, Any]]]:
    """The complainant's node id, and the party row to create when it is new (else none)."""
    given = [x for x in (new.customer_no, new.complainant_id, new.new_party) if x is not None]
    if len(given) != 1:
        raise InvalidInput(
            "name one complainant: a customer number, a party id, or a new complainant"
        )
    if new.customer_no is not None:
        return party_id(PartyKind.CUSTOMER, new.customer_no), []
    if new.complainant_id is not None:
        prefix, _, ref = new.complainant_id.partition(":")
        if prefix not in PARTY_ID_PREFIX.values() or not ref:
            raise InvalidInput(f"{new.complainant_id!r} is not a party id such as broker:B0000001")
        return new.complainant_id, []
    assert new.new_party is not None
    party = new.new_party
    name = party.name.strip()
    if not name or len(name) > 100:
        raise InvalidInput("a new complainant needs a name (at most 100 characters)")
    ref = f"TP{received_at:%Y%m%d}{secrets.token_hex(4).upper()}"
    pid = party_id(PartyKind.THIRD_PARTY, ref)
    props: dict[str, Any] = {
        "ref": ref,
        "name": name,
        "name_key": fold_name(name),
        "pinyin_key": pinyin_key(name),
        "id_masked": next(
            (i.masked for i in party.identifiers if i.kind is IdentifierKind.ID_CARD), None
        ),
        "phone_masked": next(
            (i.masked for i in party.identifiers if i.kind is IdentifierKind.PHONE), None
        ),
        "description": staff_text(party.description, "a description", required=False, limit=500)
        or None,
        "branch": new.branch,
    }
    identifiers = [
        {"id": i.node_id, "kind": i.kind.value, "key": i.key, "masked": i.masked}
        for i in party.identifiers
    ]
    return pid, [{"id": pid, "props": props, "identifiers": identifiers}]


def filed_text(new: NewComplaint, complaint_no: str) -> str:
    """What a filing's audit event records."""
    return audit_json(
        {
            "complaint_no": complaint_no,
            "channel": new.channel.value,
            "category": new.category.value,
            "nfra_category": new.nfra_category.value if new.nfra_category else None,
            "branch": new.branch,
        }
    )
