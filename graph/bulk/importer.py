"""Bulk import of CSV and JSON Lines exports: stream, validate, batch, write, report.

Files are read as streams (a million-row file never sits in memory), in dependency order
(parties, then policies, claims, complaints, whatever order they were given in). Each batch
is parsed in a worker thread while the previous one is written, its references are checked
with one query, and its good rows are written in one transaction through the
:class:`~graph.bulk.ingest.GraphWriter`. Bad rows never sink good ones: each is reported with its
file, line and reason. Writes merge on natural keys, so re-running an import (or rerunning
after a crash) converges on the same graph.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Any, TextIO

import anyio

from graph.bulk.ingest import DEFAULT_BATCH_SIZE, GraphWriter, pipelined
from graph.client import Graph
from models.errors import InvalidInput
from models.import_format import (
    IMPORT_ORDER,
    PARTY_TYPES,
    IdentitySecretMismatch,
    ParsedRecord,
    RecordType,
    RowError,
    parse_record,
    parse_record_type,
    record_type_from_filename,
)
from models.records import (
    BranchRow,
    ClaimRow,
    ComplaintRow,
    PartyIdentifiers,
    PartyRow,
    PolicyRow,
    WatchlistEntryRow,
)

MAX_KEPT_REJECTIONS = 10_000
# Field size guard for CSV (the csv module's default is 128 KiB).
csv.field_size_limit(1_000_000)


class SourceFormat(StrEnum):
    """How a source is encoded."""

    CSV = "csv"
    JSONL = "jsonl"


@dataclass(frozen=True)
class ImportSource:
    """A file or a text to import: its name in reports, format, type, and how to read it.

    ``record_type`` None means each record names its type in a ``type`` column or field.
    ``open_text`` returns a fresh text stream; a source may be read more than once.
    """

    name: str
    format: SourceFormat
    record_type: RecordType | None
    open_text: Callable[[], TextIO]

    @classmethod
    def from_path(
        cls,
        path: str | Path,
        record_type: RecordType | None = None,
        source_format: SourceFormat | None = None,
    ) -> ImportSource:
        """A file; format from its extension, type from ``record_type`` or its name."""
        path = Path(path)
        if source_format is None:
            suffixes = [s.lower() for s in path.suffixes]
            if ".csv" in suffixes:
                source_format = SourceFormat.CSV
            elif ".jsonl" in suffixes or ".ndjson" in suffixes or ".json" in suffixes:
                source_format = SourceFormat.JSONL
            else:
                raise InvalidInput(f"{path}: cannot tell the format (name it .csv or .jsonl)")
        if not path.is_file():
            raise InvalidInput(f"{path}: no such file")
        return cls(
            name=str(path),
            format=source_format,
            record_type=record_type or record_type_from_filename(path.name),
            open_text=lambda: path.open(encoding="utf-8-sig", newline=""),
        )

    @classmethod
    def from_text(
        cls, name: str, content: str, source_format: SourceFormat, record_type: RecordType | None
    ) -> ImportSource:
        """Text already in memory (the GraphQL mutation's ``content``)."""
        return cls(name, source_format, record_type, lambda: io.StringIO(content, newline=""))


@dataclass(frozen=True)
class Rejection:
    """A record that was not imported."""

    source: str
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.source}:{self.line}: {self.reason}"


@dataclass
class ImportProgress:
    """Where an import stands, reported after each batch."""

    record_type: RecordType
    source: str
    rows_read: int
    imported: int
    rejected: int


@dataclass
class ImportReport:
    """Rows imported per type, and every rejected row (the first ``MAX_KEPT_REJECTIONS``)."""

    imported: dict[RecordType, int] = field(default_factory=dict)
    rejected_count: int = 0
    rejected: list[Rejection] = field(default_factory=list)

    @property
    def imported_total(self) -> int:
        """Rows written, all types together."""
        return sum(self.imported.values())

    @property
    def ok(self) -> bool:
        """True when nothing was rejected."""
        return self.rejected_count == 0


# -- reading records ----------------------------------------------------------------------------

