"""The complaint desk's intake and record over GraphQL: complainants of any kind, new third
parties with hashed identifiers, caller lookup (masked), branches, NFRA categories, the
crisis plan on MEDIA and SOCIAL_ORGANISATION filings, and bad input answered as union
members that change nothing; who may read which part of the record."""

from __future__ import annotations

from typing import Any

import anyio
import httpx

from graph.bulk.ingest import GraphWriter
from graph.client import Graph
from graph.crisis.cases import CrisisCaseRepository
from models.records import PartyKind, party_id
from models.roles import Role
from monitors.events_dispatch import DomainEventDispatcher
from tests.integration.complaint_fixtures import write_small_book
from tests.integration.conftest import KeyFactory, gql
from tests.integration.crisis_fixtures import EPOCH, MovableClock, make_detector

FILE = """
mutation File($input: FileComplaintInput!) {
  fileComplaint(input: $input) {
    __typename
    ... on FiledComplaint {
      complaint { id complaintNo category nfraCategory { code kind nameZh } branch { code name }
                  channel regulatorReferral { referralNo replyDueAt }
                  complainant { id kind name idMasked phoneMasked } }
      jointReview { reasons participants }
    }
    ... on UnknownBranch { branch message }
    ... on ComplainantAlreadyKnown { matches { id kind idMasked } message }
    ... on InvalidComplainant { field message }
    ... on UnknownSubjects { missing }
  }
}
"""
LOOKUP = """
query Lookup($phone: String, $idNumber: String, $name: String) {
  callerLookup(phone: $phone, idNumber: $idNumber, name: $name) {
    __typename
    ... on CallerMatches { matches { party { id kind name idMasked phoneMasked } matchedOn
                                     openComplaints complaints } }
    ... on InvalidCallerIdentity { field message }
  }
}
"""
RECORD = """
mutation Record($id: ID!, $into: ID!, $uri: String!, $amount: Decimal!) {
  merge: mergeComplaint(id: $id, into: $into) { ...R }
  attach: addComplaintAttachment(id: $id, input: {sha256: "%s", size: 10,
                                 mediaType: "application/pdf", uri: $uri}) { ...R }
  amounts: recordComplaintAmounts(id: $id, compensation: {amount: $amount}) { ...R }
  reopen: reopenComplaint(id: $id, reason: "客户要求") { ...R }
}
fragment R on ComplaintRecordResult {
  __typename
  ... on ComplaintRecordRefusedError { rule message }
  ... on Complaint { complaintNo compensation { amount currency } attachments { uri } }
}
""" % ("ab" * 32)
READ = """
query Read($id: ID!) {
  complaint(id: $id) {
    complaintNo assignment { handler } compensation { amount }
    contactLog { kind }
  }
}
"""
ID_NUMBER = "11010519491231002X"
PHONE = "139 2288 7766"


def _input(no: str, **extra: Any) -> dict[str, Any]:
    return {
        "complaintNo": no,
        "channel": "HOTLINE",
        "category": "CLAIMS",
        "summary": "三者车损赔付太慢",
        **extra,
    }


async def _filed(client: httpx.AsyncClient, key: str, no: str, **extra: Any) -> dict[str, Any]:
    body = (await gql(client, key, FILE, {"input": _input(no, **extra)})).json()
    assert "errors" not in body, body
    result: dict[str, Any] = body["data"]["fileComplaint"]
    return result


async def _complaints(graph: Graph) -> int:
    return int((await graph.read("MATCH (q:Complaint) RETURN count(q) AS n"))[0]["n"])


