// The network panel: a party's neighbourhood drawn with cytoscape, nodes expandable by a
// tap, and the shortest path between two parties highlighted.
// Only the type: the library itself (most of the bundle) loads when a network is first opened.
import type cytoscape from "cytoscape";
import { type Connection, gql, nodesOf } from "../api";
import { errorText, h, panel, replace } from "../dom";
import { NETWORK, PATH } from "../operations";

export interface GraphNode {
  id: string;
  kind: string;
  label: string;
  fraudFlag: boolean | null;
}

export interface GraphEdge {
  source: string;
  target: string;
  kind: string;
}

export interface Subgraph {
  nodes: GraphNode[];
  edges: GraphEdge[];
  totalNodes?: number;
  hasNextPage?: boolean;
}

interface PartyPath {
  length: number;
  explanation: string;
  nodes: GraphNode[];
  hops: { source: { id: string }; target: { id: string }; relationship: string; via: GraphNode | null }[];
}

/** What `network` answers: a page of nodes with the relationships that join them. */
interface NetworkPage extends Connection<GraphNode> {
  relationships: GraphEdge[];
  totalCount: number;
}

const subgraphOf = (network: NetworkPage): Subgraph => ({
  nodes: nodesOf(network),
  edges: network.relationships,
  totalNodes: network.totalCount,
  hasNextPage: network.pageInfo?.hasNextPage ?? false,
});

const PARTY_KINDS = new Set(["CUSTOMER", "REPAIR_SHOP", "AGENT", "BROKER", "DEALER", "ADJUSTER"]);

const KIND_COLOURS: Record<string, string> = {
  CUSTOMER: "#2f6fdb",
  REPAIR_SHOP: "#d9822b",
  AGENT: "#7a4fd6",
  BROKER: "#9c59b6",
  DEALER: "#3a9e7d",
  ADJUSTER: "#607080",
  POLICY: "#9aa5b1",
  CLAIM: "#c0392b",
  COMPLAINT: "#e67e22",
  IDENTIFIER: "#16a085",
  RING: "#495057",
};

const STYLE: cytoscape.StylesheetJson = [
  {
    selector: "node",
    style: {
      label: "data(label)",
      "font-size": 10,
      "text-valign": "bottom",
      "text-margin-y": 3,
      width: 18,
      height: 18,
      "background-color": "data(colour)",
    },
  },
  {
    selector: "node.flagged",
    style: { "border-width": 3, "border-color": "#c92a2a", "border-style": "dashed" },
  },
  { selector: "node.root", style: { width: 28, height: 28, "border-width": 3, "border-color": "#111" } },
  { selector: "edge", style: { width: 1.5, "line-color": "#c5ccd6", "curve-style": "bezier" } },
  { selector: "edge.on-path", style: { label: "data(kind)", "font-size": 8, color: "#e03131" } },
  { selector: "edge.on-path", style: { "line-color": "#e03131", width: 3 } },
  { selector: "node.on-path", style: { "background-color": "#e03131" } },
  { selector: "node:selected", style: { "border-width": 3, "border-color": "#e03131" } },
];

function elements(graph: Subgraph): cytoscape.ElementDefinition[] {
  return [
    ...graph.nodes.map((node) => ({
      group: "nodes" as const,
      data: { id: node.id, label: node.label, kind: node.kind, colour: KIND_COLOURS[node.kind] ?? "#888" },
      classes: node.fraudFlag ? "flagged" : "",
    })),
    ...graph.edges.map((edge) => ({
      group: "edges" as const,
      data: {
        id: `${edge.source}|${edge.kind}|${edge.target}`,
        source: edge.source,
        target: edge.target,
        kind: edge.kind,
      },
    })),
  ];
}

