// The people the household gives to, and one person with their lists, what they like and their sizes.
import { ApiError, api, getAll } from "../api.js";
import { button, empty, field, h, input, select, textarea } from "../dom.js";
import { act, handleSubmit, values } from "../forms.js";
import { personHistory } from "./history.js";

const words = (text) => (text || "").split(",").map((w) => w.trim()).filter(Boolean);

/** Sizes as pairs of fields ("shoe" / "39"), one more empty pair always at hand. */
function sizesField(sizes = {}) {
  const rows = h("div", { class: "stack" });
  const addRow = (what = "", size = "") => {
    const n = rows.children.length + 1;
    const label = (text) => (n === 1 ? text : h("span", { class: "visually-hidden" }, `${text} ${n}`));
    const row = h("div", { class: "size-row" },
      field(label("For"), input(`size-for-${n}`, { maxlength: 60, value: what, placeholder: n === 1 ? "shoe" : "", autocomplete: "off" })),
      field(label("Size"), input(`size-${n}`, { maxlength: 60, value: size, placeholder: n === 1 ? "39" : "", autocomplete: "off" })));
    rows.append(row);
    return row;
  };
  for (const [what, size] of Object.entries(sizes)) addRow(what, size);
  addRow();
  const more = button("Add another size", () => addRow().querySelector("input").focus(), { class: "small" });
  return h("fieldset", { class: "field", dataset: { field: "sizes" } }, h("legend", {}, "Sizes"),
    h("p", { class: "hint" }, "Clothes, shoes, rings: what fits them."), rows, h("div", { class: "actions" }, more));
}

/** The sizes typed in, as the API takes them; half a pair is said to be missing next to it. */
function sizesOf(form) {
  const sizes = {};
  const details = [];
  for (const row of form.querySelectorAll(".size-row")) {
    const [what, size] = [...row.querySelectorAll("input")];
    const [w, v] = [what.value.trim(), size.value.trim()];
    if (!w && !v) continue;
    if (!w) details.push({ field: what.name, problem: "What is this size for? Like shoe or shirt." });
    else if (!v) details.push({ field: size.name, problem: `Which ${w} size?` });
    else sizes[w] = v;
  }
  if (details.length) throw new ApiError(422, { code: "validation_failed", message: "Some fields need a look.", details });
  return sizes;
}

function personForm(members, person, linkedElsewhere) {
  const linkOptions = [["", "Not a member"], ...members
    .filter((m) => !linkedElsewhere.has(m.user_id) || m.user_id === person?.linked_user_id)
    .map((m) => [m.user_id, m.display_name])];
  return [
    field("Name", input("name", { required: true, maxlength: 120, value: person?.name || "", autocomplete: "off" })),
    field("Is this a member?", select("linked_user_id", linkOptions, person?.linked_user_id || ""),
      "A member sees their own wish lists, never the surprises."),
    field("Interests", input("interests", { value: (person?.interests || []).join(", "), placeholder: "lego, climbing" }),
      "Separated by commas."),
    sizesField(person?.sizes),
    field("Notes", textarea("notes", { maxlength: 4000, value: person?.notes || "" })),
  ];
}

function personBody(form) {
  const v = values(form);
  return {
    name: v.name, linked_user_id: v.linked_user_id || null, interests: words(v.interests), sizes: sizesOf(form),
    notes: v.notes || null,
  };
}

/** What the family should know when choosing: what they like, their sizes, notes. */
function about(p) {
  const sizes = Object.entries(p.sizes || {});
  if (!p.interests.length && !sizes.length && !p.notes) return null;
  return h("section", { class: "card", "aria-labelledby": "about-h" },
    h("h2", { id: "about-h" }, `About ${p.name}`),
    h("dl", { class: "facts" },
      p.interests.length ? [h("dt", {}, "Likes"),
        h("dd", {}, h("ul", { class: "chips", "aria-label": "Likes" }, p.interests.map((w) => h("li", { class: "pill" }, w))))] : null,
      sizes.length ? [h("dt", {}, "Sizes"),
        h("dd", {}, h("ul", { class: "chips", "aria-label": "Sizes" }, sizes.map(([what, size]) => h("li", { class: "pill" }, `${what}: ${size}`))))] : null,
      p.notes ? [h("dt", {}, "Notes"), h("dd", { class: "notes" }, p.notes)] : null));
}

