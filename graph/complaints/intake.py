"""The desk's intake helpers: the branches (机构) complaints and parties belong to, and
looking a caller up by phone, ID number or name (masked results only)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from graph.client import Graph
from graph.complaints import intake_queries as q
from graph.complaints.records import PartyRef
from graph.network.party_search import name_keys
from graph.values import native
from models.errors import InvalidInput
from models.identity import Identifier
from models.import_columns import KEY_PATTERN
from models.records import branch_id

MAX_BRANCH_NAME = 100


@dataclass(frozen=True)
class Branch:
    """A branch (机构) of the company: its code and name."""

    code: str
    name: str


def branch_code(value: str) -> str:
    """A branch code as stored: letters, digits, ``-`` and ``_``, 1-40 characters."""
    code = value.strip()
    if not KEY_PATTERN.fullmatch(code):
        raise InvalidInput(f"{value!r} is not a branch code (letters, digits, - and _)")
    return code


class BranchRepository:
    """Branches in Neo4j."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph

    async def define(self, code: str, name: str, actor: str) -> Branch:
        """Create a branch, or rename an existing one."""
        code = branch_code(code)
        label = name.strip()
        if not label or len(label) > MAX_BRANCH_NAME:
            raise InvalidInput(f"a branch name is 1 to {MAX_BRANCH_NAME} characters")
        records = await self.graph.write(
            q.DEFINE_BRANCH, id=branch_id(code), code=code, name=label, actor=actor
        )
        row = records[0]["branch"]
        return Branch(row["code"], row["name"])

    async def list(self) -> list[Branch]:
        """Every branch, by code."""
        records = await self.graph.read(q.LIST_BRANCHES)
        return [Branch(r["branch"]["code"], r["branch"]["name"]) for r in records]


@dataclass(frozen=True)
class RecentComplaint:
    """A caller's complaint as the lookup lists it: number and where it stands."""

    id: str
    complaint_no: str
    status: str
    channel: str
    received_at: datetime
    due_at: datetime


@dataclass(frozen=True)
class CallerMatch:
    """A party who may be the caller, how it matched, and its complaints at a glance."""

    party: PartyRef
    branch: str | None
    matched_on: list[str]
    open_complaints: int
    complaints: int
    recent: list[RecentComplaint] = field(default_factory=list)


class CallerLookup:
    """Finds the parties a caller may be."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph

    async def find(
        self, identifiers: list[Identifier], name: str | None, first: int
    ) -> list[CallerMatch]:
        """Parties holding any of ``identifiers`` (phone, ID number: keyed hashes) or named
        ``name`` (folded, pinyin-aware), best matched first."""
        name_key, pinyin = name_keys(name) if name else (None, None)
        records = await self.graph.read(
            q.CALLER_LOOKUP,
            identifier_ids=[i.node_id for i in identifiers],
            name_key=name_key,
            pinyin_key=pinyin,
            first=first,
        )
        return [_match(r) for r in records]


def _match(record: Any) -> CallerMatch:
    party = record["party"]
    return CallerMatch(
        party=PartyRef.from_map(party),
        branch=party.get("branch"),
        matched_on=sorted(record["matched_on"]),
        open_complaints=int(record["open_complaints"]),
        complaints=int(record["complaints"]),
        recent=[
            RecentComplaint(
                id=c["id"],
                complaint_no=c["complaint_no"],
                status=c["status"],
                channel=c["channel"],
                received_at=native(c["received_at"]),
                due_at=native(c["due_at"]),
            )
            for c in record["recent"]
        ],
    )
