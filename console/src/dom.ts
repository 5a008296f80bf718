// A tiny element builder and the formatting every view shares.

type Child = Node | string | number | null | undefined | false;
type Attrs = Record<string, string | number | boolean | EventListener | undefined>;

/** Creates an element: attributes named on* become listeners, false/undefined are skipped. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    if (name.startsWith("on") && typeof value === "function") {
      element.addEventListener(name.slice(2), value);
    } else {
      element.setAttribute(name, value === true ? "" : String(value));
    }
  }
  append(element, ...children);
  return element;
}

export function append(parent: Element, ...children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.append(child instanceof Node ? child : String(child));
  }
}

export function replace(parent: Element, ...children: Child[]): void {
  parent.replaceChildren();
  append(parent, ...children);
}

/** A panel with a heading and a body element to fill. */
export function panel(title: string, id: string, ...tools: Child[]): [HTMLElement, HTMLElement] {
  const body = h("div", { class: "panel-body" });
  const section = h("section", { class: "panel", id }, h("header", {}, h("h2", {}, title), ...tools), body);
  return [section, body];
}

export function when(iso: string | null | undefined): string {
  if (!iso) return "—";
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString();
}

/** "3h 12m left" or "overdue 2d 4h": the countdowns tick by re-rendering data-deadline nodes. */
export function countdown(deadlineIso: string, now: number = Date.now()): string {
  const ms = new Date(deadlineIso).getTime() - now;
  const abs = Math.abs(ms);
  const days = Math.floor(abs / 86_400_000);
  const hours = Math.floor((abs % 86_400_000) / 3_600_000);
  const minutes = Math.floor((abs % 3_600_000) / 60_000);
  const seconds = Math.floor((abs % 60_000) / 1000);
  const span =
    days > 0 ? `${days}d ${hours}h` : hours > 0 ? `${hours}h ${minutes}m` : `${minutes}m ${seconds}s`;
  return ms >= 0 ? `${span} left` : `overdue ${span}`;
}

/** A span whose text counts down to ``deadlineIso``; startCountdowns keeps it current. */
export function deadline(deadlineIso: string | null | undefined): HTMLElement {
  if (!deadlineIso) return h("span", { class: "deadline" }, "no deadline");
  const span = h("span", { class: "deadline", "data-deadline": deadlineIso, title: when(deadlineIso) });
  tick(span);
  return span;
}

function tick(span: HTMLElement): void {
  const iso = span.dataset.deadline ?? "";
  span.textContent = countdown(iso);
  span.classList.toggle("overdue", new Date(iso).getTime() < Date.now());
}

/** Updates every countdown under ``root`` once a second; returns the stop function. */
export function startCountdowns(root: HTMLElement): () => void {
  const timer = window.setInterval(() => {
    root.querySelectorAll<HTMLElement>("[data-deadline]").forEach(tick);
  }, 1000);
  return () => window.clearInterval(timer);
}

export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Runs an action from a button, disabling it meanwhile and showing a failure beside it. */
export async function act(button: HTMLButtonElement, action: () => Promise<void>): Promise<void> {
  button.disabled = true;
  button.parentElement?.querySelector(".action-error")?.remove();
  try {
    await action();
  } catch (error) {
    button.disabled = false;
    button.after(h("span", { class: "action-error", role: "alert" }, errorText(error)));
  }
}

/** Shows "loading…" in ``body``, then what ``render`` makes of the answer, or the error. */
export function fill<T>(body: HTMLElement, request: Promise<T>, render: (data: T) => Child[]): void {
  replace(body, h("p", { class: "muted" }, "loading…"));
  request.then(
    (data) => replace(body, ...render(data)),
    (error: unknown) => replace(body, h("p", { class: "error", role: "alert" }, errorText(error))),
  );
}

/** Creates an SVG element with attributes and optional text. */
export function svg(tag: string, attrs: Record<string, string | number>, text?: string): SVGElement {
  const node = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, String(value));
  if (text !== undefined) node.textContent = text;
  return node;
}
