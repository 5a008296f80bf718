// A small SVG line chart: sentiment counts over time with horizontal threshold lines.
import { svg as el } from "../dom";

export interface Series {
  name: string;
  className: string;
  values: number[];
}

export interface Threshold {
  name: string;
  value: number;
}

const WIDTH = 560;
const HEIGHT = 240;
const PAD = { left: 44, right: 90, top: 28, bottom: 28 };

/** Draws ``series`` against ``labels`` with dashed ``thresholds``, scaled to fit them all. */
export function lineChart(labels: string[], series: Series[], thresholds: Threshold[]): SVGSVGElement {
  const highest = Math.max(1, ...series.flatMap((line) => line.values), ...thresholds.map((t) => t.value));
  const max = niceCeiling(highest * 1.1);
  const svg = el("svg", { viewBox: `0 0 ${WIDTH} ${HEIGHT}`, class: "chart", role: "img" }) as SVGSVGElement;
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const x = (i: number): number =>
    PAD.left + (labels.length > 1 ? (i * plotW) / (labels.length - 1) : plotW / 2);
  const y = (v: number): number => PAD.top + plotH - (Math.min(v, max) / max) * plotH;

  for (const tick of [0, 0.25, 0.5, 0.75, 1]) {
    svg.append(
      el("line", { x1: PAD.left, x2: PAD.left + plotW, y1: y(tick * max), y2: y(tick * max), class: "grid" }),
    );
    svg.append(
      el(
        "text",
        { x: PAD.left - 6, y: y(tick * max) + 4, class: "axis", "text-anchor": "end" },
        formatTick(tick * max),
      ),
    );
  }
  const every = Math.max(1, Math.ceil(labels.length / 6));
  labels.forEach((label, i) => {
    if (i % every === 0)
      svg.append(el("text", { x: x(i), y: HEIGHT - 8, class: "axis", "text-anchor": "middle" }, label));
  });
  for (const threshold of thresholds) {
    svg.append(
      el("line", {
        x1: PAD.left,
        x2: PAD.left + plotW,
        y1: y(threshold.value),
        y2: y(threshold.value),
        class: "threshold",
      }),
    );
    svg.append(
      el(
        "text",
        { x: PAD.left + plotW + 4, y: y(threshold.value) + 4, class: "threshold-label" },
        threshold.name,
      ),
    );
  }
  for (const line of series) {
    const points = line.values.map((v, i) => `${x(i)},${y(v)}`).join(" ");
    svg.append(el("polyline", { points, class: `series ${line.className}`, fill: "none" }));
    line.values.forEach((v, i) => {
      if (v > 0) svg.append(el("circle", { cx: x(i), cy: y(v), r: 2.5, class: `dot ${line.className}` }));
    });
  }
  // The legend in a row above the plot, clear of the threshold labels on the right.
  series.forEach((line, i) => {
    const lx = PAD.left + i * 90;
    svg.append(el("line", { x1: lx, x2: lx + 16, y1: 10, y2: 10, class: `series ${line.className}` }));
    svg.append(el("text", { x: lx + 20, y: 14, class: "axis" }, line.name));
  });
  return svg;
}

function niceCeiling(value: number): number {
  const step = 10 ** Math.floor(Math.log10(value));
  return [1, 2, 4, 5, 10].map((m) => m * step).find((candidate) => candidate >= value) ?? value;
}

function formatTick(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(1);
}
