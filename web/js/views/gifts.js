// Find a gift of the household by words, tag or how far it got.
import { api, getAll } from "../api.js";
import { button, empty, field, h, input, money, select } from "../dom.js";
import { act, handleSubmit, values } from "../forms.js";

const PAGE = 50;

const STATUSES = [["", "Any status"], ["idea", "Idea"], ["selected", "Selected"], ["purchased", "Purchased"],
  ["wrapped", "Wrapped"], ["given", "Given"]];

export async function gifts(ctx) {
  const { session } = ctx;
  const [tags, people] = await Promise.all([getAll(session.hh("/tags")), getAll(session.hh("/people"))]);
  const resultsEl = h("ul", { class: "cards", "aria-label": "Gifts found", "aria-live": "polite" });
  const names = Object.fromEntries(people.map((p) => [p.id, p.name]));

  const moreEl = h("div", { class: "actions" });
  let shown = 0; // a live refresh reloads as many as the member had paged through

  function card(g) {
    return h("li", { dataset: { key: g.id } },
      h("a", { class: "card choice", href: `#/gifts/${g.id}` },
        g.image_url ? h("img", { class: "thumb", src: g.image_url, alt: "", loading: "lazy", referrerpolicy: "no-referrer" }) : null,
        h("span", { class: "grow" }, h("strong", {}, g.title),
          g.price ? h("span", { class: "price" }, money(g.price, g.currency)) : null,
          h("span", { class: "muted block" }, [
            g.people.filter((p) => p.role === "recipient").map((p) => `for ${names[p.person_id] || "someone"}`).join(", "),
            g.tags.map((t) => `#${t}`).join(" "),
          ].filter(Boolean).join(" · ")))));
  }

  /** The first page of what matches (at least as many as were shown), then "Show more" for the next. */
  async function search(filters, { keep = 0 } = {}) {
    const found = [];
    let cursor = null;
    do {
      const query = new URLSearchParams({ limit: String(PAGE), ...filters, ...(cursor ? { cursor } : {}) });
      const page = await api.get(session.hh(`/gifts?${query}`));
      found.push(...page.items);
      cursor = page.next_cursor;
    } while (cursor && found.length < keep);
    shown = found.length;
    resultsEl.replaceChildren(...found.map(card));
    if (!found.length) resultsEl.replaceChildren(h("li", {}, empty("No gift matches.")));
    showMore(filters, cursor);
  }

  function showMore(filters, cursor) {
    if (!cursor) { moreEl.replaceChildren(); return; }
    const more = button("Show more gifts", () => act(more, async () => {
      const query = new URLSearchParams({ limit: String(PAGE), ...filters, cursor });
      const page = await api.get(session.hh(`/gifts?${query}`));
      resultsEl.append(...page.items.map(card));
      shown += page.items.length;
      showMore(filters, page.next_cursor);
      const first = resultsEl.querySelector(`[data-key="${CSS.escape(page.items[0]?.id || "")}"] a`);
      if (first) first.focus(); // where the new ones start
    }, ctx.toast));
    moreEl.replaceChildren(more);
  }

  const form = h("form", { class: "card stack", role: "search", novalidate: true },
    field("Words", input("q", { type: "search", maxlength: 100, value: ctx.query.q || "", placeholder: "kite" })),
    h("div", { class: "two even" },
      field("Tag", select("tag", [["", "Any tag"], ...tags.map((t) => [t.name, t.name])], ctx.query.tag || "")),
      field("Status", select("status", STATUSES, ctx.query.status || ""))),
    field("For", select("person_id", [["", "Anyone"], ...people.map((p) => [p.id, p.name])], ctx.query.person_id || "")),
    h("div", { class: "actions" }, h("button", { type: "submit", class: "primary" }, "Find")));
  handleSubmit(form, () => search(values(form)));
  await search(values(form));
  ctx.onChange(["gift", "list_item", "tag"], () => search(values(form), { keep: shown }));
  return h("section", { class: "page wide" }, h("h1", {}, "Gifts"),
    h("div", { class: "split aside-first" }, h("div", { class: "side" }, form), h("div", { class: "main" }, resultsEl, moreEl)));
}
