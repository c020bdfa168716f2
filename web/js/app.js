// The web client's composition root: the shell, the routes, the session and the live stream.
import { ApiError, onSignedOut } from "./api.js";
import { h } from "./dom.js";
import { LiveStream, announceResync, onEntityChanged } from "./live.js";
import { match, navigate, parseHash } from "./router.js";
import { session } from "./session.js";
import { routes } from "./routes.js";
import { shell } from "./shell.js";
import { toast } from "./toast.js";

let live = null;
let drawnBeforeReady = false; // the open page's data may predate the stream: reload it once it is ready
let renderToken = 0;
// how long a page's first draw waits for its live stream before drawing anyway
const STREAM_WAIT_MS = 3000;
let cleanups = [];

/** Re-run `fn` (debounced) when the live stream says something of these entities changed. */
function onChange(entities, fn) {
  let timer = null;
  const off = onEntityChanged((message) => {
    if (entities && message.entity !== "*" && !entities.includes(message.entity)) return;
    clearTimeout(timer);
    timer = setTimeout(() => fn(message), 250);
  });
  cleanups.push(() => { off(); clearTimeout(timer); });
}

function startLive() {
  const streamUrl = session.household ? shell.streamUrl(session.household.id) : null;
  if (live && live.url === streamUrl) return;
  stopLive();
  if (!streamUrl) return;
  live = new LiveStream(streamUrl, {
    onNotification: () => shell.refreshUnread(),
    onState: (state) => shell.setLiveState(state),
    onFirstReady: () => {
      if (!drawnBeforeReady) return;
      drawnBeforeReady = false;
      announceResync();
    },
  });
  live.open();
}

function stopLive() {
  if (live) live.close();
  live = null;
  shell.setLiveState("off");
}

async function render({ keepFocus = false } = {}) {
  const token = ++renderToken;
  const scroll = window.scrollY;
  cleanups.forEach((fn) => fn());
  cleanups = [];
  const { path, query } = parseHash();
  const found = match(routes, path) || match(routes, "/not-found");
  const { route, params } = found;
  if (route.auth !== false && !session.me) {
    const back = here();
    try {
      await session.load();
    } catch (error) { // offline (the shell came from the service worker), or the server is down
      if (token !== renderToken) return;
      showPage(failure(error));
      return;
    }
    if (token !== renderToken) return;
    if (!session.me) {
      // the signed-out handler may have sent us to log in already; its page shows next
      if (!parseHash().path.startsWith("/login")) navigate(`/login?next=${encodeURIComponent(back)}`);
      return;
    }
  }
  if (route.household && !session.household) return navigate("/households");
  shell.update(route);
  if (session.household) startLive(); else stopLive();
  if (live && !live.isReady) {
    // changes after this point must reach the page: either the stream carries them, or it reloads
    const ready = await live.whenReady(STREAM_WAIT_MS);
    if (token !== renderToken) return;
    if (!ready) drawnBeforeReady = true;
  }

  const main = document.getElementById("main");
  main.setAttribute("aria-busy", "true");
  const ctx = {
    params, query, session, toast, navigate, onChange, refreshUnread: () => shell.refreshUnread(),
    isCurrent: () => token === renderToken,
    /** Show this page again with fresh data; not while the user is typing in one of its forms. */
    refresh: ({ force = false } = {}) => {
      if (token !== renderToken) return;
      if (!force && document.getElementById("main").querySelector("form.dirty")) return;
      render({ keepFocus: true });
    },
    reloadSession: async () => { await session.load(); shell.update(route); },
  };
  let view;
  try {
    view = await route.view(ctx);
  } catch (error) {
    if (token !== renderToken) return;
    if (error instanceof ApiError && error.status === 404 && session.household) {
      await session.load(); // no longer a member? then choose another household
      if (token !== renderToken) return;
      if (!session.household) return navigate("/households");
    }
    view = failure(error);
  }
  if (token !== renderToken) return;
  // a live refresh that finds the user typing (they started while it loaded) gives way to them
  if (keepFocus && main.querySelector("form.dirty")) { main.removeAttribute("aria-busy"); return; }
  showPage(view, { keepFocus, scroll });
}

function showPage(view, { keepFocus = false, scroll = 0 } = {}) {
  const main = document.getElementById("main");
  main.replaceChildren(view);
  main.removeAttribute("aria-busy");
  const heading = main.querySelector("h1");
  document.title = heading ? `${heading.textContent} · giftflow` : "giftflow";
  if (keepFocus) { window.scrollTo(0, scroll); return; }
  if (heading) { heading.setAttribute("tabindex", "-1"); heading.focus({ preventScroll: true }); }
  window.scrollTo(0, 0);
}

// a form the user has typed in is "dirty": live refreshes wait until it is sent or left
document.addEventListener("input", (event) => {
  const target = /** @type {Element} */ (event.target);
  const form = target.closest && target.closest("#main form");
  if (form) form.classList.add("dirty");
});
document.addEventListener("submit", (event) => /** @type {Element} */ (event.target).classList.remove("dirty"), true);

/** The current page with its query, to come back to after signing in (e.g. a join link's code). */
function here() {
  return location.hash.replace(/^#/, "") || "/";
}

function failure(error) {
  const message = error instanceof ApiError ? error.message : "Something went wrong showing this page.";
  if (!(error instanceof ApiError)) console.error(error);
  return h("section", { class: "page" }, h("h1", {}, "Cannot show this"),
    h("p", { class: "form-error", role: "alert" }, message),
    h("p", {}, h("a", { href: "#/" }, "Back to the start")));
}

onSignedOut(() => {
  session.clear();
  stopLive();
  const { path } = parseHash();
  if (!path.startsWith("/login") && !path.startsWith("/signup")) navigate(`/login?next=${encodeURIComponent(here())}`);
});

shell.mount({ session, toast, navigate, onChange, stopLive });
window.addEventListener("hashchange", () => render());
render();

// installable, and the shell opens offline (it says then that it cannot reach giftflow)
if ("serviceWorker" in navigator) {
  window.addEventListener("load", () => navigator.serviceWorker.register("/sw.js").catch(() => {}));
}
