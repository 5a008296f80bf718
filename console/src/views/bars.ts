// A small SVG grouped bar chart: one group of bars per label, one bar per series.
import { svg as el } from "../dom";

export interface BarSeries {
  name: string;
  className: string;
  values: number[];
}

const WIDTH = 640;
const HEIGHT = 240;
const PAD = { left: 40, right: 12, top: 28, bottom: 44 };

/** Draws ``series`` side by side for each of ``labels``, scaled to the largest value. */
export function barChart(labels: string[], series: BarSeries[]): SVGSVGElement {
  const highest = Math.max(1, ...series.flatMap((s) => s.values));
  const svg = el("svg", {
    viewBox: `0 0 ${WIDTH} ${HEIGHT}`,
    class: "chart bars",
    role: "img",
  }) as SVGSVGElement;
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const slot = plotW / Math.max(labels.length, 1);
  const barW = Math.max(2, (slot * 0.8) / Math.max(series.length, 1));
  const y = (v: number): number => PAD.top + plotH - (v / highest) * plotH;
  for (const tick of [0, 0.5, 1]) {
    const value = Math.round(tick * highest);
    svg.append(el("line", { x1: PAD.left, x2: PAD.left + plotW, y1: y(value), y2: y(value), class: "grid" }));
    svg.append(
      el("text", { x: PAD.left - 6, y: y(value) + 4, class: "axis", "text-anchor": "end" }, String(value)),
    );
  }
  labels.forEach((label, i) => {
    const x0 = PAD.left + i * slot + slot * 0.1;
    series.forEach((s, j) => {
      const v = s.values[i] ?? 0;
      svg.append(
        el("rect", {
          x: x0 + j * barW,
          y: y(v),
          width: barW - 1,
          height: PAD.top + plotH - y(v),
          class: `bar ${s.className}`,
          "data-label": label,
          "data-value": v,
        }),
      );
    });
    svg.append(
      el(
        "text",
        {
          x: x0 + (barW * series.length) / 2,
          y: HEIGHT - PAD.bottom + 14,
          class: "axis",
          "text-anchor": "middle",
        },
        label,
      ),
    );
  });
  series.forEach((s, i) => {
    const lx = PAD.left + i * 110;
    svg.append(el("rect", { x: lx, y: 6, width: 12, height: 10, class: `bar ${s.className}` }));
    svg.append(el("text", { x: lx + 16, y: 15, class: "axis" }, s.name));
  });
  return svg;
}
