// Gift exchanges (Secret Santa): set one up for an occasion among some of the family's people, with a
// price range, a day and exclusions; draw names; see your own pick (one tap to their wish list). The
// organizer sees who has started shopping, never whom anyone drew, except for the people who are not
// members, whose picks they hold.
import { api, getAll } from "../api.js";
import { button, checkbox, empty, field, formatDate, h, input, money, newestWins, replaceKeepingFocus, select, whenText } from "../dom.js";
import { act, handleSubmit, values } from "../forms.js";

function priceText(x) {
  if (x.price_min && x.price_max) return `${money(x.price_min, x.currency)} – ${money(x.price_max, x.currency)}`;
  if (x.price_max) return `up to ${money(x.price_max, x.currency)}`;
  if (x.price_min) return `from ${money(x.price_min, x.currency)}`;
  return "";
}

/** A pick as its giver reads it, with the way to the receiver's wish list. */
export function pickRow(p) {
  const who = p.as_proxy ? `${p.giver_name} gives to ` : "You give to ";
  const list = p.wish_list_ids[0];
  return h("li", { class: "row pick", dataset: { key: `${p.giver_person_id}` } },
    h("span", { class: "grow" }, who, h("strong", {}, p.receiver_name)),
    list ? h("a", { class: "button small", href: `#/lists/${list}` }, `${p.receiver_name}'s wish list`)
      : h("span", { class: "muted" }, "No wish list yet"));
}

/** The exclusions being put together in a form: pairs, each one way or both ways. */
function exclusionsEditor(people, initial = []) {
  const pairs = initial.map((x) => ({ ...x, both_ways: false }));
  const nameOf = Object.fromEntries(people.map((p) => [p.id, p.name]));
  const options = people.map((p) => [p.id, p.name]);
  const giver = select("exclusions", options, options[0]?.[0]);
  const receiver = select("exclusion_receiver", options, options[1]?.[0]);
  const both = checkbox("exclusion_both", "Both ways (e.g. partners)", true);
  const listEl = h("ul", { class: "rows", "aria-label": "Exclusions" });
  function draw() {
    listEl.replaceChildren(...pairs.map((x, i) => h("li", { class: "row" },
      h("span", { class: "grow" }, `${nameOf[x.giver_person_id] || "someone"} ${x.both_ways ? "and" : "never draws"} ${nameOf[x.receiver_person_id] || "someone"}${x.both_ways ? " never draw each other" : ""}`),
      button("Remove", () => { pairs.splice(i, 1); draw(); }, { class: "small link", "aria-label": `Remove the exclusion ${i + 1}` }))));
  }
  const add = button("Add exclusion", () => {
    pairs.push({ giver_person_id: giver.value, receiver_person_id: receiver.value, both_ways: both.querySelector("input").checked });
    draw();
  }, { class: "small" });
  draw();
  return {
    el: h("fieldset", { class: "field exclusions" }, h("legend", {}, "Who must not draw whom"),
      h("div", { class: "two even" }, field("This person", giver), field("never draws", receiver)), both, h("div", { class: "actions" }, add), listEl),
    pairs: () => pairs.map((x) => ({ ...x })),
    clear: () => { pairs.splice(0); draw(); },
  };
}

function peopleBoxes(people, chosen = []) {
  return h("fieldset", { class: "field", dataset: { field: "person_ids" } }, h("legend", {}, "Who takes part"),
    people.map((p) => checkbox("person_ids", p.linked_user_id ? p.name : `${p.name} (not a member: you see their pick)`, chosen.includes(p.id), { value: p.id })));
}

function chosenPeople(form) {
  return [...form.querySelectorAll("input[name=person_ids]:checked")].map((b) => b.value);
}

function priceFields(x = {}) {
  return h("div", { class: "stack" },
    h("div", { class: "two even" },
      field("Price from", input("price_min", { inputmode: "decimal", value: x.price_min ?? "", placeholder: "10" })),
      field("up to", input("price_max", { inputmode: "decimal", value: x.price_max ?? "", placeholder: "25" }))),
    field("Currency", input("currency", { maxlength: 3, value: x.currency || "", placeholder: "EUR" })));
}

function priceBody(v) {
  return { price_min: v.price_min ?? null, price_max: v.price_max ?? null, currency: v.currency ?? null };
}

