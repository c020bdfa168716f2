// Occasions, the next one first; add one for some of the people.
import { api, getAll } from "../api.js";
import { button, checkbox, empty, field, formatDate, h, input, newestWins, replaceKeepingFocus, select, textarea, whenText } from "../dom.js";
import { act, handleSubmit, values } from "../forms.js";
import { calendarFeeds } from "./calendar.js";

const KINDS = [["birthday", "Birthday"], ["christmas", "Christmas"], ["anniversary", "Anniversary"], ["other", "Other"]];

/** Upcoming first (by the next time they come), then those that have passed, latest first. */
export function upcomingFirst(occasions) {
  const next = occasions.filter((o) => o.next_date).sort((a, b) => a.next_date.localeCompare(b.next_date));
  const past = occasions.filter((o) => !o.next_date).sort((a, b) => b.date.localeCompare(a.date));
  return [...next, ...past];
}

function occasionFields(people, o = null) {
  return [
    field("Name", input("name", { required: true, maxlength: 120, placeholder: "Grandma's birthday", value: o?.name || "" })),
    h("div", { class: "two" }, field("Kind", select("kind", KINDS, o?.kind || "birthday")),
      field("Date", input("date", { type: "date", required: true, value: o?.date || "" }))),
    checkbox("recurs_yearly", "Comes back every year", o ? o.recurs_yearly : true),
    people.length ? h("fieldset", { class: "field", dataset: { field: "person_ids" } }, h("legend", {}, "For whom"),
      people.map((p) => checkbox("person_ids", p.name, Boolean(o?.person_ids.includes(p.id)), { value: p.id }))) : null,
    field("Notes", textarea("notes", { maxlength: 4000, value: o?.notes || "" })),
  ];
}

function occasionBody(form) {
  const v = values(form);
  return {
    name: v.name, kind: v.kind, date: v.date, notes: v.notes || null, recurs_yearly: form.elements.recurs_yearly.checked,
    person_ids: [...form.querySelectorAll("input[name=person_ids]:checked")].map((b) => b.value),
  };
}

export async function occasions(ctx) {
  const { session } = ctx;
  const listEl = h("ul", { class: "cards", "aria-label": "Occasions" });
  const people = await getAll(session.hh("/people"));
  const personName = Object.fromEntries(people.map((p) => [p.id, p.name]));

  const ticket = newestWins();
  async function load() {
    const newest = ticket();
    const all = upcomingFirst(await getAll(session.hh("/occasions")));
    if (!newest()) return;
    replaceKeepingFocus(listEl, all.map((o) => {
      const remove = session.isChild ? null : button("Remove", () => {
        if (!confirm(`Remove ${o.name}? Its lists stay.`)) return;
        act(remove, async () => { await api.del(session.hh(`/occasions/${o.id}`)); await load(); }, ctx.toast);
      }, { class: "small link", "aria-label": `Remove ${o.name}` });
      return h("li", { class: `card occasion ${o.next_date ? "" : "past"}`, dataset: { key: o.id } },
        h("div", { class: "row" },
          h("div", { class: "grow" },
            h("strong", {}, o.name),
            h("span", { class: "muted block" }, o.next_date ? `${formatDate(o.next_date)} · ${whenText(o.next_date)}` : `was ${formatDate(o.date)}`,
              o.recurs_yearly ? " · every year" : "")),
          h("span", { class: "pill" }, o.kind)),
        o.person_ids.length ? h("p", { class: "muted" }, `For ${o.person_ids.map((id) => personName[id] || "someone").join(", ")}`) : null,
        session.isChild ? null : editOccasion(o, remove));
    }));
    if (!all.length) listEl.replaceChildren(h("li", {}, empty("No occasions yet: add birthdays, Christmas, anniversaries.")));
  }
  function editOccasion(o, remove) {
    const form = h("form", { class: "stack", novalidate: true }, ...occasionFields(people, o),
      h("div", { class: "actions" }, h("button", { type: "submit", class: "small" }, "Save")));
    handleSubmit(form, async () => {
      await api.patch(session.hh(`/occasions/${o.id}`), occasionBody(form));
      ctx.toast("Saved.");
      await load();
    });
    return h("details", { class: "item-edit" }, h("summary", {}, "Change"), form, h("div", { class: "actions" }, remove));
  }

  await load();
  ctx.onChange(["occasion", "person"], () => { if (!listEl.querySelector("form.dirty")) load(); });

  let form = null;
  if (!session.isChild) {
    form = h("form", { class: "card stack", novalidate: true },
      h("h2", {}, "Add an occasion"), ...occasionFields(people),
      h("div", { class: "actions" }, h("button", { type: "submit", class: "primary" }, "Add occasion")));
    handleSubmit(form, async () => {
      await api.post(session.hh("/occasions"), occasionBody(form));
      form.reset();
      form.classList.remove("dirty");
      ctx.toast("Occasion added.");
      await load();
    });
  }
  const feeds = await calendarFeeds(ctx);
  return h("section", { class: "page wide" },
    h("div", { class: "page-head" }, h("h1", {}, "Occasions"), h("a", { href: "#/exchanges", class: "button small" }, "Gift exchanges")),
    h("div", { class: "split" }, h("div", { class: "main" }, listEl), h("div", { class: "side stack" }, form, feeds)));
}
