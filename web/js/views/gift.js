// Add a gift to a list, and one gift: edit it, chip in (pledges), talk about it (comments).
import { api, getAll } from "../api.js";
import { button, checkbox, field, h, input, money, select, textarea, timeAgo } from "../dom.js";
import { act, handleSubmit, values } from "../forms.js";
import { giftBody, giftFields, wireImport, wireSimilar } from "./giftform.js";
import { priorityField } from "./list.js";

export async function addToList(ctx) {
  const { session } = ctx;
  const lst = await api.get(session.hh(`/lists/${ctx.params.id}`));
  const owner = await api.get(session.hh(`/people/${lst.person_id}`));
  const form = h("form", { class: "card stack", novalidate: true }, ...giftFields(),
    priorityField(lst, owner, session.me),
    field("How many are wanted", input("quantity", { type: "number", min: 1, max: 99, value: "1", inputmode: "numeric" })),
    h("div", { class: "actions" },
      h("button", { type: "submit", class: "primary" }, "Add to list"),
      h("a", { class: "button", href: `#/lists/${lst.id}` }, "Cancel")));
  wireImport(form, ctx);
  // the person's own wish list is theirs to fill: no reminder of what they were given
  if (owner.linked_user_id !== session.me.id) wireSimilar(form, ctx, [owner.id]);
  handleSubmit(form, async () => {
    const gift = giftBody(form);
    const item = { gift, quantity: Number(form.elements.quantity.value || 1) };
    if (form.elements.priority) item.priority = form.elements.priority.value;
    await api.post(session.hh(`/lists/${lst.id}/items`), item);
    ctx.toast(`${gift.title} is on ${lst.name}.`);
    ctx.navigate(`/lists/${lst.id}`);
  });
  return h("section", { class: "page" },
    h("p", { class: "crumbs" }, h("a", { href: `#/lists/${lst.id}` }, lst.name)),
    h("h1", {}, "Add a gift"), form);
}

export async function gift(ctx) {
  const { session } = ctx;
  const id = ctx.params.id;
  const back = ctx.query.list ? `#/lists/${ctx.query.list}` : "#/";
  const [g, members] = await Promise.all([api.get(session.hh(`/gifts/${id}`)), api.get(session.hh("/members"))]);
  const names = Object.fromEntries(members.map((m) => [m.user_id, m.display_name]));
  const recipientView = g.from_santa === null; // its recipient sees no surprise details

  const form = h("form", { class: "stack", novalidate: true }, ...giftFields(g),
    h("div", { class: "actions" }, h("button", { type: "submit", class: "primary" }, "Save gift")));
  wireImport(form, ctx);
  if (!recipientView) wireSimilar(form, ctx, await recipientsOf(ctx, g), g.id);
  handleSubmit(form, async () => {
    await api.patch(session.hh(`/gifts/${id}`), giftBody(form, { nulls: true }));
    ctx.toast("Saved.");
    location.hash = back;
  });

  const main = [
    g.image_url ? h("img", { class: "hero", src: g.image_url, alt: g.title, referrerpolicy: "no-referrer" }) : null,
    h("p", {}, g.price ? h("strong", {}, money(g.price, g.currency)) : null,
      g.url ? [" · ", h("a", { href: g.url, target: "_blank", rel: "noopener noreferrer" }, "Open the shop's page")] : null),
    g.giver ? h("p", { class: "pill wish" }, `From ${g.giver}`) : null,
    h("details", { class: "card", open: ctx.query.edit === "1" }, h("summary", {}, "Edit gift"), form),
  ];
  const side = recipientView ? [] : [await pledges(ctx, g, names), await onAnotherList(ctx, g)];
  const talk = await comments(ctx, g, names, recipientView);
  ctx.onChange(["gift", "pledge", "comment"], () => ctx.refresh());

  // a phone reads the gift, chipping in, then the comments; a wide screen puts chipping in beside them
  return h("section", { class: "page wide" },
    h("p", { class: "crumbs" }, h("a", { href: back }, "Back")),
    h("h1", {}, g.title),
    h("div", { class: side.length ? "split beside-talk" : "" },
      h("div", { class: "main" }, main), side.length ? h("div", { class: "side" }, side) : null, h("div", { class: "talk" }, talk)));
}