async def test_a_third_party_files_and_is_recorded_with_hashed_identifiers_only(
    client: httpx.AsyncClient, make_key: KeyFactory, graph: Graph
) -> None:
    await write_small_book(graph)
    desk = await make_key(Role.COMPLAINTS)
    stranger = {
        "name": "赵六",
        "phone": PHONE,
        "idNumber": ID_NUMBER,
        "description": "三者车主，电话13922887766",
    }
    filed = await _filed(client, desk, "QT1", newComplainant=stranger, claimNos=["L1"])
    assert filed["__typename"] == "FiledComplaint"
    who = filed["complaint"]["complainant"]
    assert who["kind"] == "ThirdParty"
    assert (who["name"], who["idMasked"], who["phoneMasked"]) == (
        "赵六",
        "110***********002X",
        "139****7766",
    )
    dump = await graph.read("MATCH (n) RETURN properties(n) AS p")
    text = str([r["p"] for r in dump])
    assert "13922887766" not in text
    assert ID_NUMBER not in text
    # The same person again as a "new" complainant: the desk is pointed at the record.
    again = await _filed(client, desk, "QT2", newComplainant=stranger)
    assert again["__typename"] == "ComplainantAlreadyKnown"
    assert again["matches"][0]["id"] == who["id"]
    # ...and files for that party by id.
    known = await _filed(client, desk, "QT2", complainant=who["id"])
    assert known["complaint"]["complainant"]["id"] == who["id"]
    bad = await _filed(client, desk, "QT3", newComplainant={"name": "钱七", "phone": "12345"})
    assert (bad["__typename"], bad["field"]) == ("InvalidComplainant", "phone")
    assert await _complaints(graph) == 2


async def test_identifiers_typed_into_a_summary_are_stored_masked(
    client: httpx.AsyncClient, make_key: KeyFactory, graph: Graph
) -> None:
    await write_small_book(graph)
    desk = await make_key(Role.COMPLAINTS)
    typed = f"客户电话{PHONE}，身份证{ID_NUMBER}，车牌粤B12345，要求退保"
    await _filed(client, desk, "QS1", customerNo="C1", summary=typed)
    stranger = {"name": "孙八", "phone": "13700001111"}
    await _filed(client, desk, "QS2", newComplainant=stranger, summary=typed)
    stored = await graph.read(
        "MATCH (q:Complaint) WHERE q.complaint_no IN ['QS1', 'QS2'] RETURN q.summary AS s"
    )
    masked = "客户电话139****7766，身份证110***********002X，车牌粤B·***45，要求退保"
    assert [r["s"] for r in stored] == [masked, masked]
    dump = str([r["p"] for r in await graph.read("MATCH (n) RETURN properties(n) AS p")])
    for raw in ("13922887766", "139 2288 7766", ID_NUMBER, "粤B12345"):
        assert raw not in dump, raw


async def test_complainants_of_every_kind_and_branches(
    client: httpx.AsyncClient, make_key: KeyFactory, graph: Graph
) -> None:
    await write_small_book(graph)
    await GraphWriter(graph).parties(
        PartyKind.BROKER,
        [
            {
                "id": party_id(PartyKind.BROKER, "B1"),
                "props": {"ref": "B1", "name": "安信保险经纪", "branch": "GD"},
                "identifiers": [],
            }
        ],
    )
    desk = await make_key(Role.COMPLAINTS)
    admin = await make_key(Role.ADMIN)
    unknown = await _filed(client, desk, "QB1", complainant="broker:B1", branch="XX")
    assert unknown["__typename"] == "UnknownBranch"
    assert unknown["branch"] == "XX"
    assert await _complaints(graph) == 0
    define = 'mutation { defineBranch(code: "GD", name: "广东分公司") { code name } }'
    assert (await gql(client, admin, define)).json()["data"]["defineBranch"]["name"] == "广东分公司"
    # The branch defaults to the complainant's; the NFRA category implies the coarse one.
    filed = await _filed(
        client,
        desk,
        "QB1",
        complainant="broker:B1",
        category=None,
        nfraCategory="SALES_MISREPRESENTATION",
    )
    c = filed["complaint"]
    assert c["complainant"]["kind"] == "Broker"
    assert c["branch"] == {"code": "GD", "name": "广东分公司"}
    assert c["category"] == "SALES"
    assert c["nfraCategory"] == {
        "code": "SALES_MISREPRESENTATION",
        "kind": "CONTRACT_DISPUTE",
        "nameZh": "销售误导",
    }
    plain = await _filed(client, desk, "QB2", customerNo="C1")
    assert plain["complaint"]["nfraCategory"]["code"] == "CLAIM_OTHER"
    mismatch = await gql(
        client, desk, FILE, {"input": _input("QB3", customerNo="C1", nfraCategory="SURRENDER")}
    )
    assert "belongs to UNDERWRITING" in mismatch.json()["errors"][0]["message"]
    branches = (await gql(client, desk, "{ branches { code name } }")).json()["data"]
    assert branches["branches"] == [{"code": "GD", "name": "广东分公司"}]
    missing = await _filed(client, desk, "QB4", complainant="dealer:D404")
    assert missing["missing"] == ["dealer:D404"]


