// Which kinds of notification also come by mail, and mails that could not be delivered.
import { h, select } from "../dom.js";
import { api } from "../api.js";
import { handleSubmit } from "../forms.js";

const KIND_LABELS = {
  reminder: "Reminders", occasion: "Occasions coming up", claim: "Claims on lists I hear of", comment: "Comments",
};
const MODES = [["now", "Mail me at once"], ["off", "No mail"]];

export async function mailPreferencesForm(ctx) {
  const path = ctx.session.hh("/notifications/mail");
  let mail;
  try {
    mail = await api.get(path);
  } catch {
    return null; // notifications unavailable just now: the page works without this
  }
  const form = h("form", { class: "stack", novalidate: true },
    Object.entries(mail.kinds).map(([kind, mode]) => h("div", { class: "field", dataset: { field: `kinds.${kind}` } },
      h("label", { for: `mail-${kind}` }, KIND_LABELS[kind] || kind),
      select(`mail-${kind}`, MODES, mode, { id: `mail-${kind}`, dataset: { kind } }))),
    mail.address_known ? null : h("p", { class: "muted" }, "We do not know your mail address in this household yet."),
    h("div", { class: "actions" }, h("button", { type: "submit", class: "small" }, "Save")));
  handleSubmit(form, async () => {
    const kinds = Object.fromEntries([...form.querySelectorAll("select")].map((s) => [s.dataset.kind, s.value]));
    await api.put(path, { kinds });
    ctx.toast("Saved.");
  });
  const failed = mail.failed.length ? h("div", { class: "stack" },
    h("h3", {}, "Mails that could not be delivered"),
    h("ul", {}, mail.failed.map((f) => h("li", {}, `${f.subject}: ${f.reason || "refused"}`)))) : null;
  return h("details", { class: "card", dataset: { testid: "mail-preferences" } },
    h("summary", {}, "What to mail me"), form, failed);
}