/** The people a gift is for: its recipients, and the person of the list it was opened from. */
async function recipientsOf(ctx, g) {
  const ids = new Set(g.people.filter((p) => p.role === "recipient").map((p) => p.person_id));
  if (ctx.query.list) {
    const lst = await api.get(ctx.session.hh(`/lists/${ctx.query.list}`)).catch(() => null);
    if (lst) ids.add(lst.person_id);
  }
  return [...ids];
}

async function pledges(ctx, g, names) {
  const { session } = ctx;
  const all = await api.get(session.hh(`/gifts/${g.id}/pledges`));
  const mine = all.find((p) => p.user_id === session.me.id);
  const total = all.reduce((sum, p) => sum + Number(p.amount), 0);
  const form = h("form", { class: "stack", novalidate: true },
    h("div", { class: "two" },
      field("My share", input("amount", { inputmode: "decimal", value: mine ? mine.amount : "", placeholder: "10.00" })),
      g.currency ? null : field("Currency", input("currency", { maxlength: 3, placeholder: "EUR" }))),
    h("div", { class: "actions" }, h("button", { type: "submit", class: "primary" }, mine ? "Change my share" : "Chip in")));
  handleSubmit(form, async () => {
    await api.put(session.hh(`/gifts/${g.id}/pledges/mine`), values(form));
    ctx.toast("Thanks for chipping in.");
    ctx.refresh({ force: true });
  });
  const withdraw = mine ? button("Withdraw my share", () => act(withdraw, async () => {
    await api.del(session.hh(`/gifts/${g.id}/pledges/mine`));
    ctx.refresh({ force: true });
  }, ctx.toast), { class: "small" }) : null;
  return h("section", { class: "card stack", "aria-labelledby": "pledges-h" },
    h("h2", { id: "pledges-h" }, "Chipping in"),
    all.length ? h("ul", { class: "rows" }, all.map((p) => h("li", { class: "row" },
      h("span", { class: "grow" }, p.user_id === session.me.id ? "You" : names[p.user_id] || "Someone"),
      h("span", {}, money(p.amount, p.currency)))))
      : h("p", { class: "muted" }, "Nobody has chipped in yet."),
    all.length ? h("p", {}, `Together: ${money(total, all[0].currency)}${g.price ? ` of ${money(g.price, g.currency)}` : ""}`) : null,
    form, withdraw);
}

async function comments(ctx, g, names, recipientView) {
  const { session } = ctx;
  const all = await getAll(session.hh(`/gifts/${g.id}/comments`));
  const form = h("form", { class: "stack", novalidate: true },
    field("Comment", textarea("body", { maxlength: 4000, required: true })),
    recipientView ? null : checkbox("surprise", "Keep it from the recipient", true),
    h("div", { class: "actions" }, h("button", { type: "submit" }, "Post")));
  handleSubmit(form, async () => {
    const body = { body: values(form).body };
    if (!recipientView) body.surprise = form.elements.surprise.checked;
    await api.post(session.hh(`/gifts/${g.id}/comments`), body);
    ctx.refresh({ force: true });
  });
  return h("section", { class: "card stack", "aria-labelledby": "comments-h" },
    h("h2", { id: "comments-h" }, "Comments"),
    all.length ? h("ul", { class: "comments" }, all.map((c) => h("li", {},
      h("p", { class: "muted" }, `${c.author_id === session.me.id ? "You" : names[c.author_id] || "Someone"} · ${timeAgo(c.created_at)}`,
        c.surprise && !recipientView ? " · kept secret" : ""),
      h("p", {}, c.body)))) : h("p", { class: "muted" }, "No comments yet."),
    form);
}

async function onAnotherList(ctx, g) {
  const { session } = ctx;
  const [lists, people] = await Promise.all([getAll(session.hh("/lists")), getAll(session.hh("/people"))]);
  const names = Object.fromEntries(people.map((p) => [p.id, p.name]));
  const form = h("form", { class: "stack", novalidate: true },
    field("List", select("list_id", lists.map((l) => [l.id, `${l.name} (${names[l.person_id] || "someone"})`]), lists[0]?.id)),
    h("div", { class: "actions" }, h("button", { type: "submit", class: "small" }, "Put it on this list")));
  handleSubmit(form, async () => {
    const listId = form.elements.list_id.value;
    await api.post(session.hh(`/lists/${listId}/items`), { gift_id: g.id });
    ctx.navigate(`/lists/${listId}`);
  });
  return h("details", { class: "card" }, h("summary", {}, "Put it on another list"), form);
}
