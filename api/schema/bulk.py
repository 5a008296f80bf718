"""Bulk import over GraphQL: ``importRecords`` (admins only), the CLI's importer on a text."""

from __future__ import annotations

from enum import Enum

import strawberry
from strawberry.types import Info

from api.auth import allow
from api.context import Context
from graph.bulk.importer import Importer, ImportSource, SourceFormat
from models.errors import InvalidInput
from models.import_format import RecordType
from models.roles import Role

# Registered under their GraphQL names: strawberry marks the Enum class itself, so fields
# are annotated with the Enum (no alias, nothing for mypy to ignore).
strawberry.enum(RecordType, name="ImportRecordType")

MAX_REPORTED_REJECTIONS = 1000


@strawberry.enum(name="ImportFormat")
class ImportFormat(Enum):
    CSV = "csv"
    JSONL = "jsonl"


@strawberry.type
class ImportRejection:
    line: int
    reason: str


@strawberry.type
class ImportedCount:
    record_type: RecordType
    imported: int


@strawberry.type
class ImportResult:
    imported: int = strawberry.field(description="Rows written, all types together.")
    rejected_count: int
    counts: list[ImportedCount]
    rejected: list[ImportRejection] = strawberry.field(
        description=f"Rejected rows by line (the first {MAX_REPORTED_REJECTIONS})."
    )


@strawberry.type
class ImportMutation:
    @strawberry.mutation(
        permission_classes=allow(Role.ADMIN),
        description="Import CSV or JSON Lines records (docs/import-format.md); bad rows are "
        "reported by line and never stop the good ones.",
    )
    async def import_records(
        self,
        info: Info[Context, None],
        format: ImportFormat,
        content: str,
        record_type: RecordType | None = None,
    ) -> ImportResult:
        settings = info.context.services.settings
        limit = settings.import_max_content_bytes
        if len(content.encode("utf-8")) > limit:
            raise InvalidInput(
                f"content is larger than {limit:,} bytes; use the riskwatch import command"
            )
        source = ImportSource.from_text(
            "content",
            content,
            SourceFormat(format.value),
            RecordType(record_type) if record_type is not None else None,
        )
        report = await Importer(info.context.graph, settings.identity_key).run([source])
        return ImportResult(
            imported=report.imported_total,
            rejected_count=report.rejected_count,
            counts=[ImportedCount(record_type=t, imported=n) for t, n in report.imported.items()],
            rejected=[
                ImportRejection(line=r.line, reason=r.reason)
                for r in report.rejected[:MAX_REPORTED_REJECTIONS]
            ],
        )
