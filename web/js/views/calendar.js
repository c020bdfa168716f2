// "In your calendar": a member's private subscription addresses for a calendar app (the household's
// occasions and their own tasks, as they may see them). An address is shown once, when it is made;
// anyone who has it can read the feed, so each device gets its own and any can be revoked.
import { api } from "../api.js";
import { button, field, h, input, timeAgo } from "../dom.js";
import { act, handleSubmit, values } from "../forms.js";

/** webcal:// opens the address in the device's calendar app, which then keeps it up to date. */
function webcal(url) {
  return url.replace(/^https?:/, "webcal:");
}

function copyButton(ctx, link, linkEl) {
  const copy = button("Copy the address", () => act(copy, async () => {
    try {
      await navigator.clipboard.writeText(link);
      ctx.toast("Address copied: paste it into your calendar app's “subscribe” box.");
    } catch {
      getSelection().selectAllChildren(linkEl); // no clipboard here: selected, to copy by hand
      ctx.toast("Copy the selected address into your calendar app.");
    }
  }, ctx.toast), { class: "small" });
  return copy;
}

export async function calendarFeeds(ctx) {
  const { session } = ctx;
  const path = session.hh("/calendar-feeds");
  const listEl = h("ul", { class: "rows", "aria-label": "Calendar subscriptions" });
  const madeEl = h("div", { "aria-live": "polite" });

  async function load() {
    const feeds = await api.get(path);
    listEl.replaceChildren(...feeds.map((f) => {
      const revoke = button("Revoke", () => {
        if (!confirm(`Revoke “${f.name}”? The calendar that uses it stops updating.`)) return;
        act(revoke, async () => {
          await api.del(`${path}/${f.id}`);
          ctx.toast(`“${f.name}” revoked.`);
          madeEl.replaceChildren();
          await load();
        }, ctx.toast);
      }, { class: "small link", "aria-label": `Revoke ${f.name}` });
      return h("li", { class: "row", dataset: { key: f.id } },
        h("span", { class: "grow" }, h("strong", {}, f.name), h("span", { class: "muted block" }, `made ${timeAgo(f.created_at)}`)),
        revoke);
    }));
  }

  const form = h("form", { class: "stack", novalidate: true },
    field("Where you will use it", input("name", { required: true, maxlength: 80, value: "My phone", autocomplete: "off" })),
    h("div", { class: "actions" }, h("button", { type: "submit", class: "primary small" }, "Make an address")));
  handleSubmit(form, async () => {
    const made = await api.post(path, values(form));
    const link = new URL(made.url, location.origin).href;
    const linkEl = h("code", { class: "feed-url" }, link);
    madeEl.replaceChildren(h("div", { class: "card stack" },
      h("p", {}, `Your address for “${made.name}”. It is shown only now: keep it private, anyone who has it can read your calendar.`),
      linkEl,
      h("div", { class: "actions" },
        h("a", { href: webcal(link), class: "button small" }, "Open in my calendar app"),
        copyButton(ctx, link, linkEl))));
    form.reset();
    form.classList.remove("dirty");
    await load();
  });

  await load();
  return h("details", { class: "card calendar-feeds" },
    h("summary", {}, "In your calendar"),
    h("p", { class: "muted" }, "Subscribe from Google, Apple or Outlook calendar: the family's occasions and your own tasks with their reminders, kept up to date. Gifts are never in it."),
    form, madeEl, listEl);
}
