"""Parsing feed documents with feedparser and normalising their entries.

feedparser reads RSS 0.9x/1.0/2.0 and Atom and tolerates malformed XML (it sets ``bozo``);
a malformed feed is still used when entries came through. Documents are parsed in a
worker thread so the event loop keeps serving.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from html import unescape
from html.parser import HTMLParser
from typing import Any

import anyio
import feedparser

from models.media import FeedEntry

_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class ParsedFeed:
    """The entries of one document and whether feedparser found it malformed."""

    entries: list[FeedEntry]
    bozo: bool
    bozo_reason: str | None
    language: str | None
    # feedparser's name for the format ("rss20", "atom10", ...); empty when it is no feed.
    version: str = ""

    @property
    def unusable(self) -> bool:
        """No entries, and malformed or not a feed at all (an empty, valid feed is fine)."""
        return not self.entries and (self.bozo or not self.version)


class _TextOnly(HTMLParser):
    """Collects the text of an HTML fragment, skipping scripts and styles."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        elif tag in ("br", "p", "div", "li"):
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def strip_html(fragment: str) -> str:
    """Plain text of an HTML fragment, whitespace collapsed."""
    if "<" not in fragment and "&" not in fragment:
        return _SPACES.sub(" ", fragment).strip()
    parser = _TextOnly()
    parser.feed(fragment)
    parser.close()
    return _SPACES.sub(" ", unescape("".join(parser.parts))).strip()


def _when(entry: Any) -> datetime | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        value = entry.get(key)
        if value:
            # feedparser's struct_time is already in UTC.
            return datetime.fromtimestamp(calendar.timegm(value), tz=UTC)
    return None


def parse_document(
    body: bytes, feed_id: str, now: datetime, default_language: str | None = None
) -> ParsedFeed:
    """Parse a feed document into normalised entries (entries without text are dropped)."""
    document = feedparser.parse(body, sanitize_html=False, resolve_relative_uris=False)
    channel = document.get("feed", {})
    language = channel.get("language") or default_language
    entries: list[FeedEntry] = []
    for raw in document.get("entries", []):
        title = strip_html(raw.get("title", ""))
        summary = strip_html(raw.get("summary", "") or _first_content(raw))
        if not title and not summary:
            continue
        # An item counts at its publication (the crisis detector's time basis): a missing date,
        # or one later than now (a clock or time-zone error), is clamped to when it was seen.
        published = _when(raw)
        if published is None or published > now:
            published = now
        entries.append(
            FeedEntry(
                feed_id=feed_id,
                title=title,
                summary=summary,
                link=str(raw.get("link", "")).strip(),
                guid=str(raw.get("id", "")).strip(),
                published_at=published,
                first_seen_at=now,
                language=(raw.get("language") or language or None),
            )
        )
    bozo = bool(document.get("bozo"))
    reason = str(document.get("bozo_exception", ""))[:300] if bozo else None
    return ParsedFeed(
        entries=entries,
        bozo=bozo,
        bozo_reason=reason,
        language=language,
        version=str(document.get("version", "")),
    )


def _first_content(raw: Any) -> str:
    content = raw.get("content") or []
    return str(content[0].get("value", "")) if content else ""


async def parse_document_async(
    body: bytes, feed_id: str, now: datetime, default_language: str | None = None
) -> ParsedFeed:
    """:func:`parse_document` in a worker thread: parsing and folding are CPU work."""
    return await anyio.to_thread.run_sync(parse_document, body, feed_id, now, default_language)