export async function exchanges(ctx) {
  const { session } = ctx;
  const listEl = h("ul", { class: "cards", "aria-label": "Gift exchanges" });
  const [people, occasions] = await Promise.all([getAll(session.hh("/people")), getAll(session.hh("/occasions"))]);
  const nameOf = Object.fromEntries(people.map((p) => [p.id, p.name]));
  const occasionName = Object.fromEntries(occasions.map((o) => [o.id, o.name]));

  const ticket = newestWins();
  async function load() {
    const newest = ticket();
    const all = await api.get(session.hh("/exchanges"));
    if (!newest()) return;
    replaceKeepingFocus(listEl, all.map((x) => card(x)));
    if (!all.length) listEl.replaceChildren(h("li", {}, empty("No gift exchanges yet: start one for Christmas below.")));
  }

  function card(x) {
    const organizer = x.organizer_id === session.me.id;
    const drawBtn = organizer && x.open ? button(x.drawn_at ? "Draw again" : "Draw names", () => {
      if (x.drawn_at && !confirm("Draw again? Everyone gets a new pick and is told so.")) return;
      act(drawBtn, async () => {
        await api.post(session.hh(`/exchanges/${x.id}/draw`));
        ctx.toast("Names drawn: everyone has been told their own pick.");
        await load();
      }, ctx.toast);
    }, { class: "primary small" }) : null;
    const state = x.drawn_at ? (x.draw_round > 1 ? `Drawn ${x.draw_round} times` : "Names drawn") : "Not drawn yet";
    return h("li", { class: "card exchange", dataset: { key: x.id } },
      h("div", { class: "row" },
        h("div", { class: "grow" },
          h("h2", {}, x.name),
          h("span", { class: "muted block" }, `${occasionName[x.occasion_id] || "An occasion"} · exchanged ${formatDate(x.deadline)}, ${whenText(x.deadline)}`)),
        h("span", { class: `pill ${x.drawn_at ? "ok" : "warn"}` }, state)),
      priceText(x) ? h("p", {}, `Price range: ${priceText(x)}`) : null,
      h("p", { class: "muted" }, `Taking part: ${x.person_ids.map((id) => nameOf[id] || "someone").join(", ")}`),
      x.my_picks.length ? h("section", { "aria-label": `My pick in ${x.name}` },
        h("h3", {}, x.my_picks.length > 1 ? "Picks you hold" : "My pick"),
        h("ul", { class: "rows" }, x.my_picks.map(pickRow))) : null,
      x.progress ? h("section", { "aria-label": `Who has started shopping in ${x.name}` },
        h("h3", {}, "Who has started shopping"),
        h("ul", { class: "rows" }, x.progress.map((p) => h("li", { class: "row" },
          h("span", { class: "grow" }, nameOf[p.giver_person_id] || "someone"),
          h("span", { class: `pill ${p.started ? "ok" : ""}` }, p.started ? "started" : "not yet"))))) : null,
      drawBtn ? h("div", { class: "actions" }, drawBtn) : null,
      organizer && x.open ? change(x) : null);
  }

  function change(x) {
    const exclusions = exclusionsEditor(people, x.exclusions);
    const form = h("form", { class: "stack", novalidate: true },
      field("Name", input("name", { required: true, maxlength: 120, value: x.name })),
      field("The day gifts are exchanged", input("deadline", { type: "date", required: true, value: x.deadline })),
      priceFields(x), peopleBoxes(people, x.person_ids), exclusions.el,
      x.drawn_at ? h("p", { class: "hint" }, "Changing who takes part or the exclusions means drawing again.") : null,
      h("div", { class: "actions" }, h("button", { type: "submit", class: "small" }, "Save")));
    handleSubmit(form, async () => {
      const v = values(form);
      await api.patch(session.hh(`/exchanges/${x.id}`), {
        name: v.name, deadline: v.deadline, ...priceBody(v), person_ids: chosenPeople(form), exclusions: exclusions.pairs(),
      });
      ctx.toast("Saved.");
      await load();
    });
    const remove = button("Remove exchange", () => {
      if (!confirm(`Remove ${x.name} and its draw?`)) return;
      act(remove, async () => { await api.del(session.hh(`/exchanges/${x.id}`)); await load(); }, ctx.toast);
    }, { class: "small link" });
    return h("details", { class: "item-edit" }, h("summary", {}, "Change"), form, h("div", { class: "actions" }, remove));
  }

  await load();
  ctx.onChange(["exchange", "person", "occasion"], () => { if (!listEl.querySelector("form.dirty")) load(); });

  let form = null;
  if (!session.isChild) {
    const exclusions = exclusionsEditor(people);
    const next = occasions.filter((o) => o.next_date);
    form = h("form", { class: "card stack new-exchange", novalidate: true },
      h("h2", {}, "Start a gift exchange"),
      field("Name", input("name", { required: true, maxlength: 120, placeholder: "Family Secret Santa" })),
      next.length ? field("Occasion", select("occasion_id", next.map((o) => [o.id, o.name]), next[0].id))
        : h("p", { class: "hint" }, "Add the occasion first, on the ", h("a", { href: "#/occasions" }, "Occasions"), " page."),
      field("The day gifts are exchanged", input("deadline", { type: "date", required: true })),
      priceFields(), peopleBoxes(people), exclusions.el,
      h("div", { class: "actions" }, h("button", { type: "submit", class: "primary" }, "Start exchange")));
    handleSubmit(form, async () => {
      const v = values(form);
      await api.post(session.hh("/exchanges"), {
        name: v.name, occasion_id: v.occasion_id, deadline: v.deadline, ...priceBody(v),
        person_ids: chosenPeople(form), exclusions: exclusions.pairs(),
      });
      form.reset();
      exclusions.clear();
      form.classList.remove("dirty");
      ctx.toast("Exchange started: draw names when everyone is in.");
      await load();
    });
  }
  return h("section", { class: "page wide" }, h("h1", {}, "Gift exchanges"),
    h("div", { class: "split" }, h("div", { class: "main" }, listEl), h("div", { class: "side stack" }, form)));
}
