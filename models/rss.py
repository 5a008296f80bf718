"""RSS 2.0 documents from items: what the demo feeds serve and what feed tests poll."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime
from xml.sax.saxutils import escape


@dataclass(frozen=True)
class RssItem:
    """One item of a feed document."""

    title: str
    description: str
    guid: str
    link: str
    published: datetime


def rss_document(
    title: str, items: Sequence[RssItem], link: str = "https://example.cn/", language: str = "zh-cn"
) -> bytes:
    """An RSS 2.0 document (UTF-8) with these items, in the order given."""
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>',
        f"<title>{escape(title)}</title><link>{escape(link)}</link>",
        f"<language>{escape(language)}</language>",
    ]
    for item in items:
        parts.append(
            f"<item><title>{escape(item.title)}</title><link>{escape(item.link)}</link>"
            f'<guid isPermaLink="false">{escape(item.guid)}</guid>'
            f"<pubDate>{format_datetime(item.published)}</pubDate>"
            f"<description>{escape(item.description)}</description></item>"
        )
    parts.append("</channel></rss>")
    return "".join(parts).encode("utf-8")
