// The dashboard: upcoming occasions with who still has no gift, spend against budget, my claims, my tasks.
// A child sees who is covered, not what anyone spends: budgets are the grown-ups' business.
import { api } from "../api.js";
import { button, empty, field, formatDate, h, input, money, newestWins, replaceKeepingFocus, whenText } from "../dom.js";
import { handleSubmit, values } from "../forms.js";
import { pickRow } from "./exchanges.js";

const STATUS_TEXT = { idea: "idea", selected: "selected", purchased: "bought", wrapped: "wrapped", given: "given" };

function spendText(spend) {
  return spend.map((s) => `${money(Number(s.claimed) + Number(s.purchased), s.currency)}`
    + (Number(s.purchased) ? ` (${money(s.purchased, s.currency)} bought)` : "")).join(" + ");
}

function budgetMeter(budget, spend) {
  const same = spend.find((s) => s.currency === budget.currency);
  const used = same ? Number(same.claimed) + Number(same.purchased) : 0;
  const amount = Number(budget.amount);
  return h("div", { class: "budget" },
    h("meter", { min: 0, max: amount || 1, low: amount * 0.8, high: amount, optimum: 0, value: Math.min(used, amount || 1),
      "aria-label": "Spent of budget" }),
    h("span", { class: used > amount ? "over" : "muted" }, `${money(used, budget.currency)} of ${money(amount, budget.currency)}`));
}

function budgetForm(ctx, occasionId, person, reload) {
  const form = h("form", { class: "inline-form", novalidate: true },
    field("Budget", input("amount", { inputmode: "decimal", value: person.budget?.amount ?? "", placeholder: "50" })),
    field("Currency", input("currency", { maxlength: 3, value: person.budget?.currency || "", placeholder: "EUR" })),
    h("div", { class: "actions" }, h("button", { type: "submit", class: "small" }, "Set")));
  handleSubmit(form, async () => {
    await api.put(ctx.session.hh(`/occasions/${occasionId}/budgets/${person.person_id}`), values(form));
    await reload();
  });
  return h("details", { class: "budget-edit" }, h("summary", {}, person.budget ? "Change budget" : "Set a budget"), form);
}

function spendOf(p) {
  if (p.budget) return budgetMeter(p.budget, p.spend);
  return p.spend.length ? h("p", { class: "muted" }, `Spent ${spendText(p.spend)}`) : null;
}

function occasionCard(ctx, up, reload) {
  const o = up.occasion;
  const money = !ctx.session.isChild;
  const people = up.people.map((p) => h("li", { class: `person-cover ${p.has_gift ? "covered" : "uncovered"}`, dataset: { key: `${o.id}:${p.person_id}` } },
    h("div", { class: "row" },
      h("a", { class: "grow", href: `#/people/${p.person_id}` }, p.name),
      h("span", { class: `pill ${p.has_gift ? "ok" : "warn"}` }, p.has_gift ? `✓ ${p.gift_count} gift${p.gift_count === 1 ? "" : "s"}` : "No gift yet")),
    money ? spendOf(p) : null,
    money ? budgetForm(ctx, o.id, p, reload) : null));
  return h("li", { class: "card occasion" },
    h("div", { class: "row" },
      h("h3", { class: "grow" }, o.name),
      h("span", { class: "when" }, whenText(up.date))),
    h("p", { class: "muted" }, formatDate(up.date)),
    up.people_without_gift.length
      ? h("p", { class: "warn-text" }, `${up.people_without_gift.length} still without a gift`) : up.people.length ? h("p", { class: "ok-text" }, "Everyone has a gift") : null,
    up.people.length ? h("ul", { class: "rows" }, people) : null,
    money && up.spend.length ? h("p", {}, `Total: ${spendText(up.spend)}`) : null);
}

export async function home(ctx) {
  const { session } = ctx;
  const occasionsEl = h("ul", { class: "cards occasions-due", "aria-label": "Coming up" });
  const claimsEl = h("ul", { class: "rows", "aria-label": "My claims" });
  const tasksEl = h("ul", { class: "rows", "aria-label": "My tasks" });
  const picksEl = h("ul", { class: "rows", "aria-label": "My gift exchange picks" });
  const picksCard = h("section", { class: "card", "aria-labelledby": "my-picks-h", hidden: true },
    h("h2", { id: "my-picks-h" }, "Secret Santa"), picksEl, h("a", { href: "#/exchanges" }, "All gift exchanges"));

  const ticket = newestWins();
  async function load() {
    const newest = ticket();
    const dash = await api.get(session.hh("/dashboard?days=120"));
    if (!newest()) return;
    replaceKeepingFocus(occasionsEl, dash.occasions.map((up) => occasionCard(ctx, up, load)));
    if (!dash.occasions.length) {
      occasionsEl.replaceChildren(h("li", {}, empty("Nothing in the next four months. "), h("a", { href: "#/occasions" }, "Add an occasion")));
    }
    // keyed rows: a live update keeps the focus on the claim or task it was on
    replaceKeepingFocus(claimsEl, dash.my_claims.map((c) => h("li", { class: "row", dataset: { key: c.id } },
      h("a", { class: "grow", href: `#/lists/${c.list_id}` }, c.gift_title, c.quantity > 1 ? ` ×${c.quantity}` : ""),
      c.price ? h("span", { class: "price" }, money(c.price, c.currency)) : null,
      h("span", { class: "pill" }, STATUS_TEXT[c.status] || c.status))));
    if (!dash.my_claims.length) claimsEl.replaceChildren(h("li", { class: "muted" }, "You have not claimed anything yet."));
    replaceKeepingFocus(tasksEl, dash.my_open_tasks.map((t) => h("li", { class: "row", dataset: { key: t.id } },
      h("a", { class: "grow", href: `#/tasks` }, t.title),
      t.due_at ? h("span", { class: "muted" }, new Date(t.due_at).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" })) : null)));
    if (!dash.my_open_tasks.length) tasksEl.replaceChildren(h("li", { class: "muted" }, "No open tasks for you."));
    // only the caller's own picks ever come: each with its exchange, one tap to the wish list
    replaceKeepingFocus(picksEl, dash.my_exchange_picks.map((p) => {
      const row = pickRow(p);
      row.dataset.key = `${p.exchange_id}:${p.giver_person_id}`;
      row.prepend(h("span", { class: "muted block" }, `${p.exchange_name} · ${formatDate(p.deadline)}`));
      return row;
    }));
    picksCard.hidden = !dash.my_exchange_picks.length;
  }
  await load();
  ctx.onChange(null, (message) => {
    // a budget being typed in is not swept away by someone else's change
    if (message.entity !== "notification" && !occasionsEl.querySelector("form.dirty")) load();
  });

  // on a wide screen the occasions and what is mine to do sit side by side
  return h("section", { class: "page wide" },
    h("div", { class: "page-head" }, h("h1", {}, `Hello, ${session.me.display_name}`),
      button("Refresh", () => load(), { class: "small link" })),
    h("div", { class: "split" },
      h("section", { class: "main", "aria-labelledby": "coming-up-h" }, h("h2", { id: "coming-up-h" }, "Coming up"), occasionsEl),
      h("div", { class: "side" },
        picksCard,
        h("section", { class: "card", "aria-labelledby": "my-claims-h" }, h("h2", { id: "my-claims-h" }, "My claims"), claimsEl),
        h("section", { class: "card", "aria-labelledby": "my-tasks-h" }, h("h2", { id: "my-tasks-h" }, "My tasks"), tasksEl))));
}
