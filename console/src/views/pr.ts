// PR view: live alerts (subscription) with acknowledge, crisis cases as checklists with
// deadlines counting down, and the sentiment trend with the stories behind a spike.
import { type Connection, gql, nodesOf, subscribe } from "../api";
import { act, append, deadline, errorText, fill, h, panel, startCountdowns, when } from "../dom";
import type { View } from "../main";
import { ACKNOWLEDGE_ALERT, ALERT_RAISED, ALERTS, COMPLETE_STEP, CRISIS_CASES } from "../operations";
import { sentimentPanel } from "./sentiment";

export interface Alert {
  id: string;
  severity: string;
  status: string;
  kind: string;
  subjectId: string;
  subjectName: string | null;
  openedAt: string;
  updatedAt: string;
  explanation: { reason?: string; threshold?: number; window_minutes?: number } | null;
  windowCount: number | null;
  baselineMean: number | null;
  caseId: string | null;
}

interface Step {
  id: string;
  title: string;
  role: string;
  assignee: string | null;
  status: string;
  dueAt: string;
  completedAt: string | null;
  completedBy: string | null;
}

interface CrisisCase {
  id: string;
  title: string;
  severity: string;
  openedAt: string;
  steps: Step[];
}

function alertSummary(alert: Alert): string {
  const reason = alert.explanation?.reason ?? alert.kind.toLowerCase().replaceAll("_", " ");
  const count = alert.windowCount == null ? "" : ` · ${alert.windowCount} in window`;
  const threshold = alert.explanation?.threshold == null ? "" : ` (threshold ${alert.explanation.threshold})`;
  return `${reason}${count}${threshold} · raised ${when(alert.openedAt)}`;
}

/** What the alert list tells the rest of the view: a subject picked, an alert changed, the
 * alerts there were when the view opened. */
interface AlertEvents {
  onSubject(alert: Alert): void;
  onChange(alert: Alert): void;
  onLoaded(alerts: Alert[]): void;
}

function alertRow(alert: Alert, events: AlertEvents): HTMLLIElement {
  const row = h(
    "li",
    {
      class: `alert severity-${alert.severity.toLowerCase()}`,
      "data-alert-id": alert.id,
      "data-status": alert.status,
    },
    h("span", { class: "badge" }, alert.severity),
    h(
      "div",
      { class: "grow" },
      h(
        "button",
        { class: "link subject", title: "show the trend", onclick: () => events.onSubject(alert) },
        alert.subjectName ?? alert.subjectId,
      ),
      h("div", { class: "muted" }, alertSummary(alert)),
    ),
    h("span", { class: "status" }, alert.status.toLowerCase()),
  );
  if (alert.status === "OPEN") {
    const button = h("button", { class: "acknowledge" }, "Acknowledge");
    button.addEventListener("click", () =>
      act(button, async () => {
        const { acknowledgeAlert } = await gql<{ acknowledgeAlert: Partial<Alert> }>(ACKNOWLEDGE_ALERT, {
          id: alert.id,
        });
        const acknowledged = { ...alert, ...acknowledgeAlert };
        row.replaceWith(alertRow(acknowledged, events));
        events.onChange(acknowledged);
      }),
    );
    row.append(button);
  }
  return row;
}

function alertsPanel(events: AlertEvents): [HTMLElement, () => void] {
  const live = h("span", { class: "live", id: "alerts-live" }, "connecting…");
  const [section, body] = panel("Alerts", "alerts", live);
  const list = h("ul", { class: "alerts" });
  body.append(list);
  const show = (alert: Alert, atTop: boolean): void => {
    list.querySelector(`[data-alert-id="${CSS.escape(alert.id)}"]`)?.remove();
    const row = alertRow(alert, events);
    if (atTop) list.prepend(row);
    else list.append(row);
  };
  gql<{ alerts: Connection<Alert> }>(ALERTS, { first: 50 })
    .then(({ alerts }) => {
      const loaded = nodesOf(alerts);
      for (const alert of loaded) {
        if (!list.querySelector(`[data-alert-id="${CSS.escape(alert.id)}"]`)) show(alert, false);
      }
      events.onLoaded(loaded);
    })
    .catch((error: unknown) => append(body, h("p", { class: "error" }, errorText(error))));
  const subscription = subscribe<{ alertRaised: Alert }>(
    ALERT_RAISED,
    {},
    ({ alertRaised }) => {
      show(alertRaised, true);
      events.onChange(alertRaised);
    },
    (state) => {
      live.textContent = state;
      live.dataset.state = state;
    },
  );
  return [section, () => subscription.close()];
}

function stepItem(step: Step): HTMLLIElement {
  const done = step.status === "DONE";
  const owner = step.assignee ?? step.role;
  const item = h(
    "li",
    { class: done ? "step done" : "step", "data-step-id": step.id },
    h("span", { class: "check" }, done ? "☑" : "☐"),
    h("span", { class: "grow" }, step.title, h("span", { class: "muted" }, ` · ${owner}`)),
    done
      ? h("span", { class: "muted" }, `done ${when(step.completedAt)} by ${step.completedBy ?? "?"}`)
      : deadline(step.dueAt),
  );
  if (!done) {
    const button = h("button", { class: "complete-step" }, "Done");
    button.addEventListener("click", () =>
      act(button, async () => {
        const { completeStep } = await gql<{ completeStep: Partial<Step> }>(COMPLETE_STEP, { id: step.id });
        item.replaceWith(stepItem({ ...step, ...completeStep }));
      }),
    );
    item.append(button);
  }
  return item;
}

function caseArticle(crisis: CrisisCase): HTMLElement {
  return h(
    "article",
    { class: `case severity-${crisis.severity.toLowerCase()}`, "data-case-id": crisis.id },
    h(
      "h3",
      {},
      h("span", { class: "badge" }, crisis.severity),
      " ",
      crisis.title,
      h("span", { class: "muted" }, ` · opened ${when(crisis.openedAt)}`),
    ),
    h("ol", { class: "checklist" }, ...crisis.steps.map(stepItem)),
  );
}

/** The open cases, and a function that loads them again (an alert opened or moved one). */
function casesPanel(): [HTMLElement, () => void] {
  const [section, body] = panel("Crisis cases", "crisis-cases");
  const load = (): void =>
    fill(body, gql<{ crisisCases: CrisisCase[] }>(CRISIS_CASES), ({ crisisCases }) =>
      crisisCases.length
        ? crisisCases.map(caseArticle)
        : [h("p", { class: "empty" }, "No open crisis cases.")],
    );
  load();
  return [section, load];
}

export const prView: View = {
  id: "pr",
  title: "PR",
  roles: ["PR"],
  render(root) {
    const [sentiment, showSubject] = sentimentPanel();
    const [cases, reloadCases] = casesPanel();
    const showAlert = (alert: Alert): void =>
      showSubject(alert.subjectId, alert.subjectName ?? alert.subjectId, alert);
    const [alerts, closeAlerts] = alertsPanel({
      onSubject: showAlert,
      // On first open the trend shows the newest open alert's subject, so a spike is in view.
      onLoaded: (loaded) => {
        const first = loaded.find((alert) => alert.status === "OPEN");
        if (first) showAlert(first);
      },
      // A new or acknowledged alert may open a case or complete one of its steps (caseId is
      // not filled in on alert lists and subscription events, so reload on every change).
      onChange: () => reloadCases(),
    });
    root.append(h("div", { class: "columns" }, h("div", {}, alerts, cases), sentiment));
    const stopCountdowns = startCountdowns(root);
    return () => {
      closeAlerts();
      stopCountdowns();
    };
  },
};
