"""Every Cypher statement that reaches the driver is written in the source (the check itself
is in tests/literal_cypher.py), and the check demonstrably fails on statements built at run time.
"""

from __future__ import annotations

import ast

from tests.literal_cypher import Checker, check_sources, project_modules, sinks

# -- the project -----------------------------------------------------------------------------


def test_every_statement_reaching_the_driver_is_literal() -> None:
    problems = Checker(project_modules()).run()
    assert problems == []


def test_the_project_has_statements_to_check() -> None:
    # Guards the guard: if the sinks were renamed, the test above would pass on nothing.
    found = [call for module in project_modules().values() for call, _ in sinks(module)]
    assert len(found) > 100


# -- the checker itself ----------------------------------------------------------------------

QUERIES = '''
from typing import LiteralString

from graph.labels import Label

def _merge(label: Label) -> LiteralString:
    return "MERGE (n:" + label + " {id: $id})"

GET: LiteralString = """MATCH (n {id: $id}) RETURN n"""
_TAIL: LiteralString = " RETURN n"
LIST: LiteralString = "MATCH (n)" + _TAIL
BY_KIND: dict[str, LiteralString] = {"A": GET, "B": LIST}
MERGES = {label.value: _merge(label) for label in Label}
'''


def repo(body: str) -> dict[str, str]:
    source = (
        "from typing import Any, LiteralString\n"
        "from graph.things import queries as q\n"
        "from graph.things.queries import GET\n\n" + body
    )
    return {"graph.things.queries": QUERIES, "graph.things.store": source}


def test_constants_conditionals_and_forwarded_statements_pass() -> None:
    body = """
class Things:
    async def one(self, kind: str, label: str) -> None:
        await self.graph.read(q.GET, id=1)
        await self.graph.read(GET)
        await self.graph.read("RETURN 1")
        await self.graph.read(q.BY_KIND[kind])
        await self.graph.write(q.MERGES[label])
        cypher = q.LIST if kind else q.GET
        await self.graph.read(cypher)

    async def many(self, rows: list[Any]) -> None:
        await self._run([(q.GET, rows), (q.LIST, rows)])

    async def _run(self, statements: list[tuple[LiteralString, Any]]) -> None:
        statements = [(c, r) for c, r in statements if r]
        async def work(tx: Any) -> None:
            for cypher, rows in statements:
                await tx.run(cypher, rows=rows)
        await self.graph.write_transaction(work)
"""
    assert check_sources(repo(body)) == []


def test_an_f_string_statement_fails() -> None:
    body = """
async def find(graph: Any, label: str) -> None:
    await graph.read(f"MATCH (n:{label}) RETURN n")
"""
    problems = check_sources(repo(body))
    assert len(problems) == 1
    assert "graph/things/store.py:7" in problems[0]
    assert "f-string" in problems[0]


def test_an_f_string_kept_in_a_local_or_passed_down_fails() -> None:
    body = """
async def find(graph: Any, label: str) -> None:
    cypher = f"MATCH (n:{label}) RETURN n"
    await graph.read(cypher)

async def run(tx: Any, label: str) -> None:
    await _send(tx, [(f"MATCH (n:{label})", {})])

async def _send(tx: Any, statements: list[tuple[LiteralString, Any]]) -> None:
    for cypher, params in statements:
        await tx.run(cypher, params)
"""
    problems = check_sources(repo(body))
    assert len(problems) == 2
    assert all("f-string" in problem for problem in problems)


def test_run_time_concatenation_format_and_unknown_values_fail() -> None:
    body = """
async def find(graph: Any, where: str, query: str) -> None:
    await graph.read(q.GET + where)
    await graph.read("MATCH (n) WHERE {} RETURN n".format(where))
    await graph.write("MATCH (n) WHERE %s" % where)
    await graph.read(query)
    await graph.read(" ".join([q.GET, where]))
"""
    problems = check_sources(repo(body))
    assert len(problems) == 5, problems


def test_an_f_string_in_a_query_constant_fails() -> None:
    queries = QUERIES + 'BAD: LiteralString = f"MATCH (n:{Label.PARTY})"\n'
    sources = repo("")
    sources["graph.things.queries"] = queries
    problems = check_sources(sources)
    assert problems == ["graph/things/queries.py: BAD uses an f-string"]


def test_every_query_constant_is_annotated_literal() -> None:
    unannotated = [
        f"{module.rel}:{node.lineno}"
        for module in project_modules().values()
        if module.rel.startswith("graph/") and module.rel.endswith("queries.py")
        for node in module.tree.body
        if isinstance(node, ast.Assign)
        or (isinstance(node, ast.AnnAssign) and "LiteralString" not in ast.unparse(node.annotation))
    ]
    assert unannotated == []


def test_a_statement_carried_in_a_record_field_is_checked_where_the_record_is_built() -> None:
    body = """
from dataclasses import dataclass

@dataclass(frozen=True)
class Change:
    cypher: LiteralString
    params: Any

async def good(tx: Any) -> None:
    change = Change(q.GET, {})
    await tx.run(change.cypher, change.params)

async def bad(tx: Any, label: str) -> None:
    change = Change(cypher=f"MATCH (n:{label})", params={})
    await tx.run(change.cypher, change.params)
"""
    # Reported once, where the record is built with it.
    assert check_sources(repo(body)) == ["graph/things/store.py:18: field 'cypher' is an f-string"]
