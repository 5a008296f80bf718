// One ring drawn as a star: the shared identifier in the middle, its parties around it.

export interface Ring {
  id: string;
  identifierKind: string;
  identifierMasked: string;
  members: { id: string; kind: string; name: string }[];
}

const SVG = "http://www.w3.org/2000/svg";
const SIZE = 120;

function el(tag: string, attrs: Record<string, string | number>, text?: string): SVGElement {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, String(value));
  if (text !== undefined) node.textContent = text;
  return node;
}

/** An SVG star of the ring; a click on a member opens that party's network. */
export function ringDrawing(ring: Ring, openNetwork: (partyId: string) => void): SVGSVGElement {
  const svg = el("svg", { viewBox: `0 0 ${SIZE} ${SIZE}`, class: "ring-drawing", width: SIZE, height: SIZE }) as SVGSVGElement;
  const centre = SIZE / 2;
  const radius = SIZE / 2 - 16;
  ring.members.forEach((member, i) => {
    const angle = (2 * Math.PI * i) / ring.members.length - Math.PI / 2;
    const x = centre + radius * Math.cos(angle);
    const y = centre + radius * Math.sin(angle);
    svg.append(el("line", { x1: centre, y1: centre, x2: x, y2: y, class: "ring-link" }));
    const dot = el("circle", { cx: x, cy: y, r: 7, class: "ring-member", "data-party-id": member.id });
    dot.append(el("title", {}, `${member.name} (${member.id})`));
    dot.addEventListener("click", () => openNetwork(member.id));
    svg.append(dot);
  });
  svg.append(el("rect", { x: centre - 9, y: centre - 9, width: 18, height: 18, class: "ring-identifier" }));
  svg.append(el("text", { x: centre, y: centre + 4, "text-anchor": "middle", class: "ring-label" }, ring.identifierKind.slice(0, 2)));
  return svg;
}
