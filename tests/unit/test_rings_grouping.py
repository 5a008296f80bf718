"""Ring grouping (union-find over shared identifiers) and the explainable ring score."""

from __future__ import annotations

from graph.network.rings import RefreshReport, SharedIdentifier, group_candidates, score_ring


def _shared(ident: str, kind: str, parties: list[str]) -> dict[str, object]:
    return {"id": ident, "kind": kind, "masked": "m", "degree": len(parties), "parties": parties}


def test_parties_linked_through_a_chain_of_identifiers_form_one_ring() -> None:
    report = RefreshReport()
    rings = group_candidates(
        [
            _shared("PHONE:1", "PHONE", ["a", "b"]),
            _shared("BANK_ACCOUNT:1", "BANK_ACCOUNT", ["b", "c"]),
            _shared("PLATE:1", "PLATE", ["x", "y"]),
        ],
        max_degree=10,
        report=report,
    )
    groups = sorted((sorted(r.members), sorted(i.id for i in r.identifiers)) for r in rings)
    assert groups == [
        (["a", "b", "c"], ["BANK_ACCOUNT:1", "PHONE:1"]),
        (["x", "y"], ["PLATE:1"]),
    ]
    assert report.shared_identifiers == 3


def test_hub_identifiers_are_skipped_and_counted() -> None:
    report = RefreshReport()
    hub = _shared("ADDRESS:1", "ADDRESS", [f"p{n}" for n in range(30)])
    rings = group_candidates([hub, _shared("PHONE:2", "PHONE", ["p1", "p2"])], 20, report)
    assert [sorted(r.members) for r in rings] == [["p1", "p2"]]
    assert report.skipped_hubs == 1


def test_ring_id_follows_membership_not_order() -> None:
    first = group_candidates([_shared("PHONE:1", "PHONE", ["a", "b"])], 10, RefreshReport())
    second = group_candidates([_shared("PHONE:9", "PHONE", ["b", "a"])], 10, RefreshReport())
    assert first[0].id == second[0].id


def test_score_weighs_bank_accounts_over_addresses_and_adds_up() -> None:
    bank = [SharedIdentifier("BANK_ACCOUNT:1", "BANK_ACCOUNT", "m", 2)]
    address = [SharedIdentifier("ADDRESS:1", "ADDRESS", "m", 2)]
    bank_parts = score_ring(bank, size=2, complaints=0, flagged_claims=0)
    address_parts = score_ring(address, size=2, complaints=0, flagged_claims=0)
    assert sum(p.points for p in bank_parts) > sum(p.points for p in address_parts)
    parts = score_ring(bank, size=5, complaints=2, flagged_claims=1)
    assert {p.factor: p.points for p in parts} == {
        "shared BANK_ACCOUNT": 4.0,
        "members": 4.0,
        "complaints": 2.0,
        "flagged claims": 5.0,
    }
