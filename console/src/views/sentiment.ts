// The sentiment trend of one subject (shares per day, alert thresholds drawn) and the
// stories behind its latest spike, each with its sources.
import { gql } from "../api";
import { errorText, h, panel, replace, when } from "../dom";
import { SENTIMENT_TREND, STORIES } from "../operations";
import { lineChart } from "./chart";

interface TrendPoint {
  start: string;
  negative: number;
  neutral: number;
  positive: number;
}

interface Trend {
  thresholds: { name: string; negativeRate: number }[];
  points: TrendPoint[];
}

interface Story {
  id: string;
  title: string;
  firstSeen: string;
  sentiment: string;
  mentionCount: number;
  sources: { feed: string; link: string; publishedAt: string | null }[];
}

const DAY_MS = 86_400_000;

function shares(point: TrendPoint): [number, number, number] {
  const total = point.negative + point.neutral + point.positive;
  return total ? [point.negative / total, point.neutral / total, point.positive / total] : [0, 0, 0];
}

function storyItem(story: Story): HTMLLIElement {
  return h(
    "li",
    { class: `story sentiment-${story.sentiment.toLowerCase()}` },
    h("strong", {}, story.title),
    h("div", { class: "muted" }, `${story.mentionCount} mentions · first seen ${when(story.firstSeen)}`),
    h(
      "ul",
      { class: "sources" },
      ...story.sources.map((source) =>
        h("li", {}, h("a", { href: source.link, target: "_blank", rel: "noopener noreferrer" }, source.feed), " ", when(source.publishedAt)),
      ),
    ),
  );
}

/** The panel, and a function that shows a subject's trend around an instant (default: now). */
export function sentimentPanel(): [HTMLElement, (subjectId: string, name: string, around?: string) => void] {
  const input = h("input", { id: "subject-id", placeholder: "subject id, e.g. company" });
  const [section, body] = panel(
    "Sentiment trend",
    "sentiment",
    h("form", { class: "inline", onsubmit: (event: Event) => { event.preventDefault(); show(input.value.trim(), input.value.trim()); } }, input, h("button", { type: "submit" }, "Show")),
  );
  body.append(h("p", { class: "empty" }, "Pick an alert or enter a subject to see its trend."));

  async function load(subjectId: string, name: string, around: string | undefined): Promise<void> {
    const end = around ? new Date(new Date(around).getTime() + DAY_MS) : new Date();
    const variables = { subjectId, from: new Date(end.getTime() - 30 * DAY_MS).toISOString(), to: end.toISOString() };
    const spikeFrom = { ...variables, from: new Date(end.getTime() - 2 * DAY_MS).toISOString() };
    const [{ sentimentTrend }, { stories }] = await Promise.all([
      gql<{ sentimentTrend: Trend }>(SENTIMENT_TREND, variables),
      gql<{ stories: Story[] }>(STORIES, spikeFrom),
    ]);
    const labels = sentimentTrend.points.map((point) => new Date(point.start).toLocaleDateString(undefined, { month: "short", day: "numeric" }));
    const values = sentimentTrend.points.map(shares);
    const chart = lineChart(
      labels,
      [
        { name: "negative", className: "negative", values: values.map((v) => v[0]) },
        { name: "neutral", className: "neutral", values: values.map((v) => v[1]) },
        { name: "positive", className: "positive", values: values.map((v) => v[2]) },
      ],
      sentimentTrend.thresholds.map((t) => ({ name: t.name, value: t.negativeRate })),
    );
    replace(
      body,
      h("h3", {}, name),
      chart,
      h("h3", {}, "Stories behind the spike"),
      stories.length ? h("ul", { class: "stories" }, ...stories.map(storyItem)) : h("p", { class: "empty" }, "No stories in the last two days."),
    );
  }

  function show(subjectId: string, name: string, around?: string): void {
    if (!subjectId) return;
    replace(body, h("p", { class: "muted" }, `loading ${name}…`));
    load(subjectId, name, around).catch((error: unknown) => replace(body, h("p", { class: "error" }, errorText(error))));
  }
  return [section, show];
}
