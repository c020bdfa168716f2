// Hash routes ("#/people/42"), so the static server needs no fallback for deep links.

export function parseHash(hash = location.hash) {
  const raw = hash.replace(/^#/, "") || "/";
  const [path, queryString = ""] = raw.split("?");
  return { path: path || "/", query: Object.fromEntries(new URLSearchParams(queryString)) };
}

/** Match `path` against patterns like "/lists/:id"; returns {route, params} or null. */
export function match(routes, path) {
  const parts = path.split("/").filter(Boolean);
  for (const route of routes) {
    const want = route.path.split("/").filter(Boolean);
    if (want.length !== parts.length) continue;
    const params = {};
    const ok = want.every((seg, i) => {
      if (seg.startsWith(":")) { params[seg.slice(1)] = decodeURIComponent(parts[i]); return true; }
      return seg === parts[i];
    });
    if (ok) return { route, params };
  }
  return null;
}

export function navigate(path) {
  const target = `#${path}`;
  if (location.hash === target) window.dispatchEvent(new HashChangeEvent("hashchange"));
  else location.hash = target;
}
