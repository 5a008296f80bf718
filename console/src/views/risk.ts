// Risk view: search a party and open its network, the rings that share identifiers (each
// drawn), and the watchlist review queue with approve / dismiss (four-eyes on the server).
import { type Connection, gql, nodesOf } from "../api";
import { act, errorText, fill, h, panel, replace, when } from "../dom";
import type { View, Viewer } from "../main";
import { REVIEW_WATCHLIST, RINGS, SEARCH_PARTIES, WATCHLIST } from "../operations";
import { networkPanel } from "./network";
import { ringDrawing, type Ring } from "./ring";

interface PartyHit {
  id: string;
  kind: string;
  name: string;
  ref: string;
  city: string | null;
}

interface WatchlistEntry {
  id: string;
  partyId: string;
  partyName: string;
  partyKind: string;
  reason: string;
  status: string;
  summary: string;
  source: string;
  proposedBy: string;
  createdAt: string;
}

function searchPanel(openNetwork: (partyId: string) => void): HTMLElement {
  const input = h("input", { id: "party-query", placeholder: "name, customer no., shop…", required: true });
  const results = h("ul", { class: "hits", id: "party-hits" });
  const form = h(
    "form",
    { class: "inline", id: "party-search" },
    input,
    h("button", { type: "submit" }, "Search"),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    replace(results, h("li", { class: "muted" }, "searching…"));
    gql<{ searchParties: PartyHit[] }>(SEARCH_PARTIES, { query: input.value.trim() })
      .then(({ searchParties }) => {
        replace(results, searchParties.length ? null : h("li", { class: "empty" }, "No party matches."));
        for (const hit of searchParties) {
          const open = h("button", { class: "open-network", "data-party-id": hit.id }, "Network");
          open.addEventListener("click", () => openNetwork(hit.id));
          results.append(
            h(
              "li",
              {},
              h("span", { class: "kind" }, hit.kind),
              h(
                "span",
                { class: "grow" },
                hit.name,
                h("span", { class: "muted" }, ` ${hit.ref} ${hit.city ?? ""}`),
              ),
              open,
            ),
          );
        }
      })
      .catch((error: unknown) => replace(results, h("li", { class: "error" }, errorText(error))));
  });
  const [section, body] = panel("Search a party", "search");
  body.append(form, results);
  return section;
}

function ringsPanel(openNetwork: (partyId: string) => void): HTMLElement {
  const [section, body] = panel("Rings", "rings");
  fill(body, gql<{ rings: Connection<Ring> & { totalCount: number } }>(RINGS), ({ rings }) => {
    if (!rings.edges.length) return [h("p", { class: "empty" }, "No rings found.")];
    const plural = rings.totalCount === 1 ? "" : "s";
    return [
      h("p", { class: "muted" }, `${rings.totalCount} ring${plural} of three or more parties, by risk score`),
      h("ul", { class: "rings" }, ...nodesOf(rings).map((ring) => ringItem(ring, openNetwork))),
    ];
  });
  return section;
}

function ringItem(ring: Ring, openNetwork: (partyId: string) => void): HTMLLIElement {
  const shared = ring.sharedIdentifiers
    .map((identifier) => `${identifier.kind} ${identifier.masked}`)
    .join(", ");
  return h(
    "li",
    { class: "ring", "data-ring-id": ring.id },
    ringDrawing(ring, openNetwork),
    h(
      "div",
      {},
      h("strong", {}, `${ring.size} parties · score ${ring.score.toFixed(1)}`),
      h("div", { class: "muted" }, `share ${shared}`),
      h("div", { class: "muted" }, ring.members.map((member) => member.name).join(", ")),
    ),
  );
}

function reviewRow(entry: WatchlistEntry, viewer: Viewer): HTMLLIElement {
  const ownProposal = entry.proposedBy === viewer.name;
  const comment = h("input", {
    class: "review-comment",
    placeholder: "comment (required)",
    disabled: ownProposal,
  });
  const row = h(
    "li",
    { class: "entry", "data-entry-id": entry.id },
    h("span", { class: "kind" }, entry.partyKind),
    h(
      "div",
      { class: "grow" },
      h("strong", {}, entry.partyName),
      h("div", { class: "muted" }, `${entry.reason} · ${entry.summary}`),
      h(
        "div",
        { class: "muted" },
        `proposed by ${entry.proposedBy} ${when(entry.createdAt)}${ownProposal ? " · your proposal: another reviewer decides" : ""}`,
      ),
      comment,
    ),
  );
  for (const decision of ["ACTIVATE", "DISMISS"] as const) {
    const button = h(
      "button",
      { class: decision.toLowerCase() },
      decision === "ACTIVATE" ? "Approve" : "Dismiss",
    );
    button.disabled = ownProposal;
    button.addEventListener("click", () =>
      act(button, async () => {
        if (!comment.value.trim()) throw new Error("a comment is required");
        const { reviewWatchlistEntry } = await gql<{ reviewWatchlistEntry: { status: string } }>(
          REVIEW_WATCHLIST,
          {
            id: entry.id,
            decision,
            comment: comment.value.trim(),
          },
        );
        replace(
          row,
          h("span", { class: "kind" }, entry.partyKind),
          h("span", { class: "grow" }, entry.partyName),
          h("span", { class: "status" }, reviewWatchlistEntry.status.toLowerCase()),
        );
      }),
    );
    row.append(button);
  }
  return row;
}

function watchlistPanel(viewer: Viewer): HTMLElement {
  const [section, body] = panel("Watchlist review queue", "watchlist");
  fill(body, gql<{ watchlist: Connection<WatchlistEntry> }>(WATCHLIST), ({ watchlist }) => [
    watchlist.edges.length
      ? h("ul", { class: "entries" }, ...nodesOf(watchlist).map((entry) => reviewRow(entry, viewer)))
      : h("p", { class: "empty" }, "Nothing to review."),
  ]);
  return section;
}

export const riskView: View = {
  id: "risk",
  title: "Risk",
  roles: ["RISK"],
  render(root, viewer) {
    const [network, openNetwork] = networkPanel();
    root.append(
      h(
        "div",
        { class: "columns" },
        h("div", {}, searchPanel(openNetwork), ringsPanel(openNetwork)),
        h("div", {}, network, watchlistPanel(viewer)),
      ),
    );
    return () => undefined;
  },
};
