// My notifications in this household, newest first, with their read state.
import { api } from "../api.js";
import { button, empty, h, timeAgo } from "../dom.js";
import { act } from "../forms.js";
import { mailPreferencesForm } from "./mail.js";
import { preferencesForm } from "./preferences.js";

/** Where a notification leads: the list of an item, or the thing itself. */
function linkFor(n) {
  if (n.list_id) return `#/lists/${n.list_id}`;
  // the history's news: my own gifts revealed on my page, the rest on the History screen
  if (n.kind === "history") return n.entity === "person" ? `#/people/${n.entity_id}` : "#/history";
  switch (n.entity) {
    case "gift": return `#/gifts/${n.entity_id}`;
    case "list": return `#/lists/${n.entity_id}`;
    case "person": return `#/people/${n.entity_id}`;
    case "occasion": return "#/occasions";
    case "task": return "#/tasks";
    default: return null;
  }
}

export async function notifications(ctx) {
  const { session } = ctx;
  const listEl = h("ul", { class: "rows notifications", "aria-label": "Notifications" });
  let newest = 0;
  let cursor = null;
  const more = button("Show older", () => act(more, () => load(true), ctx.toast), { class: "small", hidden: true });

  function row(n) {
    const href = linkFor(n);
    const open = async () => {
      if (!n.read_at) {
        try { await api.post(session.hh(`/notifications/${n.id}/read`)); } catch { /* read state is a nicety */ }
        ctx.refreshUnread();
      }
    };
    const text = href ? h("a", { href, onclick: open }, n.text) : h("span", {}, n.text);
    return h("li", { class: `row ${n.read_at ? "read" : "unread"}` },
      h("span", { class: "grow" }, n.read_at ? null : h("span", { class: "visually-hidden" }, "Unread: "), text,
        h("span", { class: "muted block" }, timeAgo(n.created_at))));
  }

  async function load(older = false) {
    const page = await api.get(session.hh(`/notifications?limit=50${older && cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`));
    if (!older) newest = page.items.length ? page.items[0].seq : newest;
    cursor = page.next_cursor;
    more.hidden = !cursor;
    const rows = page.items.map(row);
    if (older) listEl.append(...rows);
    else listEl.replaceChildren(...(rows.length ? rows : [h("li", {}, empty("Nothing new. You will be told here when your family changes something."))]));
  }

  const readAll = button("Mark all read", () => act(readAll, async () => {
    await api.post(session.hh(`/notifications/read-all${newest ? `?up_to=${newest}` : ""}`));
    await load();
    ctx.refreshUnread();
  }, ctx.toast), { class: "small" });

  await load();
  ctx.onChange(["notification", "*"], () => load());
  return h("section", { class: "page" },
    h("div", { class: "row" }, h("h1", { class: "grow" }, "Notifications"), readAll),
    listEl, more, await preferencesForm(ctx), await mailPreferencesForm(ctx));
}