/** The panel and a function that opens a party's network in it. */
export function networkPanel(): [HTMLElement, (partyId: string) => void] {
  const status = h("span", { class: "muted", id: "network-status" });
  const [section, body] = panel("Network", "network", status);
  const canvas = h("div", { id: "network-canvas", class: "network-canvas" });
  const toInput = h("input", { id: "path-to", placeholder: "to party id (or tap a node)" });
  const pathForm = h(
    "form",
    { class: "inline", id: "path-form" },
    h("label", { for: "path-to" }, "Path to"),
    toInput,
    h("button", { type: "submit" }, "Show path"),
  );
  const info = h(
    "p",
    { class: "muted", id: "network-info" },
    "Search a party and open its network. Tap a node to expand it.",
  );
  body.append(canvas, pathForm, info);
  let cy: cytoscape.Core | null = null;
  let rootId = "";

  const add = (graph: Subgraph): void => {
    if (!cy) return;
    const fresh = elements(graph).filter((element) => cy?.getElementById(String(element.data.id)).empty());
    cy.add(fresh);
    // Rings of hops around the opened party: readable at a glance, the same on every draw.
    // (cytoscape takes a collection as roots; its typings only admit selector strings.)
    cy.layout({
      name: "breadthfirst",
      roots: cy.getElementById(rootId) as unknown as string[],
      circle: true,
      spacingFactor: 1.2,
      padding: 16,
      animate: false,
    }).run();
    canvas.dataset.nodes = String(cy.nodes().length);
    const more = graph.hasNextPage ? ` (of ${graph.totalNodes ?? "more"})` : "";
    status.textContent = `${cy.nodes().length} nodes${more} · ${cy.edges().length} links`;
  };

  const expand = async (nodeId: string): Promise<void> => {
    const { network } = await gql<{ network: NetworkPage }>(NETWORK, { partyId: nodeId, depth: 1 });
    add(subgraphOf(network));
  };

  const onTap = (event: cytoscape.EventObject): void => {
    const nodeId = String(event.target.id());
    const kind = String(event.target.data("kind"));
    const label = String(event.target.data("label"));
    if (!PARTY_KINDS.has(kind)) {
      info.textContent = `${kind} ${label}`;
      return;
    }
    toInput.value = nodeId;
    info.textContent = `${kind} ${label} (${nodeId}): expanding…`;
    expand(nodeId).then(
      () => (info.textContent = `${kind} ${label} (${nodeId}) expanded.`),
      (error: unknown) => (info.textContent = errorText(error)),
    );
  };

  const open = (partyId: string): void => {
    rootId = partyId;
    status.textContent = "loading…";
    Promise.all([import("cytoscape"), gql<{ network: NetworkPage }>(NETWORK, { partyId, depth: 2 })])
      .then(([{ default: cytoscape }, { network }]) => {
        cy?.destroy();
        cy = cytoscape({ container: canvas, style: STYLE, elements: [] });
        (canvas as HTMLElement & { cy?: cytoscape.Core }).cy = cy;
        cy.on("tap", "node", onTap);
        add(subgraphOf(network));
        cy.getElementById(partyId).addClass("root");
      })
      .catch((error: unknown) => replace(info, h("span", { class: "error" }, errorText(error))));
  };

  pathForm.addEventListener("submit", (event) => {
    event.preventDefault();
    const toId = toInput.value.trim();
    if (!cy || !rootId || !toId) return;
    gql<{ path: PartyPath[] }>(PATH, { fromId: rootId, toId })
      .then(({ path }) => {
        cy?.elements().removeClass("on-path");
        const shortest = path[0];
        if (!shortest) {
          info.textContent = "No connection within four hops.";
          return;
        }
        // A hop through a shared identifier is drawn as the two HAS_ID links it stands for.
        const edges = shortest.hops.flatMap((hop) =>
          hop.via
            ? [hop.source.id, hop.target.id].map((id) => ({
                source: id,
                target: hop.via?.id ?? "",
                kind: "HAS_ID",
              }))
            : [{ source: hop.source.id, target: hop.target.id, kind: hop.relationship }],
        );
        const vias = shortest.hops.flatMap((hop) => (hop.via ? [hop.via] : []));
        add({ nodes: [...shortest.nodes, ...vias], edges });
        for (const node of shortest.nodes) cy?.getElementById(node.id).addClass("on-path");
        const onPath = new Set(
          edges.flatMap((edge) => [`${edge.source}|${edge.target}`, `${edge.target}|${edge.source}`]),
        );
        cy?.edges()
          .filter((edge) => onPath.has(`${edge.data("source")}|${edge.data("target")}`))
          .addClass("on-path");
        info.textContent = shortest.explanation;
        canvas.dataset.pathLength = String(shortest.length);
      })
      .catch((error: unknown) => (info.textContent = errorText(error)));
  });
  return [section, open];
}
