// PR view: live alerts (subscription) with acknowledge, crisis cases as checklists with
// deadlines counting down, and the sentiment trend with the stories behind a spike.
import { gql, subscribe } from "../api";
import { act, append, deadline, errorText, h, panel, replace, startCountdowns, when } from "../dom";
import type { View } from "../main";
import { ACKNOWLEDGE_ALERT, ALERT_RAISED, ALERTS, COMPLETE_STEP, CRISIS_CASES } from "../operations";
import { sentimentPanel } from "./sentiment";

export interface Alert {
  id: string;
  severity: string;
  status: string;
  subjectId: string | null;
  subjectName: string | null;
  raisedAt: string;
  acknowledgedAt: string | null;
  acknowledgedBy: string | null;
  summary: string | null;
}

interface Step {
  id: string;
  title: string;
  owner: string | null;
  deadline: string | null;
  done: boolean;
  doneAt: string | null;
  doneBy: string | null;
}

interface CrisisCase {
  id: string;
  title: string;
  status: string;
  openedAt: string;
  subjectName: string | null;
  steps: Step[];
}

function alertRow(alert: Alert, onSubject: (alert: Alert) => void): HTMLLIElement {
  const acknowledged = alert.status === "ACKNOWLEDGED" || alert.acknowledgedAt !== null;
  const row = h(
    "li",
    { class: `alert severity-${alert.severity.toLowerCase()}`, "data-alert-id": alert.id },
    h("span", { class: "badge" }, alert.severity),
    h(
      "div",
      { class: "grow" },
      h("button", { class: "link subject", title: "show the trend", onclick: () => onSubject(alert) }, alert.subjectName ?? "—"),
      h("div", { class: "muted" }, alert.summary ?? "", " · raised ", when(alert.raisedAt)),
    ),
  );
  const status = h("span", { class: "status" }, acknowledged ? `acknowledged by ${alert.acknowledgedBy ?? "?"}` : alert.status);
  row.append(status);
  if (!acknowledged) {
    const button = h("button", { class: "acknowledge" }, "Acknowledge");
    button.addEventListener("click", () =>
      act(button, async () => {
        const { acknowledgeAlert } = await gql<{ acknowledgeAlert: Alert }>(ACKNOWLEDGE_ALERT, { id: alert.id });
        row.replaceWith(alertRow({ ...alert, ...acknowledgeAlert }, onSubject));
      }),
    );
    row.append(button);
  }
  return row;
}

function alertsPanel(onSubject: (alert: Alert) => void): [HTMLElement, () => void] {
  const live = h("span", { class: "live", id: "alerts-live" }, "connecting…");
  const [section, body] = panel("Alerts", "alerts", live);
  const list = h("ul", { class: "alerts" });
  body.append(list);
  const show = (alert: Alert, atTop: boolean): void => {
    list.querySelector(`[data-alert-id="${CSS.escape(alert.id)}"]`)?.remove();
    const row = alertRow(alert, onSubject);
    if (atTop) list.prepend(row);
    else list.append(row);
  };
  gql<{ alerts: { items: Alert[] } }>(ALERTS, { first: 50 })
    .then(({ alerts }) => alerts.items.forEach((alert) => show(alert, false)))
    .catch((error: unknown) => append(body, h("p", { class: "error" }, errorText(error))));
  const subscription = subscribe<{ alertRaised: Alert }>(
    ALERT_RAISED,
    {},
    ({ alertRaised }) => show(alertRaised, true),
    (state) => {
      live.textContent = state;
      live.dataset.state = state;
    },
  );
  return [section, () => subscription.close()];
}

function stepItem(crisis: CrisisCase, step: Step): HTMLLIElement {
  const item = h(
    "li",
    { class: step.done ? "step done" : "step", "data-step-id": step.id },
    h("span", { class: "check" }, step.done ? "☑" : "☐"),
    h("span", { class: "grow" }, step.title, step.owner ? h("span", { class: "muted" }, ` · ${step.owner}`) : null),
    step.done ? h("span", { class: "muted" }, `done ${when(step.doneAt)} by ${step.doneBy ?? "?"}`) : deadline(step.deadline),
  );
  if (!step.done) {
    const button = h("button", { class: "complete-step" }, "Done");
    button.addEventListener("click", () =>
      act(button, async () => {
        const { completeStep } = await gql<{ completeStep: Partial<Step> }>(COMPLETE_STEP, {
          caseId: crisis.id,
          stepId: step.id,
        });
        item.replaceWith(stepItem(crisis, { ...step, ...completeStep, done: true }));
      }),
    );
    item.append(button);
  }
  return item;
}

function casesPanel(): HTMLElement {
  const [section, body] = panel("Crisis cases", "crisis-cases");
  body.append(h("p", { class: "muted" }, "loading…"));
  gql<{ crisisCases: CrisisCase[] }>(CRISIS_CASES)
    .then(({ crisisCases }) => {
      replace(body, crisisCases.length ? null : h("p", { class: "empty" }, "No open crisis cases."));
      for (const crisis of crisisCases) {
        body.append(
          h(
            "article",
            { class: "case", "data-case-id": crisis.id },
            h("h3", {}, crisis.title, h("span", { class: "muted" }, ` · opened ${when(crisis.openedAt)}`)),
            h("ol", { class: "checklist" }, ...crisis.steps.map((step) => stepItem(crisis, step))),
          ),
        );
      }
    })
    .catch((error: unknown) => replace(body, h("p", { class: "error" }, errorText(error))));
  return section;
}

export const prView: View = {
  id: "pr",
  title: "PR",
  roles: ["PR"],
  render(root) {
    const [sentiment, showSubject] = sentimentPanel();
    const [alerts, closeAlerts] = alertsPanel((alert) => {
      if (alert.subjectId) showSubject(alert.subjectId, alert.subjectName ?? alert.subjectId, alert.raisedAt);
    });
    root.append(h("div", { class: "columns" }, h("div", {}, alerts, casesPanel()), sentiment));
    const stopCountdowns = startCountdowns(root);
    return () => {
      closeAlerts();
      stopCountdowns();
    };
  },
};
