// Which kinds of notification also come by mail, how often, when the digests come, and mails that
// could not be delivered.
import { h, select } from "../dom.js";
import { api } from "../api.js";
import { handleSubmit } from "../forms.js";

const KIND_LABELS = {
  reminder: "Reminders",
  occasion: "Occasions coming up",
  claim: "Claims on lists I hear of",
  comment: "Comments",
  history: "Gift history (gifts received, occasions over, my gifts revealed)",
  upcoming: "The week ahead (occasions, gifts still needed, my claims and tasks)",
};
const MODES = [
  ["now", "Mail me at once"],
  ["daily", "In a daily digest"],
  ["weekly", "In a weekly digest"],
  ["off", "No mail"],
];
// a summary is never sent "at once": it is read when its digest is made
const SUMMARIES = new Set(["upcoming"]);
const WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];
const HOURS = Array.from({ length: 24 }, (_, hour) => [String(hour), `${String(hour).padStart(2, "0")}:00`]);

/** @param {string} day */
const titled = (day) => day[0].toUpperCase() + day.slice(1);

export async function mailPreferencesForm(ctx) {
  const path = ctx.session.hh("/notifications/mail");
  let mail;
  try {
    mail = await api.get(path);
  } catch {
    return null; // notifications unavailable just now: the page works without this
  }
  const kinds = Object.entries(mail.kinds).map(([kind, mode]) => h("div", { class: "field", dataset: { field: `kinds.${kind}` } },
    h("label", { for: `mail-${kind}` }, KIND_LABELS[kind] || kind),
    select(`mail-${kind}`, MODES.filter(([m]) => m !== "now" || !SUMMARIES.has(kind)), mode, { id: `mail-${kind}`, dataset: { kind } })));
  const when = h("fieldset", { class: "stack" },
    h("legend", {}, "When digests come (on the household's clock)"),
    h("div", { class: "field", dataset: { field: "digest_hour" } },
      h("label", { for: "mail-digest-hour" }, "Time"),
      select("digest_hour", HOURS, String(mail.digest_hour), { id: "mail-digest-hour" })),
    h("div", { class: "field", dataset: { field: "digest_weekday" } },
      h("label", { for: "mail-digest-weekday" }, "Weekly digest on"),
      select("digest_weekday", WEEKDAYS.map((d) => [d, titled(d)]), mail.digest_weekday, { id: "mail-digest-weekday" })));
  const form = h("form", { class: "stack", novalidate: true },
    kinds,
    when,
    mail.address_known ? null : h("p", { class: "muted" }, "We do not know your mail address in this household yet."),
    h("div", { class: "actions" }, h("button", { type: "submit", class: "small" }, "Save")));
  handleSubmit(form, async () => {
    const chosen = Object.fromEntries([...form.querySelectorAll("select[data-kind]")].map((s) => [s.dataset.kind, s.value]));
    const hour = /** @type {HTMLSelectElement} */ (form.querySelector("#mail-digest-hour")).value;
    const weekday = /** @type {HTMLSelectElement} */ (form.querySelector("#mail-digest-weekday")).value;
    await api.put(path, { kinds: chosen, digest_hour: Number(hour), digest_weekday: weekday });
    ctx.toast("Saved.");
  });
  const failed = mail.failed.length ? h("div", { class: "stack" },
    h("h3", {}, "Mails that could not be delivered"),
    h("ul", {}, mail.failed.map((f) => h("li", {}, `${f.subject}: ${f.reason || "refused"}`)))) : null;
  return h("details", { class: "card", dataset: { testid: "mail-preferences" } },
    h("summary", {}, "What to mail me"), form, failed);
}
