// Management: the complaint report for a period, grouped by the dimensions chosen (table and
// chart of received vs. answered on time), the regulator report in the NFRA categories, and
// both as CSV or XLSX downloads.
import { download, gql } from "../api";
import { act, fill, h, panel } from "../dom";
import type { View } from "../main";
import { COMPLAINT_REPORT, REGULATOR_REPORT } from "../operations";
import { barChart } from "./bars";

interface Figures {
  received: number;
  finished: number;
  open: number;
  onTime: number;
  late: number;
  onTimeRate: number | null;
  averageHandlingDays: number | null;
  ageing: { bucket: string; open: number }[];
  surveyed: number;
  satisfactionRate: number | null;
  compensation: { amount: string; currency: string };
}

interface ComplaintReport {
  asOf: string;
  groupBy: string[];
  groups: { keys: { dimension: string; key: string; label: string }[]; figures: Figures }[];
  total: Figures;
}

interface RegulatorFigures {
  received: number;
  finished: number;
  onTime: number;
  late: number;
  onTimeRate: number | null;
}

interface RegulatorReport {
  lines: {
    category: { code: string; kind: string; nameZh: string };
    coarseCategory: string;
    figures: RegulatorFigures;
  }[];
  subtotals: { kind: string; nameZh: string; figures: { received: number } }[];
  total: RegulatorFigures;
}

const DIMENSIONS = [
  "MONTH",
  "BRANCH",
  "CHANNEL",
  "CATEGORY",
  "NFRA_CATEGORY",
  "PRODUCT",
  "SHOP",
  "AGENT",
  "TEAM",
];
const BUCKETS = ["0-7", "8-15", "16-30", "31-60", "61+"];

/** A date field's day as the start of that day in China Standard Time. */
function cst(day: string): string {
  return `${day}T00:00:00+08:00`;
}

function percent(rate: number | null): string {
  return rate === null ? "—" : `${(rate * 100).toFixed(1)}%`;
}

function days(value: number | null): string {
  return value === null ? "—" : value.toFixed(1);
}

function figureCells(f: Figures): HTMLTableCellElement[] {
  const ageing = new Map(f.ageing.map((b) => [b.bucket, b.open]));
  return [
    h("td", { class: "num", "data-figure": "received" }, f.received),
    h("td", { class: "num" }, f.finished),
    h("td", { class: "num" }, f.open),
    h("td", { class: "num", "data-figure": "onTime" }, f.onTime),
    h("td", { class: "num" }, f.late),
    h("td", { class: "num", "data-figure": "onTimeRate" }, percent(f.onTimeRate)),
    h("td", { class: "num", "data-figure": "averageHandlingDays" }, days(f.averageHandlingDays)),
    ...BUCKETS.map((bucket) => h("td", { class: "num" }, ageing.get(bucket) ?? 0)),
    h("td", { class: "num" }, percent(f.satisfactionRate)),
    h("td", { class: "num" }, `${f.compensation.amount}`),
  ];
}

const FIGURE_HEADINGS = [
  "Received",
  "Finished",
  "Open",
  "On time",
  "Late",
  "On-time rate",
  "Avg. days",
  ...BUCKETS.map((bucket) => `Open ${bucket}d`),
  "Satisfied",
  "Compensation ¥",
];

function reportTable(report: ComplaintReport): HTMLTableElement {
  const heads = [...report.groupBy.map((d) => d.toLowerCase().replace("_", " ")), ...FIGURE_HEADINGS];
  const rows = report.groups.map((group) =>
    h(
      "tr",
      { class: "group", "data-keys": group.keys.map((k) => k.key).join("|") },
      ...group.keys.map((k) => h("td", { title: k.key }, k.label)),
      ...figureCells(group.figures),
    ),
  );
  const total = h(
    "tr",
    { class: "total" },
    ...report.groupBy.map((_, i) => h("td", {}, i === 0 ? "Total" : "")),
    ...figureCells(report.total),
  );
  return h(
    "table",
    { class: "report", id: "report-table" },
    h("thead", {}, h("tr", {}, ...heads.map((title) => h("th", {}, title)))),
    h("tbody", {}, ...rows, total),
  );
}

function reportChart(report: ComplaintReport): SVGSVGElement {
  const labels = report.groups.map((g) => g.keys.map((k) => k.label).join(" · "));
  return barChart(labels, [
    { name: "received", className: "received", values: report.groups.map((g) => g.figures.received) },
    { name: "on time", className: "on-time", values: report.groups.map((g) => g.figures.onTime) },
    { name: "late", className: "late", values: report.groups.map((g) => g.figures.late) },
  ]);
}

