// The console shell: sign-in with an API key, then the views the key's role may see.
import "./style.css";
import { gql, session, SignedOut } from "./api";
import { errorText, h, replace } from "./dom";
import { VIEWER } from "./operations";
import { claimsQueue } from "./views/claims";
import { complaintDesk } from "./views/complaints";
import { frontDesk } from "./views/frontline";
import { managementView } from "./views/management";
import { prView } from "./views/pr";
import { riskView } from "./views/risk";

export interface Viewer {
  name: string;
  role: string;
}

/** A view renders into ``root`` and returns a function that stops its timers and sockets. */
export interface View {
  id: string;
  title: string;
  roles: string[];
  render(root: HTMLElement, viewer: Viewer): () => void;
}

const VIEWS: View[] = [prView, riskView, complaintDesk, frontDesk, claimsQueue, managementView];
const app = document.getElementById("app") as HTMLElement;
let stopView: (() => void) | null = null;

function allowedViews(viewer: Viewer): View[] {
  return VIEWS.filter((view) => viewer.role === "ADMIN" || view.roles.includes(viewer.role));
}

function showSignIn(message = ""): void {
  stopView?.();
  stopView = null;
  const input = h("input", {
    id: "api-key",
    type: "password",
    autocomplete: "off",
    placeholder: "rw_…",
    required: true,
  });
  const error = h("p", { class: "error", role: "alert" }, message);
  const form = h(
    "form",
    { id: "sign-in", class: "sign-in" },
    h("h1", {}, "riskwatch console"),
    h("label", { for: "api-key" }, "API key"),
    input,
    h("button", { type: "submit" }, "Sign in"),
    error,
    h("p", { class: "hint" }, "The key is kept in this browser tab only."),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    session.signIn(input.value.trim());
    void start().catch((failure: unknown) => {
      session.signOut();
      showSignIn(errorText(failure));
    });
  });
  replace(app, form);
  input.focus();
}

function showShell(viewer: Viewer): void {
  const views = allowedViews(viewer);
  const main = h("main", { id: "view" });
  const nav = h("nav", {});
  const signOut = h("button", { id: "sign-out", class: "quiet" }, "Sign out");
  signOut.addEventListener("click", () => {
    session.signOut();
    location.hash = "";
    showSignIn();
  });
  const header = h(
    "header",
    { class: "top" },
    h("strong", {}, "riskwatch"),
    nav,
    h("span", { class: "who", id: "viewer" }, `${viewer.name} · ${viewer.role}`),
    signOut,
  );
  replace(app, header, main);

  const open = (): void => {
    const wanted = location.hash.slice(1);
    const view = views.find((candidate) => candidate.id === wanted) ?? views[0];
    stopView?.();
    stopView = null;
    nav.querySelectorAll("a").forEach((link) => {
      link.classList.toggle("active", link.getAttribute("href") === `#${view?.id}`);
    });
    if (!view) {
      replace(main, h("p", { class: "empty" }, `The ${viewer.role} role has no console views.`));
      return;
    }
    main.replaceChildren();
    main.dataset.view = view.id;
    stopView = view.render(main, viewer);
  };
  for (const view of views) nav.append(h("a", { href: `#${view.id}`, id: `nav-${view.id}` }, view.title));
  window.onhashchange = open;
  open();
}

async function start(): Promise<void> {
  const { viewer } = await gql<{ viewer: Viewer }>(VIEWER);
  showShell(viewer);
}

window.addEventListener("unhandledrejection", (event) => {
  if (event.reason instanceof SignedOut) showSignIn(event.reason.message);
});

if (session.key()) {
  start().catch((failure: unknown) => showSignIn(errorText(failure)));
} else {
  showSignIn();
}
