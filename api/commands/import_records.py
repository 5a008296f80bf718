"""``riskwatch import FILE...``: bulk import of CSV and JSON Lines exports.

Each rejected row is printed as ``file:line: reason``; a progress bar (or a plain counter
when stderr is not a terminal) shows how far it got; a summary ends it. The exit code is 1
when any row was rejected, so a scheduler notices.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from pathlib import Path
from typing import Any

import anyio

from api.commands.graph_access import command_graph
from api.settings import load_settings
from graph.bulk.importer import Importer, ImportProgress, ImportReport, ImportSource, Rejection
from graph.bulk.ingest import DEFAULT_BATCH_SIZE
from models.import_format import RecordType, parse_record_type


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "import",
        help="import CSV / JSON Lines exports of parties, policies, claims and complaints",
        description="Formats: docs/import-format.md. Files are imported in dependency order.",
    )
    parser.add_argument("files", nargs="+", type=Path, metavar="FILE")
    parser.add_argument(
        "--type",
        dest="record_type",
        type=parse_record_type,
        help="record type of every file (default: from the file name or a 'type' column); "
        + ", ".join(t.value for t in RecordType),
    )
    parser.add_argument(
        "--batch-size", type=int, default=DEFAULT_BATCH_SIZE, help="rows per transaction"
    )
    parser.set_defaults(handler=run)


def _count_lines(path: Path) -> int:
    lines = 0
    with path.open("rb") as stream:
        while chunk := stream.read(1 << 20):
            lines += chunk.count(b"\n")
    return lines


class _Progress:
    """A bar on a terminal, a counter line every few seconds otherwise (both on stderr)."""

    def __init__(self, total_lines: int | None) -> None:
        self.total = total_lines
        self.done_before = 0
        self.last_rows = 0
        self.current: tuple[str, str] | None = None
        self.started = time.monotonic()
        self.last_plain = 0.0

    def __call__(self, progress: ImportProgress) -> None:
        step = (progress.source, progress.record_type.value)
        if self.current is not None and step != self.current:
            self.done_before += self.last_rows
        self.current = step
        self.last_rows = progress.rows_read
        done = self.done_before + progress.rows_read
        rate = done / max(time.monotonic() - self.started, 1e-6)
        text = (
            f"{progress.record_type.value} from {progress.source}: {progress.imported:,} imported, "
            f"{progress.rejected:,} rejected ({rate:,.0f} rows/s)"
        )
        if sys.stderr.isatty():
            if self.total:
                filled = min(30, int(30 * done / self.total))
                bar = "#" * filled + "." * (30 - filled)
                text = f"[{bar}] {min(100, 100 * done // self.total):3d}% {text}"
            print(f"\r\x1b[K{text}", end="", file=sys.stderr, flush=True)
        elif time.monotonic() - self.last_plain >= 2:
            self.last_plain = time.monotonic()
            print(text, file=sys.stderr, flush=True)


def _print_rejection(rejection: Rejection) -> None:
    prefix = "\r\x1b[K" if sys.stderr.isatty() else ""
    print(f"{prefix}{rejection}", file=sys.stderr)


def _summary(report: ImportReport, elapsed: float) -> str:
    counts = ", ".join(f"{n:,} {t.value}" for t, n in report.imported.items())
    return (
        f"imported {report.imported_total:,} rows ({counts}), rejected "
        f"{report.rejected_count:,}, in {elapsed:.1f} s"
    )


def run(args: argparse.Namespace) -> int:
    # "Constraint already exists" notes from the migrations would drown the rejections.
    logging.getLogger("neo4j.notifications").setLevel(logging.WARNING)
    settings = load_settings()
    sources = [ImportSource.from_path(path, args.record_type) for path in args.files]
    total = sum(_count_lines(path) for path in args.files) if sys.stderr.isatty() else None

    async def work() -> ImportReport:
        async with command_graph(settings) as graph:
            importer = Importer(
                graph,
                settings.identity_key,
                batch_size=args.batch_size,
                on_progress=_Progress(total),
                on_reject=_print_rejection,
            )
            return await importer.run(sources)

    started = time.perf_counter()
    report = anyio.run(work)
    if sys.stderr.isatty():
        print(file=sys.stderr)
    print(_summary(report, time.perf_counter() - started))
    return 0 if report.ok else 1