function regulatorTable(report: RegulatorReport): HTMLTableElement {
  const lines = report.lines.map((line) =>
    h(
      "tr",
      { class: line.figures.received ? "line" : "line zero", "data-category": line.category.code },
      h("td", {}, line.category.nameZh),
      h("td", { class: "muted" }, line.category.code),
      h("td", { class: "num", "data-figure": "received" }, line.figures.received),
      h("td", { class: "num" }, line.figures.onTime),
      h("td", { class: "num" }, line.figures.late),
      h("td", { class: "num" }, percent(line.figures.onTimeRate)),
    ),
  );
  return h(
    "table",
    { class: "report", id: "regulator-table" },
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        ...["Category", "Code", "Received", "On time", "Late", "On-time rate"].map((t) => h("th", {}, t)),
      ),
    ),
    h(
      "tbody",
      {},
      ...lines,
      h(
        "tr",
        { class: "total" },
        h("td", {}, "合计 Total"),
        h("td", {}, ""),
        h("td", { class: "num", "data-figure": "received" }, report.total.received),
        h("td", { class: "num" }, report.total.onTime),
        h("td", { class: "num" }, report.total.late),
        h("td", { class: "num" }, percent(report.total.onTimeRate)),
      ),
    ),
  );
}

function defaultPeriod(): [string, string] {
  const now = new Date();
  const from = new Date(now.getFullYear(), 0, 1);
  const to = new Date(now.getFullYear(), now.getMonth() + 1, 1);
  const day = (d: Date): string =>
    `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
  return [day(from), day(to)];
}

function downloadButton(label: string, id: string, run: () => Promise<void>): HTMLButtonElement {
  const button = h("button", { type: "button", id, class: "quiet" }, label);
  button.addEventListener(
    "click",
    () =>
      void act(button, async () => {
        await run();
        button.disabled = false;
      }),
  );
  return button;
}

export const managementView: View = {
  id: "management",
  title: "Management",
  roles: ["MANAGEMENT", "COMPLAINTS"],
  render(root) {
    const [start, end] = defaultPeriod();
    const from = h("input", { type: "date", id: "report-from", value: start, required: true });
    const to = h("input", { type: "date", id: "report-to", value: end, required: true });
    const boxes = DIMENSIONS.map((dim) =>
      h("input", { type: "checkbox", name: "groupBy", value: dim, checked: dim === "MONTH" }),
    );
    const groupBy = (): string[] => boxes.filter((box) => box.checked).map((box) => box.value);
    const period = (): { from: string; to: string } => ({ from: cst(from.value), to: cst(to.value) });
    const fileName = (name: string, ext: string): string => `${name}-report-${from.value}-${to.value}.${ext}`;

    const [reportSection, reportBody] = panel(
      "Complaint report",
      "complaint-report",
      downloadButton("CSV", "download-csv", () =>
        download(
          "/reports/complaints.csv",
          { ...period(), groupBy: groupBy().join(",") },
          fileName("complaints", "csv"),
        ),
      ),
      downloadButton("XLSX", "download-xlsx", () =>
        download(
          "/reports/complaints.xlsx",
          { ...period(), groupBy: groupBy().join(",") },
          fileName("complaints", "xlsx"),
        ),
      ),
    );
    const [regulatorSection, regulatorBody] = panel(
      "Regulator report (NFRA categories)",
      "regulator-report",
      downloadButton("XLSX", "download-regulator", () =>
        download("/reports/regulator.xlsx", period(), fileName("regulator", "xlsx")),
      ),
    );
    const form = h(
      "form",
      { class: "inline report-form", id: "report-form" },
      h("label", {}, "From ", from),
      h("label", {}, "To ", to),
      h("span", { class: "dims" }, ...boxes.map((box) => h("label", {}, box, ` ${box.value.toLowerCase()}`))),
      h("button", { type: "submit", id: "run-report" }, "Run"),
    );
    // Only the latest run may fill the panels: an earlier answer arriving late is dropped.
    let generation = 0;
    const run = (): void => {
      const mine = ++generation;
      const latest = <T>(request: Promise<T>): Promise<T> => {
        const never = new Promise<T>(() => undefined);
        return request.then(
          (data) => (mine === generation ? data : never),
          (error: unknown) => (mine === generation ? Promise.reject(error) : never),
        );
      };
      fill(
        reportBody,
        latest(
          gql<{ complaintReport: ComplaintReport }>(COMPLAINT_REPORT, { ...period(), groupBy: groupBy() }),
        ),
        ({ complaintReport }) => [
          h(
            "p",
            { class: "muted", id: "report-as-of" },
            `Figures as of ${new Date(complaintReport.asOf).toLocaleString()}`,
          ),
          complaintReport.groups.length ? reportChart(complaintReport) : null,
          reportTable(complaintReport),
        ],
      );
      fill(
        regulatorBody,
        latest(gql<{ regulatorComplaintReport: RegulatorReport }>(REGULATOR_REPORT, period())),
        ({ regulatorComplaintReport }) => [
          h(
            "p",
            { class: "muted" },
            regulatorComplaintReport.subtotals.map((s) => `${s.nameZh} ${s.figures.received}`).join(" · "),
          ),
          regulatorTable(regulatorComplaintReport),
        ],
      );
    };
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      run();
    });
    root.append(form, reportSection, regulatorSection);
    run();
    return () => undefined;
  },
};
