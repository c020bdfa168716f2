// The frame around every page: the household's name, live state, unread count, and the tab bar.
import { api } from "./api.js";
import { onEntityChanged } from "./live.js";

const LIVE_LABELS = {
  live: "Live updates on", reconnecting: "Reconnecting live updates…", offline: "Live updates paused", off: "Live updates off",
};

let ctx = null;
let unreadTimer = null;

export const shell = {
  mount(appCtx) {
    ctx = appCtx;
    document.querySelector(".skip-link").addEventListener("click", (event) => {
      event.preventDefault(); // "#main" is not a route
      document.getElementById("main").focus();
    });
    onEntityChanged((message) => {
      if (message.entity === "notification" || message.entity === "*") this.refreshUnread();
    });
  },

  /** Where the household's live stream is served (proxied by the gateway, same origin). */
  streamUrl(householdId) { return `/api/households/${householdId}/notifications/stream`; },

  update(route) {
    const signedIn = Boolean(ctx.session.me);
    const inHousehold = signedIn && Boolean(ctx.session.household);
    document.getElementById("topbar").hidden = !signedIn;
    document.getElementById("tabbar").hidden = !inHousehold;
    document.getElementById("household-name").textContent = ctx.session.household?.name || "giftflow";
    document.body.classList.toggle("with-tabbar", inHousehold);
    for (const link of document.querySelectorAll("#tabbar a")) {
      if (link.getAttribute("data-tab") === route.tab) link.setAttribute("aria-current", "page");
      else link.removeAttribute("aria-current");
    }
    if (inHousehold) this.refreshUnread();
  },

  setLiveState(state) {
    const dot = document.getElementById("live-state");
    dot.dataset.state = state;
    dot.setAttribute("aria-label", LIVE_LABELS[state]);
    dot.title = LIVE_LABELS[state];
  },

  /** The unread badge; quietly empty while the notifications API is not there. */
  refreshUnread() {
    clearTimeout(unreadTimer);
    unreadTimer = setTimeout(async () => {
      // the link is named by its words, the count among them ("Notifications 3 unread"): what is
      // seen is what is heard, so a voice user can say what they see
      const unread = document.getElementById("unread-count");
      if (!ctx.session.household) { unread.hidden = true; return; }
      let count = 0;
      try {
        count = (await api.get(ctx.session.hh("/notifications/unread-count"))).unread ?? 0;
      } catch { count = 0; }
      unread.hidden = count === 0;
      document.getElementById("unread").textContent = count > 99 ? "99+" : String(count);
    }, 100);
  },
};
