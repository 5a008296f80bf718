"""The ``Language`` enum callers choose reason texts with (``models.reason_texts``)."""

from __future__ import annotations

import strawberry

from models.reason_texts import Language

LanguageType = strawberry.enum(
    Language, name="Language", description="The language of reason texts: ZH or EN."
)