Record = tuple[int, dict[str, Any] | RowError]


def read_records(source: ImportSource) -> Iterator[Record]:
    """``(line, record)`` for each record of a source, or ``(line, RowError)`` for a line
    that is not a record at all (malformed JSON, too many CSV fields)."""
    with source.open_text() as stream:
        if source.format is SourceFormat.CSV:
            yield from _csv_records(stream)
        else:
            yield from _jsonl_records(stream)


def _csv_records(stream: TextIO) -> Iterator[Record]:
    reader = csv.reader(stream)
    header = next(reader, None)
    if header is None:
        return
    columns = [name.strip().lower() for name in header]
    while True:
        line = reader.line_num + 1
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            yield line, RowError("line", f"malformed CSV: {error}")
            continue
        if not any(value.strip() for value in values):
            continue
        if len(values) > len(columns):
            yield line, RowError("line", f"{len(values)} fields but the header has {len(columns)}")
            continue
        yield line, dict(zip(columns, values, strict=False))


def _jsonl_records(stream: TextIO) -> Iterator[Record]:
    for line, text in enumerate(stream, start=1):
        if not text.strip():
            continue
        try:
            value = json.loads(text)
        except ValueError as error:
            yield line, RowError("line", f"invalid JSON: {error}")
            continue
        if not isinstance(value, dict):
            yield line, RowError("line", "each line must be a JSON object")
            continue
        yield line, {str(k).strip().lower(): v for k, v in value.items()}


def _record_type_of(record: dict[str, Any]) -> RecordType:
    value = record.get("type")
    if not isinstance(value, str) or not value.strip():
        raise RowError("type", "missing (name the type with --type, the file name or a column)")
    return parse_record_type(value)


def _has_type(record: dict[str, Any] | RowError, record_type: RecordType) -> bool:
    if isinstance(record, RowError):
        return False
    try:
        return _record_type_of(record) is record_type
    except RowError:
        return False


# -- the import ---------------------------------------------------------------------------------


@dataclass
class _ParsedBatch:
    rows_read: int = 0
    good: list[tuple[int, ParsedRecord]] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)


