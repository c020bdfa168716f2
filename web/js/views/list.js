// One list: its items walking idea → selected → purchased → wrapped → given, with claims.
import { api, getAll } from "../api.js";
import { button, empty, field, h, input, money, newestWins, replaceKeepingFocus, select, textarea } from "../dom.js";
import { act, handleSubmit, values } from "../forms.js";
import { muteButton } from "./preferences.js";

export const PIPELINE = ["idea", "selected", "purchased", "wrapped", "given"];
// as the gateway allows it: forward one step, or back one to undo a slip; given is final
const MOVES = { idea: ["selected"], selected: ["purchased", "idea"], purchased: ["wrapped", "selected"],
  wrapped: ["given", "purchased"], given: [] };

// how much a wish is wanted, in the family's words; the list shows the most wanted first
export const PRIORITIES = [["most_wanted", "Most wanted"], ["normal", "Wanted"], ["nice_to_have", "Nice to have"]];
const PRIORITY_WORDS = Object.fromEntries(PRIORITIES);

/** The field to set it with, or nothing when it is not this member's to say: on a wish list for a
 * member, only they rank their wishes (the gateway refuses anyone else). */
export function priorityField(lst, owner, me, value = "normal") {
  if (lst.kind === "wish" && owner.linked_user_id && owner.linked_user_id !== me.id) return null;
  return field("How much is it wanted?", select("priority", PRIORITIES, value));
}

function priorityBadge(priority) {
  if (priority === "normal" || !PRIORITY_WORDS[priority]) return null;
  return h("span", { class: `pill priority ${priority.replace(/_/g, "-")}`, "data-testid": "priority" }, PRIORITY_WORDS[priority]);
}

function stepper(status) {
  const at = PIPELINE.indexOf(status);
  return h("ol", { class: "pipeline", "aria-label": `Status: ${status}` }, PIPELINE.map((step, i) =>
    h("li", { class: i < at ? "done" : i === at ? "current" : "", "aria-current": i === at ? "step" : null }, step)));
}

