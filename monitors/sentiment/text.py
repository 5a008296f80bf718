"""Preparing news and social texts for a model with a token limit: keep title plus lead."""

from __future__ import annotations

import re

_SPACE = re.compile(r"[ \t\u3000\xa0]+")
_END_PUNCT = tuple("。！？!?.…：:；;")


def title_and_lead(text: str, max_chars: int) -> str:
    """Join the first line (the title) to the body with `。`, squeeze blanks, and keep the
    head: for news the title and lead carry the sentiment, and the model's token limit
    would cut the tail anyway. `max_chars` bounds the work before tokenization."""
    lines = [_SPACE.sub(" ", line).strip() for line in text.splitlines()]
    lines = [line for line in lines if line]
    if not lines:
        return ""
    title, body = lines[0], " ".join(lines[1:])
    if not body:
        return title[:max_chars]
    glue = "" if title.endswith(_END_PUNCT) else "。"
    return f"{title}{glue}{body}"[:max_chars]
