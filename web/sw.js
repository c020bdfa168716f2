// The offline shell. Online, every file comes from the network as usual (the gateway has the browser
// revalidate, so an update is seen on the next load); what came is kept, and offline the client starts
// from what was kept and says it cannot reach giftflow. The API is never answered from here: a family's
// data is either fresh from the server or not shown at all.
//
// Files under /v/<version>/ never change (their version is in their address): they are answered from
// what was kept first, and the versions no page uses any more are dropped.
const CACHE = "giftflow-shell";
const SHELL = ["/", "/css/app.css", "/favicon.svg", "/icons/icon.svg", "/manifest.webmanifest",
  "/js/app.js", "/js/api.js", "/js/dom.js", "/js/forms.js", "/js/live.js", "/js/router.js", "/js/routes.js",
  "/js/session.js", "/js/shell.js", "/js/toast.js",
  "/js/views/auth.js", "/js/views/calendar.js", "/js/views/exchanges.js", "/js/views/family.js", "/js/views/gift.js", "/js/views/giftform.js", "/js/views/gifts.js", "/js/views/history.js",
  "/js/views/home.js", "/js/views/household_data.js", "/js/views/households.js", "/js/views/list.js", "/js/views/mail.js", "/js/views/misc.js",
  "/js/views/notifications.js", "/js/views/occasions.js", "/js/views/password.js", "/js/views/people.js", "/js/views/preferences.js",
  "/js/views/tasks.js"];

const VERSIONED = /^\/v\/[^/]+\//;

/** The version prefix ("/v/abc123") the page at `/` loads its files from, or "" if it has none. */
function prefixOf(html) {
  const found = html.match(/["'](\/v\/[^/"']+)\/js\/app\.js["']/);
  return found ? found[1] : "";
}

self.addEventListener("install", (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    const page = await fetch("/", { cache: "no-cache" });
    const prefix = prefixOf(await page.clone().text());
    await cache.put("/", page);
    await cache.addAll(SHELL.filter((path) => path !== "/").map((path) => (
      path.startsWith("/js/") || path.startsWith("/css/") ? `${prefix}${path}` : path)));
    await self.skipWaiting();
  })());
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) if (name !== CACHE) await caches.delete(name);
    await self.clients.claim();
  })());
});

self.addEventListener("fetch", (event) => {
  const { request } = event;
  const url = new URL(request.url);
  // the API (and its live stream), other sites and anything but reading: straight to the network
  if (request.method !== "GET" || url.origin !== self.location.origin || url.pathname.startsWith("/api/")) return;
  if (!isShellFile(url.pathname)) return; // e.g. /docs: the gateway's own pages
  if (VERSIONED.test(url.pathname)) event.respondWith(keptFirst(request));
  else event.respondWith(networkFirst(request, url.pathname === "/" ? "/" : request));
});

function isShellFile(path) {
  const plain = path.replace(VERSIONED, "/");
  return SHELL.includes(plain) || plain.startsWith("/js/") || plain.startsWith("/css/");
}

async function keptFirst(request) {
  const cache = await caches.open(CACHE);
  const kept = await cache.match(request);
  if (kept) return kept;
  const response = await fetch(request);
  if (response.ok) await cache.put(request, response.clone());
  return response;
}

async function networkFirst(request, keptAs) {
  const cache = await caches.open(CACHE);
  try {
    const response = await fetch(request);
    if (response.ok) {
      await cache.put(keptAs, response.clone());
      if (keptAs === "/") await dropOtherVersions(cache, prefixOf(await response.clone().text()));
    }
    return response;
  } catch (offline) {
    const kept = await cache.match(keptAs);
    if (kept) return kept;
    throw offline;
  }
}

/** Forget the versioned files the current page no longer loads. */
async function dropOtherVersions(cache, prefix) {
  if (!prefix) return;
  for (const request of await cache.keys()) {
    const path = new URL(request.url).pathname;
    if (VERSIONED.test(path) && !path.startsWith(`${prefix}/`)) await cache.delete(request);
  }
}
