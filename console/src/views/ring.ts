// One ring drawn: the identifiers its parties share in the middle, the parties around them.
import { svg as el } from "../dom";

export interface Ring {
  id: string;
  size: number;
  score: number;
  sharedIdentifiers: { id: string; kind: string; masked: string }[];
  members: { id: string; kind: string; name: string; ref: string }[];
}

const SIZE = 130;

/** An SVG drawing of the ring; a click on a party opens its network. */
export function ringDrawing(ring: Ring, openNetwork: (partyId: string) => void): SVGSVGElement {
  const svg = el("svg", {
    viewBox: `0 0 ${SIZE} ${SIZE}`,
    class: "ring-drawing",
    width: SIZE,
    height: SIZE,
  }) as SVGSVGElement;
  const centre = SIZE / 2;
  const radius = SIZE / 2 - 14;
  const shared = ring.sharedIdentifiers.slice(0, 4);
  const hubs = shared.map((identifier, i) => ({
    identifier,
    x: centre + (shared.length > 1 ? 16 * Math.cos((2 * Math.PI * i) / shared.length) : 0),
    y: centre + (shared.length > 1 ? 16 * Math.sin((2 * Math.PI * i) / shared.length) : 0),
  }));
  const members = ring.members.map((member, i) => {
    const angle = (2 * Math.PI * i) / ring.members.length - Math.PI / 2;
    return { member, x: centre + radius * Math.cos(angle), y: centre + radius * Math.sin(angle) };
  });
  for (const { x, y } of members) {
    for (const hub of hubs)
      svg.append(el("line", { x1: hub.x, y1: hub.y, x2: x, y2: y, class: "ring-link" }));
  }
  for (const hub of hubs) {
    const square = el("rect", {
      x: hub.x - 8,
      y: hub.y - 8,
      width: 16,
      height: 16,
      class: `ring-identifier kind-${hub.identifier.kind.toLowerCase()}`,
    });
    square.append(el("title", {}, `${hub.identifier.kind} ${hub.identifier.masked}`));
    svg.append(
      square,
      el(
        "text",
        { x: hub.x, y: hub.y + 3, "text-anchor": "middle", class: "ring-label" },
        hub.identifier.kind.slice(0, 2),
      ),
    );
  }
  for (const { member, x, y } of members) {
    const dot = el("circle", { cx: x, cy: y, r: 7, class: "ring-member", "data-party-id": member.id });
    dot.append(el("title", {}, `${member.name} (${member.ref})`));
    dot.addEventListener("click", () => openNetwork(member.id));
    svg.append(dot);
  }
  return svg;
}
