"""Renewal decisions as pure logic: identity keys, match scores, reason -> action mapping."""

from __future__ import annotations

import pytest

from models.identity import InvalidIdentifier, id_check_digit
from models.names import name_similarity
from models.renewal import (
    DEFAULT_ACTIONS,
    CandidateMatch,
    EntryRef,
    RenewalAction,
    decide,
    identity_keys,
    match_score,
)
from models.watchlist import EvidenceEdge, Finding, WatchlistReason, entry_id, mask_name

SECRET = b"unit-secret-0123456789abcdef"
FIRST17 = "11010519491231002"
ID18 = FIRST17 + id_check_digit(FIRST17)


def _match(keys: set[str], *entries: tuple[str, str]) -> CandidateMatch:
    return CandidateMatch(
        party_id="customer:C1",
        name="张伟",
        id_masked=None,
        phone_masked=None,
        matched_on=keys,
        entries=[EntryRef(f"watch:{i}", r, s) for i, (r, s) in enumerate(entries)],
    )


def test_no_match_renews() -> None:
    assert decide([], DEFAULT_ACTIONS) == (RenewalAction.RENEW, [])


def test_active_fraud_link_declines_and_repeat_complainant_adds_conditions() -> None:
    fraud = _match({"idNumber"}, ("FRAUD_LINKED", "ACTIVE"))
    complainant = _match({"idNumber"}, ("REPEAT_COMPLAINANT", "ACTIVE"))
    assert decide([fraud], DEFAULT_ACTIONS)[0] is RenewalAction.DECLINE
    assert decide([complainant], DEFAULT_ACTIONS)[0] is RenewalAction.RENEW_WITH_CONDITIONS


def test_proposed_entries_ask_for_review_and_the_most_cautious_action_wins() -> None:
    both = _match({"phone"}, ("REPEAT_COMPLAINANT", "ACTIVE"), ("FRAUD_LINKED", "PROPOSED"))
    action, reasons = decide([both], DEFAULT_ACTIONS)
    assert action is RenewalAction.REVIEW
    assert [wanted for _, wanted in reasons] == [
        RenewalAction.RENEW_WITH_CONDITIONS,
        RenewalAction.REVIEW,
    ]


def test_the_mapping_is_configurable() -> None:
    complainant = _match({"idNumber"}, ("REPEAT_COMPLAINANT", "ACTIVE"))
    actions = {**DEFAULT_ACTIONS, "REPEAT_COMPLAINANT": "DECLINE"}
    assert decide([complainant], actions)[0] is RenewalAction.DECLINE


def test_a_name_alone_never_declines() -> None:
    by_name = _match({"name"}, ("FRAUD_LINKED", "ACTIVE"))
    assert decide([by_name], DEFAULT_ACTIONS)[0] is RenewalAction.REVIEW


def test_scores_rank_keys_and_names_only_support() -> None:
    same, traditional = name_similarity("张伟", "张伟"), name_similarity("張偉", "张伟")
    other, homophone = name_similarity("李娜", "张伟"), name_similarity("张玮", "张伟")
    assert traditional == same == 1.0
    assert homophone > other
    assert match_score({"idNumber"}, None) == 0.95
    assert match_score({"idNumber", "phone"}, None) > 0.95
    assert match_score({"idNumber"}, traditional) > 0.95  # the same name confirms
    assert match_score({"idNumber"}, other) < 0.95  # a different name costs a little
    assert match_score({"name"}, same) <= 0.5
    assert match_score({"name"}, other) < match_score({"name"}, homophone)
    assert match_score(set(), same) == 0.0


@pytest.mark.parametrize(
    "raw",
    [
        ID18,
        f"{ID18[:6]} {ID18[6:14]} {ID18[14:]}",
        "".join(chr(ord(c) + 0xFEE0) for c in ID18),
        FIRST17[:6] + FIRST17[8:],
    ],
)
def test_id_number_formats_give_the_same_key(raw: str) -> None:
    assert identity_keys(SECRET, {"idNumber": raw}) == identity_keys(SECRET, {"idNumber": ID18})


def test_phone_and_plate_formats_give_the_same_key() -> None:
    phones = {
        identity_keys(SECRET, {"phone": p}).identifiers
        for p in ("13812345678", "+86 138-1234-5678", "0086 138 1234 5678")
    }
    plates = {
        identity_keys(SECRET, {"plate": p}).identifiers
        for p in ("粤B12345", "粤B·12345", "粤 b-12345")
    }
    assert len(phones) == 1
    assert len(plates) == 1


def test_invalid_identities_say_which_field() -> None:
    wrong_check = FIRST17 + ("0" if ID18[-1] != "0" else "1")
    with pytest.raises(InvalidIdentifier, match=r"idNumber: .*check digit"):
        identity_keys(SECRET, {"idNumber": wrong_check})
    with pytest.raises(InvalidIdentifier, match="empty"):
        identity_keys(SECRET, {"name": "  ", "phone": None})
    with pytest.raises(InvalidIdentifier, match="customerNo"):
        identity_keys(SECRET, {"customerNo": "not a number"})


def test_customer_numbers_are_folded() -> None:
    assert identity_keys(SECRET, {"customerNo": " ｃ7000001"}).customer_no == "C7000001"


def test_fingerprint_depends_on_evidence_only() -> None:
    edge = EvidenceEdge("customer:C1", "FILED", "complaint:Q1")
    a = Finding("customer:C1", WatchlistReason.REPEAT_COMPLAINANT, {"complaint:Q1"}, {edge})
    b = Finding("customer:C1", WatchlistReason.REPEAT_COMPLAINANT, {"complaint:Q1"}, {edge}, "x")
    c = Finding("customer:C1", WatchlistReason.REPEAT_COMPLAINANT, {"complaint:Q2"}, {edge})
    assert a.fingerprint() == b.fingerprint() != c.fingerprint()
    assert EvidenceEdge.decode(edge.encoded()) == edge
    assert (
        entry_id("customer:C1", WatchlistReason.FRAUD_LINKED)
        == entry_id("customer:C1", WatchlistReason.FRAUD_LINKED)
        != entry_id("customer:C1", WatchlistReason.REPEAT_COMPLAINANT)
    )


def test_names_are_masked() -> None:
    assert mask_name("钱多多") == "钱**"
    assert mask_name("王") == "王*"
    assert mask_name("") == ""
