"""What a renewal answer reveals, and what enumeration looks like (pure rules)."""

from __future__ import annotations

from models.identifier_probing import FailedIdentifier, enumeration_groups, failures_from_tokens
from models.renewal import CandidateMatch, EntryRef, RenewalAction
from models.renewal_disclosure import NAME_ONLY_CODE, disclose_match, disclose_reasons

ENTRY = EntryRef("w1", "FRAUD_LINKED", "ACTIVE")


def _match(matched_on: set[str], entries: list[EntryRef] | None = None) -> CandidateMatch:
    return CandidateMatch(
        party_id="customer:C1",
        name="张伟",
        id_masked="110***********1234",
        phone_masked="138****5678",
        matched_on=matched_on,
        entries=entries or [],
        score=0.9,
    )


def test_a_match_shows_only_the_identifiers_that_matched() -> None:
    shown = disclose_match(_match({"customerNo", "phone"}), ["customerNo", "phone", "idNumber"])
    assert shown is not None
    assert (shown.masked_phone, shown.masked_id_number, shown.masked_name) == (
        "138****5678",
        None,
        None,
    )
    named = disclose_match(_match({"idNumber"}), ["idNumber", "name"])
    assert named is not None
    assert (named.masked_name, named.masked_id_number, named.masked_phone) == (
        "张*",
        "110***********1234",
        None,
    )


def test_a_name_only_match_is_not_shown_and_its_reasons_fold_into_one() -> None:
    name_only = _match({"name"}, [ENTRY, EntryRef("w2", "MANUAL", "PROPOSED")])
    assert disclose_match(name_only, ["name"]) is None
    reasons = disclose_reasons(
        [name_only], [(ENTRY, RenewalAction.REVIEW), (name_only.entries[1], RenewalAction.REVIEW)]
    )
    assert [(r.code, r.entry_id, r.action) for r in reasons] == [
        (NAME_ONLY_CODE, None, RenewalAction.REVIEW)
    ]
    confirmed = _match({"idNumber"}, [ENTRY])
    shown = disclose_reasons([confirmed], [(ENTRY, RenewalAction.DECLINE)])
    assert [(r.code, r.entry_id) for r in shown] == [("FRAUD_LINKED", "w1")]


def test_candidates_sharing_a_masked_form_are_enumeration() -> None:
    phones = [FailedIdentifier("PHONE", "138****5678", f"k{n}") for n in range(10)]
    others = [FailedIdentifier("PHONE", f"13{n}****0000", f"o{n}") for n in range(10)]
    numbers = [FailedIdentifier("CUSTOMER_NO", "", f"C{n}") for n in range(20)]
    assert enumeration_groups(phones + others + numbers, threshold=10) == {
        ("PHONE", "138****5678"): 10
    }
    assert enumeration_groups(phones[:9] + phones[:9], threshold=10) == {}
    assert failures_from_tokens([phones[0].token]) == [phones[0]]
