"""How long the pre-execution checks take on hostile documents (issue 19, item 1).

Fragments that spread the previous one twice per level, and selections that repeat one field
hundreds of times, against the schema's own checks (parse, depth, aliases, merge validation,
cost), in process; the baseline is strawberry's QueryDepthLimiter and MaxAliasesLimiter on
the same documents (what the schema used before), which walk every spread again.

    .venv/bin/python bench/query_limits.py
    .venv/bin/python bench/query_limits.py --baseline-levels 12 14 16
"""

from __future__ import annotations

import argparse
import asyncio
import shlex
import sys
import time
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from graphql import parse, validate  # noqa: E402
from strawberry.extensions import MaxAliasesLimiter, QueryDepthLimiter  # noqa: E402

from api.schema import build_schema  # noqa: E402
from graph.access.apikeys import Principal  # noqa: E402
from models.roles import Role  # noqa: E402


def doubling(levels: int) -> str:
    chain = " ".join(
        f"fragment F{i} on Query {{ ...F{i - 1} ...F{i - 1} }}" for i in range(1, levels + 1)
    )
    return f"fragment F0 on Query {{ viewer {{ name }} }} {chain} query {{ ...F{levels} }}"


DOCUMENTS = {
    "doubling fragments, 18 levels (the probe's 753 bytes)": doubling(18),
    "doubling fragments, 40 levels": doubling(40),
    "doubling fragments, 160 levels (the token limit)": doubling(160),
    "320 copies of viewer { name }": "{ " + " ".join("viewer { name }" for _ in range(320)) + " }",
    "120 fragments spread once each": " ".join(
        f"fragment G{i} on Query {{ viewer {{ name role }} }}" for i in range(120)
    )
    + " query { "
    + " ".join(f"...G{i}" for i in range(120))
    + " }",
    "an ordinary query, executed (reference)": "query Me { ...Who } fragment Who on Query "
    "{ viewer { name role } }",
}
# The caller the checks see (only `viewer` runs: it needs no database).
CONTEXT = SimpleNamespace(principal=Principal("bench", "bench", Role.ADMIN))


async def _checked_ms(document: str, rounds: int) -> tuple[float, str]:
    """The best of ``rounds`` first checks (a fresh schema each: no validation cache hit)."""
    best = float("inf")
    outcome = ""
    for _ in range(rounds):
        schema = build_schema()
        started = time.perf_counter()
        result = await schema.execute(document, context_value=CONTEXT)  # type: ignore[attr-defined]
        best = min(best, time.perf_counter() - started)
        errors = result.errors or []
        outcome = errors[0].message[:60] if errors else "executed"
    return best * 1000, outcome


def _baseline_ms(levels: int) -> float:
    schema = build_schema()._schema
    rules = [
        *QueryDepthLimiter(max_depth=10).validation_rules,
        *MaxAliasesLimiter(max_alias_count=30).validation_rules,
    ]
    document = parse(doubling(levels))
    started = time.perf_counter()
    validate(schema, document, rules)
    return (time.perf_counter() - started) * 1000


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="best of N per document")
    parser.add_argument("--baseline-levels", type=int, nargs="*", default=[12, 14, 16])
    args = parser.parse_args()
    print("document | checks now (first time), best of", args.rounds, "| outcome")
    for name, document in DOCUMENTS.items():
        ms, outcome = await _checked_ms(document, args.rounds)
        print(f"{name} | {ms:.1f} ms | {outcome}")
    print("baseline: strawberry's depth and alias limiters on doubling fragments")
    for levels in args.baseline_levels:
        print(f"{levels} levels | {_baseline_ms(levels):.0f} ms")
    print("command: .venv/bin/python bench/query_limits.py " + shlex.join(sys.argv[1:]))


if __name__ == "__main__":
    asyncio.run(main())
