"""The writer's identifier statements: one row per distinct identifier and per link."""

from __future__ import annotations

from graph.bulk import queries as q
from graph.bulk.ingest import identifier_statements
from models.records import IdentifierRow, PartyIdentifiers


def _ident(key: str) -> IdentifierRow:
    return {"id": f"PHONE:{key}", "kind": "PHONE", "key": key, "masked": "138****8000"}


def test_shared_identifiers_merge_once_and_link_each_owner_once() -> None:
    shared, own = _ident("aa"), _ident("bb")
    owners = [
        PartyIdentifiers(party_id="customer:C1", identifiers=[shared, own, shared]),
        PartyIdentifiers(party_id="customer:C2", identifiers=[shared]),
    ]
    (merge, identifiers), (link, links) = identifier_statements(owners)
    assert (merge, link) == (q.MERGE_IDENTIFIERS, q.LINK_IDENTIFIERS)
    assert [row["id"] for row in identifiers] == ["PHONE:aa", "PHONE:bb"]
    assert sorted((row["party_id"], row["identifier_id"]) for row in links) == [
        ("customer:C1", "PHONE:aa"),
        ("customer:C1", "PHONE:bb"),
        ("customer:C2", "PHONE:aa"),
    ]


def test_no_identifiers_no_statements() -> None:
    assert identifier_statements([PartyIdentifiers(party_id="agent:A1", identifiers=[])]) == []
