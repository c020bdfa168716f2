// Which notifications a member wants: by kind, and lists they hear nothing about.
import { api } from "../api.js";
import { button, checkbox, h } from "../dom.js";
import { act, handleSubmit } from "../forms.js";

const KIND_LABELS = {
  gift: "Gifts added or changed", list: "Lists", claim: "Claims and pledges", comment: "Comments",
  occasion: "Occasions", task: "Tasks", reminder: "Reminders", exchange: "Gift exchanges",
  history: "Gift history (gifts received, occasions over, my gifts revealed)",
};

const prefsPath = (session) => session.hh("/notifications/preferences");

export async function preferencesForm(ctx) {
  const prefs = await api.get(prefsPath(ctx.session));
  const form = h("form", { class: "stack", novalidate: true },
    h("fieldset", { class: "field", dataset: { field: "kinds" } }, h("legend", {}, "Tell me about"),
      Object.entries(prefs.kinds).map(([kind, on]) => checkbox(`kind-${kind}`, KIND_LABELS[kind] || kind, on, { value: kind }))),
    prefs.muted_list_ids.length ? h("p", { class: "muted" }, `${prefs.muted_list_ids.length} list(s) muted; unmute them on the list.`) : null,
    h("div", { class: "actions" }, h("button", { type: "submit", class: "small" }, "Save")));
  handleSubmit(form, async () => {
    const kinds = Object.fromEntries([...form.querySelectorAll("fieldset input[type=checkbox]")].map((b) => [b.value, b.checked]));
    await api.put(prefsPath(ctx.session), { kinds, muted_list_ids: prefs.muted_list_ids });
    ctx.toast("Saved.");
  });
  return h("details", { class: "card" }, h("summary", {}, "What to tell me"), form);
}

/** "Mute this list" / "Unmute this list", for the list page. */
export async function muteButton(ctx, listId) {
  let prefs;
  try {
    prefs = await api.get(prefsPath(ctx.session));
  } catch {
    return null; // notifications unavailable just now: the list works without this
  }
  const label = () => (prefs.muted_list_ids.includes(listId) ? "Unmute this list" : "Mute this list");
  const toggle = button(label(), () => act(toggle, async () => {
    const muted = prefs.muted_list_ids.includes(listId)
      ? prefs.muted_list_ids.filter((id) => id !== listId) : [...prefs.muted_list_ids, listId];
    prefs = await api.put(prefsPath(ctx.session), { kinds: prefs.kinds, muted_list_ids: muted });
    toggle.textContent = label();
    ctx.toast(muted.includes(listId) ? "You will hear nothing about this list." : "You will hear about this list again.");
  }, ctx.toast), { class: "small" });
  return toggle;
}
