// The sentiment trend of one subject (mentions per hour by sentiment, with the alert's
// threshold and baseline drawn) and the stories behind the spike, each with its sources.
import { type Connection, gql, nodesOf } from "../api";
import { errorText, h, panel, replace, when } from "../dom";
import { SENTIMENT_TREND, STORIES } from "../operations";
import { lineChart, type Threshold } from "./chart";
import type { Alert } from "./pr";

interface TrendPoint {
  bucket: string;
  total: number;
  negative: number;
  neutral: number;
  positive: number;
}

interface Story {
  id: string;
  title: string;
  firstSeenAt: string;
  sourceCount: number;
  sentiment: string | null;
}

interface Mention {
  id: string;
  title: string;
  url: string;
  publishedAt: string;
  storyId: string | null;
}

const HOUR_MS = 3_600_000;

function sourceName(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

function storyItem(story: Story, sources: Mention[]): HTMLLIElement {
  return h(
    "li",
    { class: `story sentiment-${(story.sentiment ?? "unscored").toLowerCase()}`, "data-story-id": story.id },
    h("strong", {}, story.title),
    h(
      "div",
      { class: "muted" },
      `${story.sourceCount} sources · ${(story.sentiment ?? "unscored").toLowerCase()} · first seen ${when(story.firstSeenAt)}`,
    ),
    h(
      "ul",
      { class: "sources" },
      ...sources.map((mention) =>
        h(
          "li",
          {},
          h(
            "a",
            { href: mention.url, target: "_blank", rel: "noopener noreferrer", title: mention.title },
            sourceName(mention.url),
          ),
          " ",
          when(mention.publishedAt),
        ),
      ),
    ),
  );
}

/** Every hour from ``fromMs`` to ``toMs``: the API leaves out the hours without mentions. */
function hourly(points: TrendPoint[], fromMs: number, toMs: number): TrendPoint[] {
  const byHour = new Map(points.map((point) => [Math.floor(Date.parse(point.bucket) / HOUR_MS), point]));
  const filled: TrendPoint[] = [];
  for (let hour = Math.floor(fromMs / HOUR_MS); hour < Math.ceil(toMs / HOUR_MS); hour++) {
    const bucket = new Date(hour * HOUR_MS).toISOString();
    filled.push(byHour.get(hour) ?? { bucket, total: 0, negative: 0, neutral: 0, positive: 0 });
  }
  return filled;
}

function thresholdsOf(alert: Alert | undefined): Threshold[] {
  if (!alert) return [];
  const lines: Threshold[] = [];
  if (alert.explanation?.threshold != null)
    lines.push({ name: "alert threshold", value: alert.explanation.threshold });
  if (alert.baselineMean != null) lines.push({ name: "baseline", value: alert.baselineMean });
  return lines;
}

/** The panel, and a function that shows a subject's last two days (around an alert if given). */
export function sentimentPanel(): [HTMLElement, (subjectId: string, name: string, alert?: Alert) => void] {
  const input = h("input", { id: "subject-id", placeholder: "subject id" });
  const form = h("form", { class: "inline" }, input, h("button", { type: "submit" }, "Show"));
  const [section, body] = panel("Sentiment trend", "sentiment", form);
  body.append(h("p", { class: "empty" }, "Pick an alert or enter a subject to see its trend."));

  async function load(subjectId: string, name: string, alert: Alert | undefined): Promise<void> {
    const end = alert ? new Date(Date.parse(alert.openedAt) + HOUR_MS) : new Date();
    const from = new Date(end.getTime() - 48 * HOUR_MS).toISOString();
    const spikeFrom = new Date(end.getTime() - 24 * HOUR_MS).toISOString();
    const [{ sentimentTrend }, { stories, mentions }] = await Promise.all([
      gql<{ sentimentTrend: TrendPoint[] }>(SENTIMENT_TREND, { subjectId, from, to: end.toISOString() }),
      gql<{ stories: Connection<Story>; mentions: Connection<Mention> }>(STORIES, {
        subjectId,
        from: spikeFrom,
        to: end.toISOString(),
      }),
    ]);
    const points = hourly(sentimentTrend, Date.parse(from), end.getTime());
    const labels = points.map((point) =>
      new Date(point.bucket).toLocaleString(undefined, { day: "numeric", hour: "2-digit" }),
    );
    const chart = lineChart(
      labels,
      [
        { name: "negative", className: "negative", values: points.map((point) => point.negative) },
        { name: "neutral", className: "neutral", values: points.map((point) => point.neutral) },
        { name: "positive", className: "positive", values: points.map((point) => point.positive) },
      ],
      thresholdsOf(alert),
    );
    const sourcesOf = (story: Story): Mention[] =>
      nodesOf(mentions).filter((mention) => mention.storyId === story.id);
    replace(
      body,
      h("h3", {}, name, h("span", { class: "muted" }, " · mentions per hour")),
      chart,
      h("h3", {}, "Stories behind the spike"),
      stories.edges.length
        ? h(
            "ul",
            { class: "stories" },
            ...nodesOf(stories).map((story) => storyItem(story, sourcesOf(story))),
          )
        : h("p", { class: "empty" }, "No stories in the 24 hours before."),
    );
  }

  function show(subjectId: string, name: string, alert?: Alert): void {
    if (!subjectId) return;
    input.value = subjectId;
    replace(body, h("p", { class: "muted" }, `loading ${name}…`));
    load(subjectId, name, alert).catch((error: unknown) =>
      replace(body, h("p", { class: "error" }, errorText(error))),
    );
  }
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    show(input.value.trim(), input.value.trim());
  });
  return [section, show];
}
