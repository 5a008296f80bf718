"""Media monitoring: the feed registry, mentions, stories and the sentiment trend."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from enum import Enum
from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from api.auth import allow
from api.context import Context
from api.schema.pagination import Connection, connection
from graph.media.feeds import FeedRecord, FeedRepository
from graph.media.mentions import MentionRepository, MentionView, PageFilter, StoryView
from models.errors import InvalidInput
from models.roles import Role
from monitors.feeds.url_guard import BlockedUrl, check_url_shape

FEED_ROLES = (Role.PR,)
READ_ROLES = (Role.PR, Role.RISK)
# The widest range a trend may span, per bucket size (bounds the work of one query).
MAX_TREND_SPAN = {"hour": timedelta(days=31), "day": timedelta(days=730)}


@strawberry.enum
class Sentiment(Enum):
    NEGATIVE = "negative"
    NEUTRAL = "neutral"
    POSITIVE = "positive"


@strawberry.enum
class TrendBucketSize(Enum):
    HOUR = "hour"
    DAY = "day"


@strawberry.type
class Feed:
    id: strawberry.ID
    url: str
    name: str
    language: str | None
    poll_interval_s: int
    enabled: bool
    high_impact: bool
    weight: float
    last_success_at: datetime | None
    last_error: str | None
    last_error_at: datetime | None
    last_bozo: bool | None
    consecutive_failures: int
    items_seen: int
    disabled_reason: str | None
    next_poll_at: datetime | None

    @classmethod
    def of(cls, feed: FeedRecord) -> Feed:
        return cls(
            id=strawberry.ID(feed.id),
            url=feed.url,
            name=feed.name,
            language=feed.language,
            poll_interval_s=feed.poll_interval_s,
            enabled=feed.enabled,
            high_impact=feed.high_impact,
            weight=feed.weight,
            last_success_at=feed.last_success_at,
            last_error=feed.last_error,
            last_error_at=feed.last_error_at,
            last_bozo=feed.last_bozo,
            consecutive_failures=feed.consecutive_failures,
            items_seen=feed.items_seen,
            disabled_reason=feed.disabled_reason,
            next_poll_at=feed.next_poll_at,
        )


@strawberry.type
class FeedRejected:
    """The feed was not saved; ``reason`` says why (e.g. an internal or non-http URL)."""

    reason: str
    code: str


FeedResult = Annotated[Feed | FeedRejected, strawberry.union("FeedResult")]


@strawberry.input
class FeedInput:
    url: str
    name: str
    language: str | None = None
    poll_interval_s: int = 300
    enabled: bool = True
    high_impact: bool = False
    weight: float = 1.0


@strawberry.input
class FeedChanges:
    url: str | None = None
    name: str | None = None
    language: str | None = None
    poll_interval_s: int | None = None
    enabled: bool | None = None
    high_impact: bool | None = None
    weight: float | None = None


@strawberry.type
class Mention:
    id: strawberry.ID
    url: str
    guid: str
    title: str
    summary: str
    published_at: datetime
    first_seen_at: datetime
    language: str | None
    scored: bool = strawberry.field(
        description="False while the story waits for the sentiment model: sentiment and "
        "the probabilities are then null, never guessed."
    )
    sentiment: Sentiment | None
    p_negative: float | None
    p_neutral: float | None
    p_positive: float | None
    story_id: strawberry.ID | None
    feed_ids: list[strawberry.ID]
    subject_ids: list[strawberry.ID]

    @classmethod
    def of(cls, view: MentionView) -> Mention:
        p = view.props
        return cls(
            id=strawberry.ID(p["id"]),
            url=p.get("url") or "",
            guid=p.get("guid") or "",
            title=p.get("title") or "",
            summary=p.get("summary") or "",
            published_at=p["published_at"],
            first_seen_at=p["first_seen_at"],
            language=p.get("language"),
            scored=bool(p.get("sentiment")),
            sentiment=Sentiment(p["sentiment"]) if p.get("sentiment") else None,
            p_negative=p.get("p_negative"),
            p_neutral=p.get("p_neutral"),
            p_positive=p.get("p_positive"),
            story_id=strawberry.ID(view.story_id) if view.story_id else None,
            feed_ids=[strawberry.ID(i) for i in view.feed_ids],
            subject_ids=[strawberry.ID(i) for i in view.subject_ids],
        )


@strawberry.type
class Story:
    id: strawberry.ID
    title: str
    first_seen_at: datetime
    published_at: datetime | None
    source_count: int
    scored: bool = strawberry.field(
        description="False while the story waits for the sentiment model: sentiment and "
        "the probabilities are then null, never guessed."
    )
    sentiment: Sentiment | None
    p_negative: float | None
    p_neutral: float | None
    p_positive: float | None
    feed_ids: list[strawberry.ID]
    mention_ids: list[strawberry.ID]
    subject_ids: list[strawberry.ID]

    @classmethod
    def of(cls, view: StoryView) -> Story:
        p = view.props
        return cls(
            id=strawberry.ID(p["id"]),
            title=p.get("title") or "",
            first_seen_at=p["first_seen_at"],
            published_at=p.get("published_at"),
            source_count=p.get("source_count") or 0,
            scored=bool(p.get("sentiment")),
            sentiment=Sentiment(p["sentiment"]) if p.get("sentiment") else None,
            p_negative=p.get("p_negative"),
            p_neutral=p.get("p_neutral"),
            p_positive=p.get("p_positive"),
            feed_ids=[strawberry.ID(i) for i in view.feed_ids],
            mention_ids=[strawberry.ID(i) for i in view.mention_ids],
            subject_ids=[strawberry.ID(i) for i in view.subject_ids],
        )


@strawberry.type
class TrendPoint:
    bucket: datetime
    total: int
    negative: int
    neutral: int
    positive: int
    unscored: int = strawberry.field(description="Mentions not scored yet (in no other count).")


def _page_filter(
    subject_id: str | None,
    sentiment: Sentiment | None,
    from_: datetime | None,
    to: datetime | None,
) -> PageFilter:
    return PageFilter(
        subject_id=subject_id,
        sentiment=sentiment.value if sentiment else None,
        from_=_aware(from_),
        to=_aware(to),
    )


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def _aware(value: datetime | None) -> datetime | None:
    return None if value is None else _utc(value)


def _checked_url(info: Info[Context, None], url: str) -> FeedRejected | None:
    # Scheme, host syntax and literal internal addresses now; DNS is checked at every fetch
    # (and every redirect hop), where a host that later resolves inward is refused too.
    try:
        check_url_shape(url, allow_private=info.context.services.settings.feeds.allow_private)
    except BlockedUrl as error:
        return FeedRejected(reason=error.message, code=error.code)
    return None


@strawberry.type
class MediaQuery:
    @strawberry.field(permission_classes=allow(*FEED_ROLES), description="Registered feeds.")
    async def feeds(self, info: Info[Context, None]) -> list[Feed]:
        return [Feed.of(f) for f in await info.context.repo(FeedRepository).all()]

    @strawberry.field(
        permission_classes=allow(*READ_ROLES),
        description="Mentions, newest first, optionally of one subject or party.",
    )
    async def mentions(
        self,
        info: Info[Context, None],
        subject_id: strawberry.ID | None = None,
        sentiment: Sentiment | None = None,
        from_: Annotated[datetime | None, strawberry.argument(name="from")] = None,
        to: datetime | None = None,
        first: int = 50,
        after: str | None = None,
    ) -> Connection[Mention]:
        where = _page_filter(subject_id, sentiment, from_, to)
        page = await info.context.repo(MentionRepository).mentions(where, first=first, after=after)
        return connection(page, Mention.of)

    @strawberry.field(
        permission_classes=allow(*READ_ROLES),
        description="Stories (near-duplicate mentions grouped), newest first.",
    )
    async def stories(
        self,
        info: Info[Context, None],
        subject_id: strawberry.ID | None = None,
        sentiment: Sentiment | None = None,
        from_: Annotated[datetime | None, strawberry.argument(name="from")] = None,
        to: datetime | None = None,
        first: int = 50,
        after: str | None = None,
    ) -> Connection[Story]:
        where = _page_filter(subject_id, sentiment, from_, to)
        page = await info.context.repo(MentionRepository).stories(where, first=first, after=after)
        return connection(page, Story.of)

    @strawberry.field(
        permission_classes=allow(*READ_ROLES, Role.MANAGEMENT),
        description="Mentions per hour or day by sentiment, for one subject or party or all.",
    )
    async def sentiment_trend(
        self,
        info: Info[Context, None],
        from_: Annotated[datetime, strawberry.argument(name="from")],
        to: datetime,
        bucket: TrendBucketSize = TrendBucketSize.DAY,
        subject_id: strawberry.ID | None = None,
    ) -> list[TrendPoint]:
        start, end = _utc(from_), _utc(to)
        if end <= start or end - start > MAX_TREND_SPAN[bucket.value]:
            raise InvalidInput(
                f"'to' must be after 'from' and at most {MAX_TREND_SPAN[bucket.value].days} "
                f"days later for {bucket.name} buckets"
            )
        buckets = await info.context.repo(MentionRepository).sentiment_trend(
            subject_id, bucket.value, start, end
        )
        return [
            TrendPoint(
                bucket=b.bucket,
                total=b.total,
                negative=b.negative,
                neutral=b.neutral,
                positive=b.positive,
                unscored=b.unscored,
            )
            for b in buckets
        ]


@strawberry.type
class MediaMutation:
    @strawberry.mutation(permission_classes=allow(*FEED_ROLES), description="Register a feed.")
    async def add_feed(self, info: Info[Context, None], feed: FeedInput) -> FeedResult:
        url, name = feed.url.strip(), feed.name.strip()
        if not name:
            return FeedRejected(reason="a feed needs a name", code="BAD_USER_INPUT")
        if feed.poll_interval_s < 30:
            return FeedRejected(reason="pollIntervalS must be at least 30", code="BAD_USER_INPUT")
        if rejected := _checked_url(info, url):
            return rejected
        try:
            record = await info.context.repo(FeedRepository).add(
                url=url,
                name=name,
                language=feed.language,
                poll_interval_s=feed.poll_interval_s,
                enabled=feed.enabled,
                high_impact=feed.high_impact,
                weight=feed.weight,
                now=datetime.now(UTC),
            )
        except InvalidInput as error:
            return FeedRejected(reason=error.message, code=error.code)
        return Feed.of(record)

    @strawberry.mutation(
        permission_classes=allow(*FEED_ROLES),
        description="Change a feed; enabling a disabled feed clears its failures.",
    )
    async def update_feed(
        self, info: Info[Context, None], id: strawberry.ID, changes: FeedChanges
    ) -> FeedResult:
        values: dict[str, Any] = {
            key: value for key, value in vars(changes).items() if value is not None
        }
        if "url" in values:
            values["url"] = values["url"].strip()
            if rejected := _checked_url(info, values["url"]):
                return rejected
        if values.get("poll_interval_s", 30) < 30:
            return FeedRejected(reason="pollIntervalS must be at least 30", code="BAD_USER_INPUT")
        try:
            record = await info.context.repo(FeedRepository).update(
                str(id), values, datetime.now(UTC)
            )
        except InvalidInput as error:
            return FeedRejected(reason=error.message, code=error.code)
        return Feed.of(record)

    @strawberry.mutation(
        permission_classes=allow(*FEED_ROLES), description="Delete a feed (mentions stay)."
    )
    async def remove_feed(self, info: Info[Context, None], id: strawberry.ID) -> bool:
        return await info.context.repo(FeedRepository).remove(str(id))
