"""The public-opinion crisis detector: spikes per subject and the absolute triggers.

The media pipeline calls :meth:`CrisisDetector.on_new_stories` after each poll's mentions
are committed; a schedule calls :meth:`CrisisDetector.sweep` as a safety net; the domain-event
dispatcher calls :meth:`CrisisDetector.on_media_escalation`. Every decision reads the graph
(bounded by time window and a row limit) and writes alerts idempotently, so any process may
run it and running it twice changes nothing.
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from prometheus_client import Counter as MetricCounter

from graph.client import Graph
from graph.crisis.alerts import AlertRepository, RaisedAlert
from graph.crisis.records import CoveredSubject, StoryMention, StoryTrigger
from graph.outbox_records import DomainEvent
from models.crisis import (
    AlertDraft,
    AlertKind,
    Severity,
    SpikeDecision,
    SpikeSettings,
    StorySignal,
    decide_spike,
    top_terms,
)
from models.crisis_plan import CrisisPlan
from monitors.clock import Clock, utc_now
from monitors.crisis.plans import PlanStore

log = logging.getLogger(__name__)

ALERTS_RAISED = MetricCounter(
    "riskwatch_crisis_alerts_total", "Alerts raised or made more severe", ["kind", "severity"]
)

AlertListener = Callable[[RaisedAlert], None]


class CrisisDetector:
    """Decides which subjects spike and raises alerts (with cases and deliveries) for them."""

    def __init__(
        self,
        graph: Graph,
        plans: PlanStore,
        spike: SpikeSettings,
        dedup_window: timedelta = timedelta(hours=6),
        clock: Clock = utc_now,
        on_alert: AlertListener | None = None,
    ) -> None:
        self.alerts = AlertRepository(graph)
        self.plans = plans
        self.spike = spike
        self.dedup_window = dedup_window
        self.clock = clock
        self.listeners: list[AlertListener] = [on_alert] if on_alert else []

    async def on_new_stories(self, story_ids: list[str]) -> list[RaisedAlert]:
        """Absolute triggers for these stories, then the spike test for their subjects."""
        if not story_ids:
            return []
        now = self.clock()
        plan = await self.plans.active()
        raised = await self._absolute_triggers(story_ids, plan, now)
        for subject in await self.alerts.subjects_of_stories(story_ids):
            alert = await self.check_subject(subject, plan, now)
            if alert is not None:
                raised.append(alert)
        return raised

    async def sweep(self) -> list[RaisedAlert]:
        """The spike test for every subject with negative stories in the current window."""
        now = self.clock()
        plan = await self.plans.active()
        raised: list[RaisedAlert] = []
        subjects = await self.alerts.subjects_with_recent_stories(now - self.spike.window, now)
        for subject in subjects:
            alert = await self.check_subject(subject, plan, now)
            if alert is not None:
                raised.append(alert)
        return raised

    async def check_subject(
        self, subject: CoveredSubject, plan: CrisisPlan, now: datetime
    ) -> RaisedAlert | None:
        """Run the spike test for one subject at ``now``; raise or update its alert if it fires."""
        decision, window_story_ids = await self.spike_decision(
            subject.subject_id, now, subject.kind == "COMPANY"
        )
        if not decision.fires or decision.severity is None:
            return None
        mentions = await self.alerts.story_mentions(window_story_ids)
        stats = decision.stats
        explanation = {
            "reason": "negative coverage above its baseline",
            "window_minutes": int(self.spike.window.total_seconds() // 60),
            "window_count": stats.window_count,
            "baseline_mean": stats.baseline_mean,
            "baseline_std": stats.baseline_std,
            "z_score": stats.z_score,
            "threshold_sigma": self.spike.threshold_sigma,
            "threshold": round(
                stats.baseline_mean
                + self.spike.threshold_sigma * max(stats.baseline_std, self.spike.min_std),
                4,
            ),
            "min_count": self.spike.min_count,
            "day_before_count": stats.day_before_count,
            "baseline": "same hour of day" if stats.same_hour else "all hours",
            "baseline_samples": stats.samples,
            "history_days": stats.history_days,
            "stories": len(window_story_ids),
            **_sources_and_terms(mentions),
        }
        draft = AlertDraft(
            subject_id=subject.subject_id,
            subject_name=subject.name,
            kind=AlertKind.SPIKE,
            severity=decision.severity,
            explanation=explanation,
            mention_ids=tuple(m.mention_id for m in mentions),
            story_ids=tuple(window_story_ids),
            window_count=stats.window_count,
            baseline_mean=stats.baseline_mean,
            baseline_std=stats.baseline_std,
        )
        return await self.raise_alert(draft, plan, now)

    async def spike_decision(
        self, subject_id: str, now: datetime, subject_is_company: bool = False
    ) -> tuple[SpikeDecision, list[str]]:
        """The spike decision for a subject and the ids of the stories in its current window."""
        since = now - timedelta(days=self.spike.baseline_days + 1) - self.spike.window
        stories = await self.alerts.negative_stories(subject_id, since, now)
        # Stories count at their publication, so a feed's archive fills the baseline at once;
        # the warm-up runs from the earliest story of any sentiment, not the first negative.
        history_start = await self.alerts.first_story_at(subject_id, since, now)
        signals = [
            StorySignal(story.story_id, story.at, story.confidence * story.source_weight)
            for story in stories
        ]
        decision = decide_spike(
            signals, now, history_start, self.spike, subject_is_company=subject_is_company
        )
        window_ids = [s.story_id for s in signals if s.at > now - self.spike.window]
        return decision, window_ids

    async def on_media_escalation(
        self, event: DomainEvent, payload: Mapping[str, Any], now: datetime
    ) -> RaisedAlert:
        """A complaint taken up by the media or an outside organisation (filed on, or
        escalated to, MEDIA or SOCIAL_ORGANISATION): a case at once."""
        plan = await self.plans.active()
        complaint_no = payload.get("complaint_no")
        escalated_to = payload.get("to_channel")
        reason = (
            f"complaint escalated to the {escalated_to} channel"
            if escalated_to
            else f"complaint filed on the {payload.get('channel')} channel"
        )
        draft = AlertDraft(
            subject_id=str(event.subject_id),
            subject_name=str(complaint_no) if complaint_no else None,
            kind=AlertKind.MEDIA_ESCALATION,
            severity=plan.severity_for(AlertKind.MEDIA_ESCALATION, Severity.CRISIS),
            explanation={
                "reason": reason,
                "event_id": event.id,
                **{
                    key: payload.get(key)
                    for key in (
                        "complaint_no",
                        "channel",
                        "from_channel",
                        "to_channel",
                        "category",
                        "customer_id",
                    )
                },
            },
        )
        return await self.raise_alert(draft, plan, now)

    async def raise_alert(self, draft: AlertDraft, plan: CrisisPlan, now: datetime) -> RaisedAlert:
        """Raise (or update) an alert and tell the listeners when it needs delivering."""
        raised = await self.alerts.raise_alert(draft, plan, now, self.dedup_window)
        if raised.notified:
            ALERTS_RAISED.labels(draft.kind.value, raised.severity.value).inc()
            log.info(
                "alert %s %s %s on %s (case %s, %d deliveries)",
                raised.id,
                raised.severity,
                draft.kind,
                draft.subject_id,
                raised.case_id,
                raised.deliveries,
            )
            for listener in self.listeners:
                listener(raised)
        return raised

    async def _absolute_triggers(
        self, story_ids: Sequence[str], plan: CrisisPlan, now: datetime
    ) -> list[RaisedAlert]:
        grouped: dict[tuple[str, AlertKind], list[StoryTrigger]] = defaultdict(list)
        for trigger in await self.alerts.story_triggers(story_ids, now - self.spike.window):
            if trigger.high_impact_feeds:
                grouped[(trigger.subject_id, AlertKind.HIGH_IMPACT_SOURCE)].append(trigger)
            if trigger.regulator_complaints:
                grouped[(trigger.subject_id, AlertKind.REGULATOR_LINK)].append(trigger)
        raised = []
        for (subject_id, kind), hits in grouped.items():
            explanation: dict[str, Any] = {
                "reason": "negative story from a high-impact source"
                if kind is AlertKind.HIGH_IMPACT_SOURCE
                else "negative story about a subject with an open regulator complaint",
                "stories": [{"id": h.story_id, "title": h.title} for h in hits],
            }
            if kind is AlertKind.HIGH_IMPACT_SOURCE:
                explanation["top_sources"] = sorted({f for h in hits for f in h.high_impact_feeds})
            else:
                explanation["regulator_complaints"] = sorted(
                    {c for h in hits for c in h.regulator_complaints}
                )
            draft = AlertDraft(
                subject_id=subject_id,
                subject_name=hits[0].name,
                kind=kind,
                severity=plan.severity_for(kind, Severity.WARNING),
                explanation=explanation,
                mention_ids=tuple(m for h in hits for m in h.mention_ids),
                story_ids=tuple(h.story_id for h in hits),
            )
            raised.append(await self.raise_alert(draft, plan, now))
        return raised


def _sources_and_terms(mentions: Sequence[StoryMention]) -> dict[str, Any]:
    sources = Counter(m.feed for m in mentions if m.feed)
    titles = list({m.story_id: m.story_title or m.title or "" for m in mentions}.values())
    return {
        "top_sources": [{"feed": feed, "mentions": n} for feed, n in sources.most_common(5)],
        "top_terms": top_terms(titles),
    }
