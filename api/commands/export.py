"""``riskwatch export [-o FILE]``: the business graph as JSON Lines in the import format.

Written to stdout, or to FILE through a temporary file renamed at the end (an interrupted
export never leaves a truncated file under the name a restore would use). A summary goes to
stderr. ``riskwatch import FILE`` into an empty database rebuilds the graph; see
docs/operations.md for what is and is not in an export.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from pathlib import Path
from typing import Any, TextIO

import anyio

from api.commands.graph_access import command_graph
from api.settings import load_settings
from graph.bulk.export import ExportReport, GraphExporter
from graph.bulk.ingest import DEFAULT_BATCH_SIZE
from models.errors import InvalidInput
from models.import_format import record_type_from_filename


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "export",
        help="export the business graph as JSON Lines that 'riskwatch import' restores",
        description="Format: docs/import-format.md; scope: docs/operations.md.",
    )
    parser.add_argument(
        "-o", "--output", type=Path, help="file to write (default: standard output)"
    )
    parser.add_argument(
        "--batch-size", type=int, default=DEFAULT_BATCH_SIZE, help="records per read"
    )
    parser.set_defaults(handler=run)


def _summary(report: ExportReport, elapsed: float) -> str:
    counts = ", ".join(f"{n:,} {t.value}" for t, n in report.written.items() if n)
    return f"exported {report.total:,} records ({counts}) in {elapsed:.1f} s"


def _check_restorable_name(output: Path) -> None:
    """Refuse a name that ``riskwatch import`` would misread (it goes by the file name)."""
    if output.suffix.lower() not in (".jsonl", ".ndjson"):
        raise InvalidInput(f"{output.name}: name it .jsonl (riskwatch import goes by the suffix)")
    if record_type_from_filename(output.name) is not None:
        # 'riskwatch import' would read every record of such a file as that one type.
        raise InvalidInput(
            f"{output.name}: the name contains a record type name; choose another "
            "(e.g. riskwatch-export.jsonl) so that the import reads each record's type"
        )


def run(args: argparse.Namespace) -> int:
    logging.getLogger("neo4j.notifications").setLevel(logging.WARNING)
    if args.batch_size < 1:
        raise InvalidInput("the batch size must be at least 1")
    output: Path | None = args.output
    if output is not None:
        _check_restorable_name(output)
    settings = load_settings()

    async def work(out: TextIO) -> ExportReport:
        # An export only reads (a read replica will do): no migrations.
        async with command_graph(settings, run_migrations=False) as graph:
            exporter = GraphExporter(graph, settings.identity_key, args.batch_size)
            return await exporter.write(out)

    started = time.perf_counter()
    if output is None:
        report = anyio.run(work, sys.stdout)
        sys.stdout.flush()
    else:
        partial = output.with_name(output.name + ".partial")
        try:
            with partial.open("w", encoding="utf-8", newline="\n") as stream:
                report = anyio.run(work, stream)
                stream.flush()
                os.fsync(stream.fileno())
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        partial.replace(output)
    print(_summary(report, time.perf_counter() - started), file=sys.stderr)
    return 0
