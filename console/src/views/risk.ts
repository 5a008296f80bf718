// Risk view: search a party and open its network, the rings that share identifiers (each
// drawn), and the watchlist review queue with approve / dismiss (four-eyes on the server).
import { gql } from "../api";
import { act, errorText, h, panel, replace, when } from "../dom";
import type { View, Viewer } from "../main";
import { REVIEW_WATCHLIST, RINGS, SEARCH_PARTIES, WATCHLIST } from "../operations";
import { networkPanel } from "./network";
import { ringDrawing, type Ring } from "./ring";

interface PartyHit {
  id: string;
  kind: string;
  name: string;
  ref: string;
}

interface WatchlistEntry {
  id: string;
  status: string;
  reasons: string[];
  proposedAt: string;
  proposedBy: string;
  party: { id: string; kind: string; name: string };
}

function searchPanel(openNetwork: (partyId: string) => void): HTMLElement {
  const input = h("input", { id: "party-query", placeholder: "name, customer no., shop…", required: true });
  const results = h("ul", { class: "hits", id: "party-hits" });
  const form = h("form", { class: "inline", id: "party-search" }, input, h("button", { type: "submit" }, "Search"));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    replace(results, h("li", { class: "muted" }, "searching…"));
    gql<{ searchParties: PartyHit[] }>(SEARCH_PARTIES, { query: input.value.trim() })
      .then(({ searchParties }) => {
        replace(results, searchParties.length ? null : h("li", { class: "empty" }, "No party matches."));
        for (const hit of searchParties) {
          const open = h("button", { class: "open-network", "data-party-id": hit.id }, "Network");
          open.addEventListener("click", () => openNetwork(hit.id));
          results.append(h("li", {}, h("span", { class: "kind" }, hit.kind), h("span", { class: "grow" }, hit.name, h("span", { class: "muted" }, ` ${hit.ref}`)), open));
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
  body.append(h("p", { class: "muted" }, "loading…"));
  gql<{ rings: { items: Ring[] } }>(RINGS)
    .then(({ rings }) => {
      replace(body, rings.items.length ? null : h("p", { class: "empty" }, "No rings found."));
      const list = h("ul", { class: "rings" });
      for (const ring of rings.items) {
        list.append(
          h(
            "li",
            { class: "ring", "data-ring-id": ring.id },
            ringDrawing(ring, openNetwork),
            h("div", {}, h("strong", {}, `${ring.members.length} parties share ${ring.identifierKind}`), h("div", { class: "muted" }, ring.identifierMasked)),
          ),
        );
      }
      body.append(list);
    })
    .catch((error: unknown) => replace(body, h("p", { class: "error" }, errorText(error))));
  return section;
}

function reviewRow(entry: WatchlistEntry, viewer: Viewer): HTMLLIElement {
  const row = h(
    "li",
    { class: "entry", "data-entry-id": entry.id },
    h("span", { class: "kind" }, entry.party.kind),
    h("div", { class: "grow" }, h("strong", {}, entry.party.name), h("div", { class: "muted" }, `${entry.reasons.join(", ")} · proposed by ${entry.proposedBy} ${when(entry.proposedAt)}`)),
  );
  const ownProposal = entry.proposedBy === viewer.name;
  for (const decision of ["APPROVE", "DISMISS"] as const) {
    const button = h("button", { class: decision.toLowerCase(), title: ownProposal ? "four eyes: another reviewer must decide" : "" }, decision === "APPROVE" ? "Approve" : "Dismiss");
    button.disabled = ownProposal;
    button.addEventListener("click", () =>
      act(button, async () => {
        const { reviewWatchlistEntry } = await gql<{ reviewWatchlistEntry: { status: string } }>(REVIEW_WATCHLIST, { id: entry.id, decision });
        replace(row, h("span", { class: "kind" }, entry.party.kind), h("span", { class: "grow" }, entry.party.name), h("span", { class: "status" }, reviewWatchlistEntry.status));
      }),
    );
    row.append(button);
  }
  return row;
}

function watchlistPanel(viewer: Viewer): HTMLElement {
  const [section, body] = panel("Watchlist review queue", "watchlist");
  gql<{ watchlist: { items: WatchlistEntry[] } }>(WATCHLIST)
    .then(({ watchlist }) => {
      replace(body, watchlist.items.length ? h("ul", { class: "entries" }, ...watchlist.items.map((entry) => reviewRow(entry, viewer))) : h("p", { class: "empty" }, "Nothing to review."));
    })
    .catch((error: unknown) => replace(body, h("p", { class: "error" }, errorText(error))));
  return section;
}

export const riskView: View = {
  id: "risk",
  title: "Risk",
  roles: ["RISK"],
  render(root, viewer) {
    const [network, openNetwork] = networkPanel();
    root.append(
      h("div", { class: "columns" }, h("div", {}, searchPanel(openNetwork), ringsPanel(openNetwork)), h("div", {}, network, watchlistPanel(viewer))),
    );
    return () => undefined;
  },
};
