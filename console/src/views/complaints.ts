// Complaint desk: open complaints sorted by deadline, overdue ones highlighted.
import { gql } from "../api";
import { deadline, errorText, h, panel, replace, startCountdowns, when } from "../dom";
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

function row(complaint: Complaint): HTMLTableRowElement {
  return h(
    "tr",
    { class: complaint.overdue ? "complaint overdue" : "complaint", "data-complaint-no": complaint.complaintNo, "data-due": complaint.dueAt },
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
    body.append(h("p", { class: "muted" }, "loading…"));
    root.append(section);
    gql<{ complaints: { edges: { node: Complaint }[]; pageInfo: { hasNextPage: boolean } } }>(COMPLAINTS)
      .then(({ complaints }) => {
        // The server orders by deadline; sorting again keeps the view right whatever it sends.
        const open = complaints.edges.map((edge) => edge.node).sort((a, b) => Date.parse(a.dueAt) - Date.parse(b.dueAt));
        const overdue = open.filter((complaint) => complaint.overdue).length;
        replace(
          body,
          h("p", { class: "muted", id: "complaints-summary" }, `${open.length}${complaints.pageInfo.hasNextPage ? "+" : ""} open, ${overdue} overdue`),
          h(
            "table",
            { class: "complaints" },
            h("thead", {}, h("tr", {}, ...["Due", "No.", "Complainant", "Channel", "Category", "Status", "Received", "Summary"].map((title) => h("th", {}, title)))),
            h("tbody", {}, ...open.map(row)),
          ),
        );
      })
      .catch((error: unknown) => replace(body, h("p", { class: "error" }, errorText(error))));
    return startCountdowns(root);
  },
};