export async function list(ctx) {
  const { session } = ctx;
  const id = ctx.params.id;
  const lst = await api.get(session.hh(`/lists/${id}`));
  const [owner, members] = await Promise.all([
    api.get(session.hh(`/people/${lst.person_id}`)), api.get(session.hh("/members")),
  ]);
  const names = Object.fromEntries(members.map((m) => [m.user_id, m.display_name]));
  // a gift exchange in which I (or a person I stand in for) drew this list's person: a claim made for it
  // counts as that gift, and nobody else learns who made it
  const exchanges = await api.get(session.hh("/exchanges")).catch(() => []);
  const santa = exchanges.filter((x) => x.open).flatMap((x) => x.my_picks
    .filter((p) => p.receiver_person_id === lst.person_id).map(() => ({ id: x.id, name: x.name })))[0] || null;
  const itemsEl = h("ul", { class: "items", "aria-label": "Items" });
  const gifts = new Map();

  async function giftOf(giftId) {
    if (!gifts.has(giftId)) gifts.set(giftId, api.get(session.hh(`/gifts/${giftId}`)).catch(() => null));
    return gifts.get(giftId);
  }

  /** The gifts of the list's person in one read, not one per item: a gift on their list names them as
   * its recipient. One it does not bring (it could not be read just then) is read by itself. */
  async function readGifts(items) {
    gifts.clear();
    if (!items.length) return;
    const theirs = await getAll(session.hh(`/gifts?person_id=${lst.person_id}`)).catch(() => []);
    for (const g of theirs) gifts.set(g.id, Promise.resolve(g));
  }

  const ticket = newestWins();
  async function load({ live = false } = {}) {
    // a change being typed into an item is not swept away by someone else's: it reloads on save
    if (live && itemsEl.querySelector("form.dirty")) return;
    const newest = ticket();
    const items = await getAll(session.hh(`/lists/${id}/items`));
    await readGifts(items);
    const rows = await Promise.all(items.map(async (item) => {
      const [gift, claims] = await Promise.all([
        giftOf(item.gift_id),
        item.claimed_quantity ? api.get(session.hh(`/items/${item.id}/claims`)) : [],
      ]);
      return itemRow(item, gift, claims);
    }));
    if (!newest()) return;
    replaceKeepingFocus(itemsEl, items.length ? rows : [h("li", {}, empty("Nothing on this list yet."))]);
  }

  function editItem(item) {
    const form = h("form", { class: "stack", novalidate: true },
      priorityField(lst, owner, session.me, item.priority),
      field("How many are wanted", input("quantity", { type: "number", min: 1, max: 99, value: String(item.quantity), inputmode: "numeric" })),
      field("Notes", textarea("notes", { maxlength: 2000, value: item.notes || "" }), "Seen by the person it is for; keep surprises to the gift's comments."),
      h("div", { class: "actions" }, h("button", { type: "submit", class: "small" }, "Save")));
    handleSubmit(form, async () => {
      const v = values(form);
      const change = { quantity: Number(v.quantity || item.quantity), notes: v.notes || null };
      if (v.priority) change.priority = v.priority;
      await api.patch(session.hh(`/items/${item.id}`), change);
      await load();
    });
    const remove = button("Take off the list", () => act(remove, async () => {
      await api.del(session.hh(`/items/${item.id}`));
      await load();
    }, ctx.toast), { class: "small danger", "aria-label": `Take off the list: ${item.gift_title}` });
    return h("details", { class: "item-edit" }, h("summary", {}, "Change"), form, h("div", { class: "actions" }, remove));
  }

  function itemRow(item, gift, claims) {
    const title = h("a", { href: `#/gifts/${item.gift_id}?list=${id}`, class: "item-title" }, item.gift_title);
    const price = gift && gift.price ? h("span", { class: "price" }, money(gift.price, gift.currency)) : null;
    const image = gift && gift.image_url ? h("img", { src: gift.image_url, alt: "", class: "thumb", loading: "lazy", referrerpolicy: "no-referrer" }) : null;
    const head = h("div", { class: "item-head" }, image, h("div", { class: "grow" }, priorityBadge(item.priority), title, price,
      item.quantity > 1 ? h("span", { class: "muted block" }, `${item.quantity} wanted`) : null,
      item.notes ? h("p", { class: "notes" }, item.notes) : null));
    const li = h("li", { class: "item card", dataset: { key: item.id, status: item.status } }, head);

    if (item.status === "on_my_list") { // its recipient: what and how many, never who or how far
      li.append(h("p", { class: "pill wish" }, "On your list"), editItem(item));
      return li;
    }

    li.append(stepper(item.status));
    const mine = claims.find((c) => c.user_id === session.me.id);
    const claimText = item.claimed_quantity
      ? `Claimed ${item.claimed_quantity} of ${item.quantity}` + (claims.length
        ? ` by ${claims.map((c) => (c.user_id === session.me.id ? "you" : names[c.user_id] || "someone")).join(", ")}` : "")
      : "Not claimed yet";
    li.append(h("p", { class: `claim ${item.claimed_quantity ? "claimed" : ""}`, "data-testid": "claim-state" }, claimText));

    const actions = h("div", { class: "actions" });
    if (item.claimed_quantity < item.quantity && item.status !== "given") {
      const claim = button(mine ? "Claim one more" : "I'll get this", () => act(claim, async () => {
        await api.post(session.hh(`/items/${item.id}/claims`), { quantity: 1 });
        ctx.toast(`You claimed ${item.gift_title}.`);
        await load();
      }, ctx.toast), { class: "primary small" });
      actions.append(claim);
      if (santa && !mine) {
        const forSanta = button(`I'll get this for ${santa.name}`, () => act(forSanta, async () => {
          await api.post(session.hh(`/items/${item.id}/claims`), { quantity: 1, exchange_id: santa.id });
          ctx.toast(`You claimed ${item.gift_title} for ${santa.name}; only you know who gives it.`);
          await load();
        }, ctx.toast), { class: "small" });
        actions.append(forSanta);
      }
    }
    if (mine && item.status !== "given") { // a given item's claim is history
      const release = button("Release my claim", () => act(release, async () => {
        await api.del(session.hh(`/items/${item.id}/claims/mine`));
        await load();
      }, ctx.toast), { class: "small" });
      actions.append(release);
    }
    // a claimed item is moved along by who claimed it (they are buying it), or by an admin
    const mayMove = !item.claimed_quantity || mine || session.isAdmin;
    for (const next of mayMove ? MOVES[item.status] || [] : []) {
      const back = PIPELINE.indexOf(next) < PIPELINE.indexOf(item.status);
      const move = button(back ? `Back to ${next}` : `Mark ${next}`, () => act(move, async () => {
        await api.post(session.hh(`/items/${item.id}/status`), { status: next });
        await load();
      }, ctx.toast), { class: back ? "small link" : "small" });
      actions.append(move);
    }
    if (item.status !== "given") {
      actions.append(h("a", { class: "button small link", href: `#/gifts/${item.gift_id}?list=${id}` }, "Chip in"));
    }
    li.append(actions, editItem(item));
    return li;
  }

  await load();
  ctx.onChange(["list_item", "claim", "gift", "list", "pledge"], (message) => {
    if (message.entity === "list" && message.id === id && message.change === "deleted") ctx.navigate(`/people/${lst.person_id}`);
    else load({ live: true });
  });

  const settings = h("form", { class: "stack", novalidate: true },
    field("List name", input("name", { value: lst.name, maxlength: 120, required: true })),
    h("div", { class: "actions" }, h("button", { type: "submit" }, "Rename")));
  handleSubmit(settings, async () => {
    await api.patch(session.hh(`/lists/${id}`), { name: values(settings).name });
    ctx.navigate(`/lists/${id}`);
  });
  const remove = button("Delete this list", () => {
    if (!confirm(`Delete ${lst.name} and its items? The gifts stay.`)) return;
    act(remove, async () => { await api.del(session.hh(`/lists/${id}`)); ctx.navigate(`/people/${lst.person_id}`); }, ctx.toast);
  }, { class: "danger" });

  // on a wide screen the items fill it in columns
  return h("section", { class: "page wide" },
    h("p", { class: "crumbs" }, h("a", { href: `#/people/${owner.id}` }, owner.name)),
    h("h1", {}, lst.name),
    h("p", { class: "muted" }, owner.linked_user_id === session.me.id ? "Your wish list: you see what is on it, never who gets what"
      : lst.kind === "wish" ? `${owner.name}'s wish list` : `Gift ideas for ${owner.name}`,
      lst.visibility === "private" ? " · only you see it" : ""),
    h("div", { class: "actions" }, h("a", { class: "button primary", href: `#/lists/${id}/add` }, "Add a gift")),
    itemsEl,
    h("details", { class: "card" }, h("summary", {}, "List settings"), settings,
      h("div", { class: "actions spaced" }, await muteButton(ctx, id), remove)));
}
