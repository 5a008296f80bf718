"""The crisis plan: seeded at startup from a YAML file, then stored and edited in Neo4j.

Every process reads the active plan from the graph when it needs it (a plan edit by an admin
on one API process applies at once to the detectors of every process).
"""

from __future__ import annotations

import logging
from pathlib import Path

from graph.client import Graph
from graph.crisis.cases import CrisisPlanRepository
from models.crisis_plan import CrisisPlan, parse_plan
from models.errors import ConfigurationError
from monitors.clock import Clock, utc_now

log = logging.getLogger(__name__)

DEFAULT_PLAN_FILE = Path(__file__).with_name("default_plan.yaml")


def read_plan_file(path: Path) -> str:
    """The text of a plan file, validated (a broken plan file stops startup, named)."""
    try:
        document = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ConfigurationError(f"cannot read the crisis plan file {path}: {error}") from error
    try:
        parse_plan(document)
    except Exception as error:
        raise ConfigurationError(f"the crisis plan file {path} is invalid: {error}") from error
    return document


class PlanStore:
    """Reads, seeds and replaces the active crisis plan."""

    def __init__(self, graph: Graph, plan_file: Path = DEFAULT_PLAN_FILE, clock: Clock = utc_now):
        self.repository = CrisisPlanRepository(graph)
        self.plan_file = plan_file
        self.clock = clock
        self._parsed: tuple[str, CrisisPlan] | None = None
        self._file_document: str | None = None

    async def seed(self) -> CrisisPlan:
        """Store the plan file as the active plan unless an edited one is stored already."""
        document = await self.repository.seed(read_plan_file(self.plan_file), self.clock())
        return parse_plan(document)

    async def active_document(self) -> str:
        """The active plan's text (the file's when nothing is stored yet)."""
        stored = await self.repository.active_document()
        if stored is not None:
            return stored
        if self._file_document is None:
            self._file_document = read_plan_file(self.plan_file)
        return self._file_document

    async def active(self) -> CrisisPlan:
        """The active plan, parsed (the last parse is kept while the document is unchanged)."""
        document = await self.active_document()
        if self._parsed is None or self._parsed[0] != document:
            self._parsed = (document, parse_plan(document))
        return self._parsed[1]

    async def update(self, document: str, actor: str) -> CrisisPlan:
        """Validate and store a new plan (InvalidInput, with the reason, when it is not valid)."""
        plan = parse_plan(document)
        await self.repository.save(document, actor, self.clock())
        log.info("crisis plan replaced by %s", actor)
        return plan
