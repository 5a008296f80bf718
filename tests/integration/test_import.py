"""Bulk import: fixtures land once however often they are imported, bad rows are reported by
line without sinking good ones, identifiers in different spellings link parties."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import httpx

from api.settings import Settings
from graph.bulk.importer import Importer, ImportSource, SourceFormat
from graph.client import Graph
from models.identity import IdentifierKind, id_check_digit, keyed_hash
from models.import_format import RecordType
from models.roles import Role
from tests.integration.conftest import KeyFactory, gql

SECRET = b"integration-secret-0123456789"
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "import"
ROOT = FIXTURES.parent.parent.parent
GOOD_FILES = sorted(p for p in FIXTURES.iterdir() if not p.name.startswith("broken"))

COUNTS = """
MATCH (n) WITH count(n) AS nodes
OPTIONAL MATCH ()-[r]->() RETURN nodes, count(r) AS rels
"""


async def test_importing_the_fixtures_twice_changes_nothing(graph: Graph) -> None:
    # Given in reverse order on purpose: the importer sorts by dependency.
    sources = [ImportSource.from_path(p) for p in reversed(GOOD_FILES)]
    first = await Importer(graph, SECRET).run(sources)
    assert first.rejected == []
    assert first.imported[RecordType.CUSTOMER] == 8
    assert first.imported[RecordType.COMPLAINT] == 6
    assert first.imported[RecordType.BRANCH] == 2
    assert first.imported[RecordType.THIRD_PARTY] == 1
    before = (await graph.read(COUNTS))[0]
    second = await Importer(graph, SECRET).run([ImportSource.from_path(p) for p in GOOD_FILES])
    after = (await graph.read(COUNTS))[0]
    assert second.imported == first.imported
    assert (before["nodes"], before["rels"]) == (after["nodes"], after["rels"])
    links = await graph.read(
        "MATCH (c:Customer {customer_no: 'C1001'})-[:HOLDS]->(p:Policy)-[:HAS_CLAIM]->"
        "(l:Claim)-[:REPAIRED_AT]->(s:RepairShop {ref: 'S9001'}), (p)-[:SOLD_BY]->(:Agent), "
        "(p)-[:SOLD_VIA]->(:Dealer), (q:Complaint)-[:ABOUT]->(l), (c)-[:FILED]->(q) "
        "RETURN l.claim_no AS claim, q.complaint_no AS complaint, q.due_at AS due"
    )
    assert [(r["claim"], r["complaint"]) for r in links] == [("L2026001", "Q2026002")]


async def test_phone_spellings_link_to_one_identifier(graph: Graph) -> None:
    await Importer(graph, SECRET).run([ImportSource.from_path(FIXTURES / "customers.csv")])
    key = keyed_hash(SECRET, IdentifierKind.PHONE, "13800138000")
    records = await graph.read(
        "MATCH (i:Identifier {kind: 'PHONE'})<-[:HAS_ID]-(c:Customer) "
        "WHERE c.customer_no IN ['C1001', 'C1002'] "
        "RETURN collect(DISTINCT i.key) AS keys, collect(DISTINCT i.masked) AS masked"
    )
    assert records[0]["keys"] == [key]
    assert records[0]["masked"] == ["138****8000"]
    dump = await graph.read("MATCH (n) RETURN collect(properties(n)) AS props")
    assert "13800138000" not in str(dump[0]["props"])
    assert "440305198503121231" not in str(dump[0]["props"])


async def test_broken_rows_are_reported_and_good_rows_land(graph: Graph) -> None:
    source = ImportSource.from_path(FIXTURES / "broken_customers.csv")
    report = await Importer(graph, SECRET).run([source])
    reasons = {r.line: r.reason for r in report.rejected}
    assert sorted(reasons) == [3, 4, 5, 6]
    assert reasons[3].startswith("customer_no: missing")
    assert "check digit" in reasons[4]
    assert "unparseable date" in reasons[5]
    assert "phone" in reasons[6]
    assert all(r.source.endswith("broken_customers.csv") for r in report.rejected)
    landed = await graph.read("MATCH (c:Customer) RETURN collect(c.customer_no) AS refs")
    assert sorted(landed[0]["refs"]) == ["C3001", "C3006"]


async def test_references_to_missing_records_are_rejected(graph: Graph) -> None:
    await Importer(graph, SECRET).run([ImportSource.from_path(FIXTURES / "customers.csv")])
    content = (
        "policy_no,customer_no,product,start_date,end_date\n"
        "P1,C1001,车损险,2025-01-01,2025-12-31\n"
        "P2,C9999,车损险,2025-01-01,2025-12-31\n"
    )
    source = ImportSource.from_text("inline.csv", content, SourceFormat.CSV, RecordType.POLICY)
    report = await Importer(graph, SECRET).run([source])
    assert [(r.line, r.reason) for r in report.rejected] == [
        (3, "customer_no: no customer 'C9999'")
    ]
    assert report.imported[RecordType.POLICY] == 1
    dangling = await graph.read("MATCH (p:Policy) WHERE NOT (p)<-[:HOLDS]-() RETURN count(p) AS n")
    assert dangling[0]["n"] == 0


async def test_unknown_branches_and_bad_complaint_history_are_rejected(graph: Graph) -> None:
    await Importer(graph, SECRET).run(
        [ImportSource.from_path(FIXTURES / n) for n in ("branches.csv", "customers.csv")]
    )
    rows = [
        {"complaint_no": "QI1", "customer_no": "C1001", "channel": "SOCIAL_ORGANISATION",
         "nfra_category": "SURRENDER", "received_at": "2026-01-05", "branch": "SZ01"},
        {"complaint_no": "QI2", "customer_no": "C1001", "channel": "HOTLINE",
         "category": "CLAIMS", "received_at": "2026-01-05", "branch": "XX9"},
        {"complaint_no": "QI3", "customer_no": "C1001", "channel": "HOTLINE",
         "category": "CLAIMS", "nfra_category": "SURRENDER", "received_at": "2026-01-05"},
        {"complaint_no": "QI4", "customer_no": "C1001", "channel": "HOTLINE",
         "category": "CLAIMS", "received_at": "2026-01-05",
         "attachments": [{"id": "a1", "sha256": "ab" * 32, "size": 3, "media_type": "image/png",
                          "uri": "file:///etc/passwd", "added_at": "2026-01-05"}]},
        {"complaint_no": "QI5", "customer_no": "C1001", "channel": "HOTLINE",
         "category": "CLAIMS", "received_at": "2026-01-05", "compensation": "-5"},
    ]  # fmt: skip
    content = "\n".join(json.dumps(row, ensure_ascii=False) for row in rows)
    source = ImportSource.from_text("c.jsonl", content, SourceFormat.JSONL, RecordType.COMPLAINT)
    report = await Importer(graph, SECRET).run([source])
    reasons = {r.line: r.reason for r in report.rejected}
    assert reasons[2] == "branch: no branch 'XX9'"
    assert reasons[3].startswith("category: NFRA category SURRENDER")
    assert reasons[4].startswith("attachments: an attachment is referenced by an absolute http")
    assert reasons[5].startswith("compensation:")
    assert sorted(reasons) == [2, 3, 4, 5]
    [landed] = await graph.read(
        "MATCH (q:Complaint) RETURN q.complaint_no AS no, q.category AS category, "
        "q.branch AS branch"
    )
    assert (landed["no"], landed["category"], landed["branch"]) == ("QI1", "UNDERWRITING", "SZ01")


async def test_words_typed_into_imported_complaints_are_stored_masked(graph: Graph) -> None:
    await Importer(graph, SECRET).run([ImportSource.from_path(FIXTURES / "customers.csv")])
    phone, id_number = "13912345678", "11010119900307123" + id_check_digit("11010119900307123")
    typed = f"客户电话{phone}，身份证{id_number}"
    row = {
        "complaint_no": "QM1", "customer_no": "C1001", "channel": "HOTLINE",
        "category": "CLAIMS", "received_at": "2026-01-05", "summary": f"理赔慢，{typed}",
        "resolution": typed, "closure_note": typed, "merge_reason": typed,
        "root_cause_text": typed, "extension_reasons": [typed], "reopen_reasons": [typed],
        "contacts": [{"id": "k1", "at": "2026-01-06T08:00:00Z", "by": "王敏",
                      "kind": "OUTBOUND_CALL", "note": typed}],
        "escalations": [{"id": "e1", "from_channel": "HOTLINE", "to_channel": "REGULATOR",
                         "at": "2026-01-07T08:00:00Z", "by": "desk", "reason": typed}],
    }  # fmt: skip
    source = ImportSource.from_text(
        "q.jsonl", json.dumps(row, ensure_ascii=False), SourceFormat.JSONL, RecordType.COMPLAINT
    )
    for _ in range(2):  # a second import of the same row keeps the masked text as it is
        report = await Importer(graph, SECRET).run([source])
        assert report.rejected == []
    [stored] = await graph.read(
        "MATCH (q:Complaint {complaint_no: 'QM1'}) RETURN q.summary AS summary, "
        "q.resolution AS resolution, q.extension_reasons AS reasons"
    )
    assert stored["summary"] == "理赔慢，客户电话139****5678，身份证110***********1233"
    assert stored["resolution"] == "客户电话139****5678，身份证110***********1233"
    assert stored["reasons"] == [stored["resolution"]]
    everything = await graph.read("MATCH (n) RETURN properties(n) AS p")
    dump = json.dumps([r["p"] for r in everything], ensure_ascii=False, default=str)
    assert phone not in dump
    assert id_number not in dump


async def test_mixed_file_with_a_type_column_is_imported_in_dependency_order(graph: Graph) -> None:
    content = "\n".join(
        [
            '{"type": "policy", "policy_no": "P7", "customer_no": "C7", "product": "交强险",'
            ' "start_date": "2025-01-01", "end_date": "2025-12-31"}',
            '{"type": "customer", "customer_no": "C7", "name": "蔡文姬", "phone": "13500001234"}',
            '{"policy_no": "P8"}',
        ]
    )
    report = await Importer(graph, SECRET).run(
        [ImportSource.from_text("mixed.jsonl", content, SourceFormat.JSONL, None)]
    )
    assert report.imported == {RecordType.CUSTOMER: 1, RecordType.POLICY: 1}
    assert [(r.line, r.reason.split(":")[0]) for r in report.rejected] == [(3, "type")]
    held = await graph.read(
        "MATCH (:Customer {ref: 'C7'})-[:HOLDS]->(p:Policy) RETURN p.commercial AS c"
    )
    assert [r["c"] for r in held] == [False]


def _cli(*args: str, settings: Settings) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "api.cli", "import", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env=_env(settings),
    )


def _env(settings: Settings) -> dict[str, str]:
    env = dict(os.environ)
    env["RISKWATCH_NEO4J_URI"] = settings.neo4j_uri
    env["RISKWATCH_IDENTITY_SECRET"] = SECRET.decode()
    return env


async def test_cli_prints_rejections_and_exits_1(graph: Graph, settings: Settings) -> None:
    done = _cli(str(FIXTURES / "broken_customers.csv"), "--batch-size", "2", settings=settings)
    assert done.returncode == 1, done.stderr
    rejected = re.findall(r"broken_customers\.csv:(\d+): (\w+)", done.stderr)
    assert rejected == [("3", "customer_no"), ("4", "id_number"), ("5", "since"), ("6", "phone")]
    assert "imported 2 rows" in done.stdout
    ok = _cli(*(str(p) for p in GOOD_FILES), settings=settings)
    assert ok.returncode == 0, ok.stderr
    assert "rejected 0" in ok.stdout


IMPORT = """
mutation($content: String!, $type: ImportRecordType) {
  importRecords(format: CSV, content: $content, recordType: $type) {
    imported rejectedCount counts { recordType imported } rejected { line reason }
  }
}
"""


async def test_graphql_import_for_admins_only(
    graph: Graph, make_key: KeyFactory, client: httpx.AsyncClient
) -> None:
    content = (FIXTURES / "broken_customers.csv").read_text(encoding="utf-8")
    risk = await gql(client, await make_key(Role.RISK), IMPORT, {"content": content})
    assert risk.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    admin = await gql(
        client, await make_key(Role.ADMIN), IMPORT, {"content": content, "type": "CUSTOMER"}
    )
    result = admin.json()["data"]["importRecords"]
    assert result["imported"] == 2
    assert result["rejectedCount"] == 4
    assert [r["line"] for r in result["rejected"]] == [3, 4, 5, 6]
    assert result["counts"] == [{"recordType": "CUSTOMER", "imported": 2}]
    too_big = await gql(
        client, await make_key(Role.ADMIN), IMPORT, {"content": "x" * 950_000, "type": "CUSTOMER"}
    )
    assert "larger than" in too_big.json()["errors"][0]["message"]