export async function people(ctx) {
  const { session } = ctx;
  const listEl = h("ul", { class: "cards", "aria-label": "People" });
  let members = await api.get(session.hh("/members"));
  let everyone = [];

  async function load() {
    everyone = await getAll(session.hh("/people"));
    listEl.replaceChildren(...everyone.map((p) => h("li", {},
      h("a", { class: "card choice", href: `#/people/${p.id}` },
        h("strong", {}, p.name),
        p.linked_user_id ? h("span", { class: "pill" }, p.linked_user_id === session.me.id ? "you" : "member") : null,
        p.interests.length ? h("span", { class: "muted block" }, p.interests.join(", ")) : null))));
    if (!everyone.length) listEl.replaceChildren(h("li", {}, empty("No one yet. Add the people you give gifts to.")));
  }
  await load();
  ctx.onChange(["person", "member"], load);

  const canEdit = !session.isChild;
  let addForm = null;
  if (canEdit) {
    const linked = new Set(everyone.map((p) => p.linked_user_id).filter(Boolean));
    addForm = h("form", { class: "card stack", novalidate: true },
      h("h2", {}, "Add a person"), ...personForm(members, null, linked),
      h("div", { class: "actions" }, h("button", { type: "submit", class: "primary" }, "Add person")));
    handleSubmit(addForm, async () => {
      const person = await api.post(session.hh("/people"), personBody(addForm));
      ctx.toast(`${person.name} added. Start a list for them.`);
      ctx.navigate(`/people/${person.id}`);
    });
  }
  return h("section", { class: "page wide" },
    h("div", { class: "page-head" }, h("h1", {}, "People"), h("a", { class: "button small", href: "#/gifts" }, "Find a gift")),
    addForm ? h("div", { class: "split" }, h("div", { class: "main" }, listEl), h("div", { class: "side" }, addForm)) : listEl);
}

const KINDS = [["wish", "Wish list (they see what is on it)"], ["idea", "Idea list (kept from them)"]];
const VISIBILITY = [["household", "The whole household"], ["private", "Only me"]];

export async function person(ctx) {
  const { session } = ctx;
  const id = ctx.params.id;
  const [p, occasions, members] = await Promise.all([
    api.get(session.hh(`/people/${id}`)), getAll(session.hh(`/occasions?person_id=${id}`)), api.get(session.hh("/members")),
  ]);
  const isMe = p.linked_user_id === session.me.id;
  const listsEl = h("ul", { class: "cards", "aria-label": `Lists for ${p.name}` });

  let count = 0;
  async function load() {
    const lists = await getAll(session.hh(`/lists?person_id=${id}`));
    count = lists.length;
    const occasionName = Object.fromEntries(occasions.map((o) => [o.id, o.name]));
    listsEl.replaceChildren(...lists.map((l) => h("li", {},
      h("a", { class: "card choice", href: `#/lists/${l.id}` },
        h("strong", {}, l.name),
        h("span", { class: "pill" }, l.kind === "wish" ? "wish list" : "ideas"),
        l.visibility === "private" ? h("span", { class: "pill" }, "private") : null,
        l.occasion_id && occasionName[l.occasion_id] ? h("span", { class: "muted block" }, `for ${occasionName[l.occasion_id]}`) : null))));
    if (!lists.length) listsEl.replaceChildren(h("li", {}, empty("No lists yet.")));
  }
  const [, history] = await Promise.all([load(), personHistory(ctx, p)]);
  ctx.onChange(["list", "person"], load);

  const listForm = h("form", { class: "stack", novalidate: true },
    field("Name", input("name", { required: true, maxlength: 120, value: isMe ? "My wishes" : "" })),
    isMe ? null : field("Kind", select("kind", KINDS, "wish")),
    field("Who sees it", select("visibility", VISIBILITY, "household")),
    occasions.length ? field("For occasion", select("occasion_id", [["", "No particular occasion"], ...occasions.map((o) => [o.id, o.name])], "")) : null,
    h("div", { class: "actions" }, h("button", { type: "submit", class: "primary" }, "Create list")));
  handleSubmit(listForm, async () => {
    const v = values(listForm);
    const created = await api.post(session.hh("/lists"), {
      name: v.name, kind: v.kind || "wish", visibility: v.visibility, occasion_id: v.occasion_id || null, person_id: id,
    });
    ctx.navigate(`/lists/${created.id}`);
  });

  let editSection = null;
  if (!session.isChild) {
    const people = await getAll(session.hh("/people"));
    const linked = new Set(people.map((x) => x.linked_user_id).filter(Boolean));
    const editForm = h("form", { class: "stack", novalidate: true }, ...personForm(members, p, linked),
      h("div", { class: "actions" }, h("button", { type: "submit" }, "Save changes")));
    handleSubmit(editForm, async () => {
      await api.patch(session.hh(`/people/${id}`), personBody(editForm));
      ctx.toast("Saved.");
      ctx.navigate(`/people/${id}`);
    });
    const remove = button(`Remove ${p.name}`, () => {
      if (!confirm(`Remove ${p.name} with their lists and budgets?`)) return;
      act(remove, async () => { await api.del(session.hh(`/people/${id}`)); ctx.navigate("/people"); }, ctx.toast);
    }, { class: "danger" });
    editSection = h("details", { class: "card" }, h("summary", {}, `Edit ${p.name}`), editForm,
      h("div", { class: "actions spaced" }, remove));
  }

  return h("section", { class: "page wide" },
    h("p", { class: "crumbs" }, h("a", { href: "#/people" }, "People")),
    h("h1", {}, p.name),
    h("div", { class: "split" },
      h("div", { class: "main" }, about(p), h("h2", {}, "Lists"), listsEl, history),
      h("div", { class: "side" },
        // open while there is no list yet: starting one is then the thing to do here
        h("details", { class: "card", open: count === 0 }, h("summary", {}, isMe ? "Start your wish list" : `Start a list for ${p.name}`), listForm),
        editSection)));
}