async def test_a_regulator_case_records_its_referral_at_filing(
    client: httpx.AsyncClient, make_key: KeyFactory, graph: Graph
) -> None:
    await write_small_book(graph)
    desk = await make_key(Role.COMPLAINTS)
    referral = {
        "customerNo": "C1",
        "channel": "REGULATOR",
        "regulatorReferralNo": "粤监转〔2026〕118号",
        "regulatorReplyDueAt": "2026-12-20T17:00:00+08:00",
    }
    filed = await _filed(client, desk, "QR1", **referral)
    assert filed["complaint"]["regulatorReferral"] == {
        "referralNo": "粤监转〔2026〕118号",
        "replyDueAt": "2026-12-20T09:00:00+00:00",
    }
    assert "compliance" in filed["jointReview"]["participants"]
    hotline = {**referral, "channel": "HOTLINE"}
    wrong = await gql(client, desk, FILE, {"input": _input("QR2", **hotline)})
    assert "filed on REGULATOR" in wrong.json()["errors"][0]["message"]


async def test_caller_lookup_answers_masked_identifiers_to_the_desk_and_frontline(
    client: httpx.AsyncClient, make_key: KeyFactory, graph: Graph
) -> None:
    await write_small_book(graph)
    desk = await make_key(Role.COMPLAINTS)
    frontline = await make_key(Role.FRONTLINE)
    stranger = {"name": "赵六", "phone": PHONE, "idNumber": ID_NUMBER}
    await _filed(client, desk, "QL1", newComplainant=stranger)
    for key in (desk, frontline):
        by_phone = (await gql(client, key, LOOKUP, {"phone": "+86 13922887766"})).json()
        [match] = by_phone["data"]["callerLookup"]["matches"]
        assert match["party"]["phoneMasked"] == "139****7766"
        assert (match["matchedOn"], match["openComplaints"], match["complaints"]) == (
            ["PHONE"],
            1,
            1,
        )
        assert "13922887766" not in str(by_phone)
    by_name = (await gql(client, desk, LOOKUP, {"name": "赵 六"})).json()
    [named] = by_name["data"]["callerLookup"]["matches"]
    assert (named["party"]["name"], named["matchedOn"]) == ("赵六", ["NAME"])
    bad = (await gql(client, desk, LOOKUP, {"idNumber": "110105194912310021"})).json()
    assert bad["data"]["callerLookup"]["field"] == "idNumber"
    # Frontline sees counts, not the caller's complaint numbers.
    recent = """query { callerLookup(phone: "13922887766") {
      ... on CallerMatches { matches { recentComplaints { complaintNo } } } } }"""
    denied = (await gql(client, frontline, recent)).json()
    assert denied["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    allowed = (await gql(client, desk, recent)).json()
    matches = allowed["data"]["callerLookup"]["matches"]
    assert matches[0]["recentComplaints"] == [{"complaintNo": "QL1"}]
    refused = (await gql(client, await make_key(Role.RISK), LOOKUP, {"name": "赵六"})).json()
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_bad_record_input_is_refused_as_a_union_member_and_changes_nothing(
    client: httpx.AsyncClient, make_key: KeyFactory, graph: Graph
) -> None:
    await write_small_book(graph)
    desk = await make_key(Role.COMPLAINTS)
    await _filed(client, desk, "QX1", customerNo="C1")
    before = await graph.read("MATCH (q:Complaint) RETURN properties(q) AS p")
    answer = (
        await gql(
            client,
            desk,
            RECORD,
            {"id": "QX1", "into": "complaint:QX1", "uri": "ftp://docs/a.pdf", "amount": "-5"},
        )
    ).json()
    assert "errors" not in answer, answer
    got = {name: (r["__typename"], r.get("rule")) for name, r in answer["data"].items()}
    assert got == {
        "merge": ("ComplaintRecordRefusedError", "SELF_MERGE"),
        "attach": ("ComplaintRecordRefusedError", "URI_NOT_HTTP"),
        "amounts": ("ComplaintRecordRefusedError", "NEGATIVE_AMOUNT"),
        "reopen": ("ComplaintRecordRefusedError", "NOT_FINISHED"),
    }
    after = await graph.read("MATCH (q:Complaint) RETURN properties(q) AS p")
    strip = [{k: v for k, v in r["p"].items() if k != "updated_at"} for r in before]
    assert [{k: v for k, v in r["p"].items() if k != "updated_at"} for r in after] == strip
    assert await graph.read("MATCH (a:ComplaintAttachment) RETURN a") == []


async def test_the_contact_log_is_the_desks_while_risk_reads_the_rest(
    client: httpx.AsyncClient, make_key: KeyFactory, graph: Graph
) -> None:
    await write_small_book(graph)
    desk = await make_key(Role.COMPLAINTS)
    await _filed(client, desk, "QP1", customerNo="C1")
    work = """mutation {
      assignComplaint(id: "QP1", handler: "王敏", team: "claims") { __typename }
      recordComplaintAmounts(id: "QP1", compensation: {amount: "800.5", currency: "CNY"}) {
        __typename }
      logComplaintContact(id: "QP1", input: {kind: CALLBACK, note: "满意",
                                             satisfaction: SATISFIED}) { __typename }
    }"""
    assert "errors" not in (await gql(client, desk, work)).json()
    mine = (await gql(client, desk, READ, {"id": "QP1"})).json()["data"]["complaint"]
    assert mine["assignment"] == {"handler": "王敏"}
    assert mine["compensation"] == {"amount": "800.50"}
    assert mine["contactLog"] == [{"kind": "CALLBACK"}]
    risk = await make_key(Role.RISK)
    partial = (
        await gql(client, risk, READ.replace("contactLog { kind }", ""), {"id": "QP1"})
    ).json()
    assert partial["data"]["complaint"]["compensation"] == {"amount": "800.50"}
    denied = (await gql(client, risk, READ, {"id": "QP1"})).json()
    assert denied["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert denied["errors"][0]["path"][-1] == "contactLog"
    for role in (Role.FRONTLINE, Role.MANAGEMENT, Role.CLAIMS):
        other = (await gql(client, await make_key(role), READ, {"id": "QP1"})).json()
        assert other["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_filing_on_media_or_a_social_organisation_starts_the_crisis_plan(
    client: httpx.AsyncClient, make_key: KeyFactory, graph: Graph
) -> None:
    await write_small_book(graph)
    desk = await make_key(Role.COMPLAINTS)
    await _filed(client, desk, "QM1", customerNo="C1", channel="MEDIA")
    filed = await _filed(client, desk, "QS1", customerNo="C2", channel="SOCIAL_ORGANISATION")
    assert filed["jointReview"]["reasons"] == ["SOCIAL_ORGANISATION"]
    assert "compliance" in filed["jointReview"]["participants"]
    await _filed(client, desk, "QH1", customerNo="C2", channel="HOTLINE")
    clock = MovableClock(EPOCH)
    dispatcher = DomainEventDispatcher(graph, make_detector(graph, clock))
    with anyio.fail_after(15):
        while (await graph.read("MATCH (e:Undispatched) RETURN count(e) AS n"))[0]["n"]:
            await dispatcher.run_once()
    cases = await CrisisCaseRepository(graph).list_cases("OPEN")
    assert sorted(c.subject_id for c in cases) == ["complaint:QM1", "complaint:QS1"]
    alerts = await graph.read(
        "MATCH (a:Alert) RETURN a.subject_id AS subject, a.kind AS kind, a.explanation AS why"
    )
    assert {(a["subject"], a["kind"]) for a in alerts} == {
        ("complaint:QM1", "MEDIA_ESCALATION"),
        ("complaint:QS1", "MEDIA_ESCALATION"),
    }
    assert any("filed on the SOCIAL_ORGANISATION channel" in a["why"] for a in alerts)
