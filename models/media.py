"""The vocabulary of media monitoring: feed entries, the subjects coverage is about, ids."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from models.identity import fold_width
from models.names import pinyin_key

# Stories per write transaction of a poll cycle, with their mentions, links and scores (the
# default of RISKWATCH_FEED_WRITE_CHUNK): about a second of Neo4j's time each, so no
# transaction of a big round comes near a timeout, while per-transaction costs stay small.
WRITE_CHUNK = 1000


class SubjectKind(StrEnum):
    """What a configured subject is: the company itself, one of its brands, or a product."""

    COMPANY = "COMPANY"
    BRAND = "BRAND"
    PRODUCT = "PRODUCT"


@dataclass(frozen=True)
class SubjectSpec:
    """A configured subject of coverage (the company, a brand, a product) and its aliases."""

    kind: SubjectKind
    name: str
    aliases: tuple[str, ...] = ()

    @property
    def id(self) -> str:
        return subject_id(self.name)


def subject_id(name: str) -> str:
    """``subject:<slug>``: the toneless pinyin (or folded latin) of the name."""
    slug = re.sub(r"[^a-z0-9]+", "-", pinyin_key(name).lower()).strip("-")
    return f"subject:{slug or hashlib.sha256(name.encode()).hexdigest()[:12]}"


@dataclass(frozen=True)
class FeedEntry:
    """One normalised entry of a feed: plain text, UTC times, and its dedup keys."""

    feed_id: str
    title: str
    summary: str
    link: str
    guid: str
    published_at: datetime
    first_seen_at: datetime
    language: str | None
    folded: str = field(init=False, repr=False)
    content_hash: str = field(init=False)
    dedup_key: str = field(init=False)

    def __post_init__(self) -> None:
        folded = fold_text(f"{self.title}\n{self.summary}")
        object.__setattr__(self, "folded", folded)
        object.__setattr__(self, "content_hash", hashlib.sha256(folded.encode()).hexdigest())
        object.__setattr__(self, "dedup_key", exact_key(self.guid, self.link, self.content_hash))

    @property
    def mention_id(self) -> str:
        return "mention:" + hashlib.sha256(self.dedup_key.encode("utf-8")).hexdigest()[:32]


# Query parameters that only track campaigns; dropping them makes syndicated links comparable.
_TRACKING_PARAMS = re.compile(r"^(utm_\w+|spm|from|source|share_token|fbclid|gclid)$", re.I)


def canonical_link(link: str) -> str:
    """The link without scheme differences, default ports, fragments or tracking parameters."""
    link = link.strip()
    if not link:
        return ""
    parts = urlsplit(link)
    host = (parts.hostname or "").lower()
    if parts.port and parts.port not in (80, 443):
        host = f"{host}:{parts.port}"
    query = urlencode(
        sorted((k, v) for k, v in parse_qsl(parts.query) if not _TRACKING_PARAMS.match(k))
    )
    path = parts.path.rstrip("/") or "/"
    return urlunsplit(("https", host, path, query, ""))


_NOT_WORD = re.compile(r"[\W_]+")
# A space survives only between two latin letters or digits ("ra insurance", but "鑫达汽修").
_LONE_SPACE = re.compile(r"(?<![a-z0-9]) | (?![a-z0-9])")


def fold_text(text: str) -> str:
    """Simplified Chinese, half-width, lower case, letters and digits only, with one space
    left between latin words: the form dedup hashes, shingles and name matching work on."""
    import zhconv

    spaced = _NOT_WORD.sub(" ", zhconv.convert(fold_width(text), "zh-cn").lower())
    return _LONE_SPACE.sub("", spaced).strip()


def exact_key(guid: str, link: str, content: str) -> str:
    """The exact-duplicate key: the GUID, else the canonical link, else the content hash."""
    if guid.strip():
        return "guid:" + guid.strip()
    if link.strip():
        return "link:" + canonical_link(link)
    return "hash:" + content
