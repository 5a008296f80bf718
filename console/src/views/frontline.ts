// Front desk (frontline and claims staff): check whether a caller needs special attention
// (by customer number, phone, ID number or plate; masked answers), find the handling guide
// for what the customer said, and record a grievance or suggestion; own notes with their
// status, and a grievance turned into a complaint.
import { gql } from "../api";
import { act, errorText, fill, h, panel, replace, when } from "../dom";
import type { View } from "../main";
import {
  ATTENTION_FLAG,
  CONVERT_GRIEVANCE,
  MY_FEEDBACK,
  SUBMIT_FEEDBACK,
  SUGGEST_GUIDES,
} from "../operations";

interface AttentionMatch {
  partyId: string;
  kind: string;
  maskedName: string;
  maskedIdNumber: string | null;
  maskedPhone: string | null;
  matchedOn: string[];
  flagged: boolean;
  reasons: { code: string; text: string }[];
}

interface GuideSuggestion {
  guide: { key: string; title: string; category: string; script: string };
  score: number;
  matchedKeywords: string[];
  fallback: boolean;
  why: string;
}

interface Feedback {
  id: string;
  kind: string;
  text: string;
  at: string;
  category: string | null;
  reviewStatus: string | null;
  complaintNo: string | null;
  about: { id: string }[];
}

type ConvertResult =
  | { __typename: "ConvertedGrievance"; filed: { complaint: { complaintNo: string; dueAt: string } } }
  | { __typename: string; message: string };

const LOOKUPS: [string, string][] = [
  ["customerId", "Customer no."],
  ["phone", "Phone"],
  ["idNumber", "ID number"],
  ["plate", "Plate"],
];
const CATEGORIES = ["", "CLAIMS", "UNDERWRITING", "SALES", "SERVICE", "OTHER"];

function select(id: string, options: [string, string][]): HTMLSelectElement {
  return h("select", { id }, ...options.map(([value, label]) => h("option", { value }, label)));
}

function languagePicker(id: string): HTMLSelectElement {
  return select(id, [
    ["ZH", "中文"],
    ["EN", "English"],
  ]);
}

function matchItem(match: AttentionMatch): HTMLLIElement {
  const masked = [match.maskedPhone, match.maskedIdNumber].filter(Boolean).join(" · ");
  return h(
    "li",
    { class: match.flagged ? "attention flagged" : "attention", "data-party-id": match.partyId },
    h("span", { class: "badge" }, match.flagged ? "ATTENTION" : "no flag"),
    h(
      "div",
      { class: "grow" },
      h("strong", {}, match.maskedName),
      h("span", { class: "muted" }, ` ${match.kind} · ${masked} · matched on ${match.matchedOn.join(", ")}`),
      ...match.reasons.map((reason) => h("div", { class: "reason", "data-code": reason.code }, reason.text)),
    ),
  );
}

function attentionPanel(): HTMLElement {
  const by = select("attention-by", LOOKUPS);
  const value = h("input", { id: "attention-value", placeholder: "13800138000, 粤B12345…", required: true });
  const language = languagePicker("attention-language");
  const result = h("ul", { id: "attention-result" });
  const form = h(
    "form",
    { class: "inline", id: "attention-form" },
    by,
    value,
    language,
    h("button", { type: "submit" }, "Check"),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    replace(result, h("li", { class: "muted" }, "checking…"));
    const variables = { [by.value]: value.value.trim(), language: language.value };
    gql<{ attentionFlag: { matches: AttentionMatch[] } }>(ATTENTION_FLAG, variables)
      .then(({ attentionFlag }) => replace(result, ...attentionFlag.matches.map(matchItem)))
      .catch((error: unknown) =>
        replace(result, h("li", { class: "error", role: "alert" }, errorText(error))),
      );
  });
  const [section, body] = panel("Does this caller need special attention?", "attention");
  body.append(form, result);
  return section;
}

function guideItem(suggestion: GuideSuggestion): HTMLLIElement {
  return h(
    "li",
    { class: "guide", "data-guide-key": suggestion.guide.key },
    h("span", { class: "kind" }, suggestion.guide.category),
    h(
      "div",
      { class: "grow" },
      h("strong", {}, suggestion.guide.title),
      h("div", { class: "muted why" }, suggestion.why),
      h("div", { class: "script" }, suggestion.guide.script),
    ),
  );
}

