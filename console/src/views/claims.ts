// Claims queue (claims staff): each handler's pending claims by age bucket, and the pending
// claims oldest first with what may turn them into complaints.
import { gql } from "../api";
import { fill, h, panel } from "../dom";
import type { View } from "../main";
import { PENDING_CLAIMS } from "../operations";

interface PendingClaim {
  id: string;
  claimNo: string;
  ageDays: number;
  handler: string | null;
  product: string | null;
  holderMaskedName: string | null;
  grievances: number;
  complaints: number;
  holderFlagged: boolean;
}

interface HandlerLoad {
  handler: string | null;
  pending: number;
  oldestDays: number;
  averageDays: number;
  byAge: { label: string; count: number }[];
}

interface Queue {
  pendingClaims: { edges: { node: PendingClaim }[]; pageInfo: { hasNextPage: boolean } };
  pendingClaimsByHandler: HandlerLoad[];
}

function table(headings: string[], rows: HTMLTableRowElement[], id: string): HTMLTableElement {
  return h(
    "table",
    { class: "complaints", id },
    h("thead", {}, h("tr", {}, ...headings.map((title) => h("th", {}, title)))),
    h("tbody", {}, ...rows),
  );
}

function loadRow(load: HandlerLoad): HTMLTableRowElement {
  return h(
    "tr",
    { "data-handler": load.handler ?? "" },
    h("td", {}, load.handler ?? "not assigned"),
    h("td", {}, load.pending),
    ...load.byAge.map((bucket) => h("td", {}, bucket.count)),
    h("td", {}, load.oldestDays),
    h("td", {}, load.averageDays.toFixed(1)),
  );
}

function claimRow(claim: PendingClaim): HTMLTableRowElement {
  const risk = [
    claim.holderFlagged ? "attention" : "",
    claim.grievances ? `${claim.grievances} grievance(s)` : "",
    claim.complaints ? `${claim.complaints} complaint(s)` : "",
  ].filter(Boolean);
  return h(
    "tr",
    { class: risk.length ? "complaint overdue" : "complaint", "data-claim-no": claim.claimNo },
    h("td", {}, claim.ageDays),
    h("td", {}, claim.claimNo),
    h("td", {}, claim.handler ?? "—"),
    h("td", {}, claim.product ?? "—"),
    h("td", {}, claim.holderMaskedName ?? "—"),
    h("td", {}, risk.join(", ") || "—"),
  );
}

export const claimsQueue: View = {
  id: "claims",
  title: "Claims queue",
  roles: ["CLAIMS"],
  render(root) {
    const [section, body] = panel("Pending claims by handler and age", "claims-queue");
    root.append(section);
    fill(body, gql<Queue>(PENDING_CLAIMS), (queue) => {
      const labels = queue.pendingClaimsByHandler[0]?.byAge.map((bucket) => `${bucket.label} days`) ?? [];
      const claims = queue.pendingClaims.edges.map((edge) => edge.node);
      const more = queue.pendingClaims.pageInfo.hasNextPage ? "+" : "";
      return [
        table(
          ["Handler", "Pending", ...labels, "Oldest (days)", "Average (days)"],
          queue.pendingClaimsByHandler.map(loadRow),
          "handler-loads",
        ),
        h("h3", {}, `Oldest first (${claims.length}${more})`),
        table(
          ["Age (days)", "Claim", "Handler", "Product", "Holder", "Watch"],
          claims.map(claimRow),
          "pending-claims",
        ),
      ];
    });
    return () => undefined;
  },
};
