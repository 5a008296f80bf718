// Complaint desk: open complaints sorted by deadline, overdue ones highlighted.
import { gql } from "../api";
import { deadline, fill, h, panel, startCountdowns, when } from "../dom";
import type { View } from "../main";
import { COMPLAINTS } from "../operations";

interface Complaint {
  id: string;
  complaintNo: string;
  channel: string;
  category: string;
  status: string;
  receivedAt: string;
  dueAt: string;
  overdue: boolean;
  summary: string;
  complainant: { id: string; name: string } | null;
}

interface ComplaintConnection {
  edges: { node: Complaint }[];
  pageInfo: { hasNextPage: boolean };
}

const COLUMNS = ["Due", "No.", "Complainant", "Channel", "Category", "Status", "Received", "Summary"];

function row(complaint: Complaint): HTMLTableRowElement {
  return h(
    "tr",
    {
      class: complaint.overdue ? "complaint overdue" : "complaint",
      "data-complaint-no": complaint.complaintNo,
      "data-due": complaint.dueAt,
    },
    h("td", {}, deadline(complaint.dueAt)),
    h("td", {}, complaint.complaintNo),
    h("td", {}, complaint.complainant?.name ?? "—"),
    h("td", {}, complaint.channel),
    h("td", {}, complaint.category),
    h("td", {}, complaint.status),
    h("td", {}, when(complaint.receivedAt)),
    h("td", { class: "summary" }, complaint.summary),
  );
}

export const complaintDesk: View = {
  id: "complaints",
  title: "Complaint desk",
  roles: ["COMPLAINTS"],
  render(root) {
    const [section, body] = panel("Open complaints by deadline", "complaints");
    root.append(section);
    fill(body, gql<{ complaints: ComplaintConnection }>(COMPLAINTS), ({ complaints }) => {
      // The server orders by deadline; sorting again keeps the view right whatever it sends.
      const open = complaints.edges
        .map((edge) => edge.node)
        .sort((a, b) => Date.parse(a.dueAt) - Date.parse(b.dueAt));
      const overdue = open.filter((complaint) => complaint.overdue).length;
      const more = complaints.pageInfo.hasNextPage ? "+" : "";
      return [
        h(
          "p",
          { class: "muted", id: "complaints-summary" },
          `${open.length}${more} open, ${overdue} overdue`,
        ),
        h(
          "table",
          { class: "complaints" },
          h("thead", {}, h("tr", {}, ...COLUMNS.map((title) => h("th", {}, title)))),
          h("tbody", {}, ...open.map(row)),
        ),
      ];
    });
    return startCountdowns(root);
  },
};