class Importer:
    """Imports sources into the graph and reports what landed and what was rejected."""

    def __init__(
        self,
        graph: Graph,
        secret: bytes,
        *,
        batch_size: int = DEFAULT_BATCH_SIZE,
        today: date | None = None,
        on_progress: Callable[[ImportProgress], None] | None = None,
        on_reject: Callable[[Rejection], None] | None = None,
    ) -> None:
        if batch_size < 1:
            raise InvalidInput("the batch size must be at least 1")
        self.writer = GraphWriter(graph, batch_size)
        self.secret = secret
        self.batch_size = batch_size
        self.today = today
        self.on_progress = on_progress
        self.on_reject = on_reject
        self.report = ImportReport()

    async def run(self, sources: list[ImportSource]) -> ImportReport:
        """Import every source, branches and parties first, then policies, claims and
        complaints."""
        plan: list[tuple[RecordType, ImportSource]] = []
        for source in sources:
            types = (
                [source.record_type]
                if source.record_type
                else await anyio.to_thread.run_sync(self._scan_types, source)
            )
            plan.extend((record_type, source) for record_type in types)
        plan.sort(key=lambda step: IMPORT_ORDER.index(step[0]))
        for record_type, source in plan:
            await self._import(record_type, source)
        return self.report

    def _scan_types(self, source: ImportSource) -> list[RecordType]:
        """The types a typeless source holds; records without a valid type are rejected here."""
        found: set[RecordType] = set()
        for line, record in read_records(source):
            try:
                if isinstance(record, RowError):
                    raise record
                found.add(_record_type_of(record))
            except RowError as error:
                self._reject(Rejection(source.name, line, error.message))
        return sorted(found, key=IMPORT_ORDER.index)

    def _parsed_batches(
        self, record_type: RecordType, source: ImportSource
    ) -> Iterator[_ParsedBatch]:
        typed = source.record_type is not None
        batch = _ParsedBatch()
        for line, record in read_records(source):
            if not typed and not _has_type(record, record_type):
                continue  # another type's record, or one the scan already rejected
            batch.rows_read += 1
            try:
                if isinstance(record, RowError):
                    raise record
                batch.good.append(
                    (line, parse_record(record_type, record, self.secret, self.today))
                )
            except IdentitySecretMismatch as error:
                # Every hashed record of the source would fail alike: stop before writing any.
                raise InvalidInput(f"{source.name}:{line}: {error.message}") from None
            except RowError as error:
                batch.rejected.append(Rejection(source.name, line, error.message))
            if len(batch.good) + len(batch.rejected) >= self.batch_size:
                yield batch
                batch = _ParsedBatch()
        if batch.rows_read:
            yield batch

    async def _import(self, record_type: RecordType, source: ImportSource) -> None:
        progress = ImportProgress(record_type, source.name, 0, 0, 0)
        self.report.imported.setdefault(record_type, 0)

        async def write(batch: _ParsedBatch) -> None:
            good = await self._drop_dangling(source, batch)
            written = await self._write(record_type, [parsed for _, parsed in good])
            self.report.imported[record_type] += written
            for rejection in batch.rejected:
                self._reject(rejection)
            progress.rows_read += batch.rows_read
            progress.imported += written
            progress.rejected += len(batch.rejected)
            if self.on_progress is not None:
                self.on_progress(progress)

        await pipelined(self._parsed_batches(record_type, source), write)

    async def _drop_dangling(
        self, source: ImportSource, batch: _ParsedBatch
    ) -> list[tuple[int, ParsedRecord]]:
        """The batch's records whose references all exist; the others become rejections."""
        wanted: dict[str, set[str]] = {
            "party": set(),
            "policy": set(),
            "claim": set(),
            "branch": set(),
        }
        for _, parsed in batch.good:
            for ref in parsed.references:
                wanted[ref.kind].add(ref.node_id)
        if not any(wanted.values()):
            return batch.good
        existing = await self.writer.existing_ids(
            wanted["party"], wanted["policy"], wanted["claim"], wanted["branch"]
        )
        good: list[tuple[int, ParsedRecord]] = []
        for line, parsed in batch.good:
            missing = next((r for r in parsed.references if r.node_id not in existing), None)
            if missing is None:
                good.append((line, parsed))
            else:
                what = missing.node_id.split(":", 1)[0]
                batch.rejected.append(
                    Rejection(source.name, line, f"{missing.column}: no {what} {missing.value!r}")
                )
        batch.rejected.sort(key=lambda rejection: rejection.line)
        return good

    async def _write(self, record_type: RecordType, records: list[ParsedRecord]) -> int:
        rows = [parsed.row for parsed in records]
        if record_type in PARTY_TYPES:
            party_rows: list[PartyRow] = rows  # type: ignore[assignment]
            return await self.writer.parties(PARTY_TYPES[record_type], party_rows)
        if record_type is RecordType.POLICY:
            policy_rows: list[PolicyRow] = rows  # type: ignore[assignment]
            linked: list[PartyIdentifiers] = [
                owner for parsed in records for owner in parsed.linked_identifiers
            ]
            return await self.writer.policies(policy_rows, linked)
        if record_type is RecordType.CLAIM:
            claim_rows: list[ClaimRow] = rows  # type: ignore[assignment]
            return await self.writer.claims(claim_rows)
        if record_type is RecordType.COMPLAINT:
            complaint_rows: list[ComplaintRow] = rows  # type: ignore[assignment]
            return await self.writer.complaints(complaint_rows)
        if record_type is RecordType.BRANCH:
            branch_rows: list[BranchRow] = rows
            return await self.writer.branches(branch_rows)
        entry_rows: list[WatchlistEntryRow] = rows  # type: ignore[assignment]
        return await self.writer.watchlist_entries(entry_rows)

    def _reject(self, rejection: Rejection) -> None:
        self.report.rejected_count += 1
        if len(self.report.rejected) < MAX_KEPT_REJECTIONS:
            self.report.rejected.append(rejection)
        if self.on_reject is not None:
            self.on_reject(rejection)