function guidesPanel(): HTMLElement {
  const said = h("textarea", {
    id: "guide-text",
    rows: 3,
    placeholder: "What the customer said…",
    required: true,
  });
  const category = select(
    "guide-category",
    CATEGORIES.map((value) => [value, value || "any category"]),
  );
  const language = languagePicker("guide-language");
  const result = h("ul", { id: "guide-result" });
  const form = h(
    "form",
    { id: "guide-form", class: "stacked" },
    said,
    h("div", { class: "inline" }, category, language, h("button", { type: "submit" }, "Suggest guides")),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const variables = {
      text: said.value,
      category: category.value || null,
      language: language.value,
    };
    fill(result, gql<{ suggestHandlingGuides: GuideSuggestion[] }>(SUGGEST_GUIDES, variables), (data) =>
      data.suggestHandlingGuides.length
        ? data.suggestHandlingGuides.map(guideItem)
        : [h("li", { class: "empty" }, "No guide fits; record it as a grievance below.")],
    );
  });
  const [section, body] = panel("Handling guides for what the customer said", "guides");
  body.append(form, result);
  return section;
}

function noteItem(note: Feedback, reload: () => void): HTMLLIElement {
  const status = note.complaintNo
    ? `complaint ${note.complaintNo}`
    : (note.reviewStatus ?? (note.kind === "GRIEVANCE" ? "not converted" : ""));
  const item = h(
    "li",
    { class: "note", "data-feedback-id": note.id, "data-kind": note.kind },
    h("span", { class: "kind" }, note.kind),
    h(
      "div",
      { class: "grow" },
      h("div", {}, note.text),
      h(
        "div",
        { class: "muted" },
        `${when(note.at)} · ${note.about.map((a) => a.id).join(", ") || "general"}`,
      ),
    ),
    h("span", { class: "status" }, status),
  );
  if (note.kind === "GRIEVANCE" && !note.complaintNo) {
    const convert = h("button", { class: "convert" }, "Make it a complaint");
    convert.addEventListener("click", () => {
      void act(convert, async () => {
        const { convertGrievance } = await gql<{ convertGrievance: ConvertResult }>(CONVERT_GRIEVANCE, {
          id: note.id,
        });
        if ("message" in convertGrievance) throw new Error(convertGrievance.message);
        reload();
      });
    });
    item.append(convert);
  }
  return item;
}

function notesPanel(): HTMLElement {
  const kind = select("note-kind", [
    ["GRIEVANCE", "Grievance (customer not satisfied)"],
    ["SUGGESTION", "Suggestion"],
    ["OBSERVATION", "Observation"],
  ]);
  const text = h("textarea", {
    id: "note-text",
    rows: 3,
    placeholder: "What happened, or your idea…",
    required: true,
  });
  const customer = h("input", { id: "note-customer", placeholder: "customer no. (optional)" });
  const claim = h("input", { id: "note-claim", placeholder: "claim no. (optional)" });
  const category = select(
    "note-category",
    CATEGORIES.map((value) => [value, value || "category (optional)"]),
  );
  const outcome = h("p", { id: "note-outcome", class: "muted", role: "status" });
  const mine = h("ul", { id: "my-notes" });
  const reload = (): void =>
    fill(mine, gql<{ frontlineFeedback: { edges: { node: Feedback }[] } }>(MY_FEEDBACK), (data) =>
      data.frontlineFeedback.edges.length
        ? data.frontlineFeedback.edges.map((edge) => noteItem(edge.node, reload))
        : [h("li", { class: "empty" }, "Nothing recorded yet.")],
    );
  const submit = h("button", { type: "submit" }, "Record");
  const form = h(
    "form",
    { id: "note-form", class: "stacked" },
    h("div", { class: "inline" }, kind, category),
    text,
    h("div", { class: "inline" }, customer, claim, submit),
    outcome,
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const list = (input: HTMLInputElement): string[] => (input.value.trim() ? [input.value.trim()] : []);
    void act(submit, async () => {
      const { submitFrontlineFeedback } = await gql<{ submitFrontlineFeedback: Feedback }>(SUBMIT_FEEDBACK, {
        kind: kind.value,
        text: text.value,
        customerNos: list(customer),
        claimNos: list(claim),
        category: category.value || null,
      });
      submit.disabled = false;
      text.value = "";
      outcome.textContent = `Recorded ${submitFrontlineFeedback.kind.toLowerCase()}.`;
      reload();
    });
  });
  const [section, body] = panel("Record a grievance or suggestion", "notes");
  body.append(form, h("h3", {}, "My notes"), mine);
  reload();
  return section;
}

export const frontDesk: View = {
  id: "frontline",
  title: "Front desk",
  roles: ["FRONTLINE", "CLAIMS"],
  render(root) {
    root.append(
      h(
        "div",
        { class: "columns" },
        h("div", {}, attentionPanel(), guidesPanel()),
        h("div", {}, notesPanel()),
      ),
    );
    return () => undefined;
  },
};
