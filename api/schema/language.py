"""The ``Language`` enum callers choose reason texts with (``models.reason_texts``)."""

from __future__ import annotations

import strawberry

# Imported from here, not from models, so that the registration below has run (mypy: re-export).
from models.reason_texts import Language as Language

# Registered under their GraphQL names: strawberry marks the Enum class itself, so fields
# are annotated with the Enum (no alias, nothing for mypy to ignore).
strawberry.enum(Language, name="Language", description="The language of reason texts: ZH or EN.")
