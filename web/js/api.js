// The REST API over the session cookies the gateway sets at sign-in (same origin, HttpOnly).
// An expired access token is refreshed once, then the request is tried again.

export class ApiError extends Error {
  constructor(status, error) {
    super(error.message || `Request failed (${status})`);
    this.status = status;
    this.code = error.code || "error";
    this.details = error.details ?? null;
  }

  /** Field problems of a `validation_failed` answer, as {field: message}. */
  get fieldErrors() {
    const out = {};
    if (Array.isArray(this.details)) {
      for (const d of this.details) if (d && d.field) out[d.field] = d.problem;
    }
    return out;
  }
}

let signedOutHandler = () => {};
export function onSignedOut(handler) { signedOutHandler = handler; }

let refreshing = null;

/** Trade the refresh cookie for new tokens; one refresh at a time, across tabs where the browser can. */
export function refreshSession() {
  if (!refreshing) {
    const run = async () => {
      const res = await fetch("/api/auth/refresh", { method: "POST", credentials: "same-origin" });
      return res.ok;
    };
    // a refresh token is single-use: two tabs trading the same one would end the session
    const locked = navigator.locks ? navigator.locks.request("gf-refresh", run) : run();
    refreshing = locked.catch(() => false).finally(() => { refreshing = null; });
  }
  return refreshing;
}

async function send(method, path, body) {
  /** @type {RequestInit & {headers: Record<string, string>}} */
  const init = { method, credentials: "same-origin", headers: { accept: "application/json" } };
  if (body !== undefined) {
    init.headers["content-type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  try {
    return await fetch(`/api${path}`, init);
  } catch {
    throw new ApiError(0, { code: "offline", message: "Cannot reach giftflow; check your connection and try again." });
  }
}

async function errorOf(res) {
  try {
    const body = await res.json();
    if (body && body.error) return new ApiError(res.status, body.error);
  } catch { /* not JSON: fall through */ }
  return new ApiError(res.status, { message: `Something went wrong (${res.status}); please try again.` });
}

/** The answer to a request, signed in again once if the session had expired; an error if not ok. */
async function answer(method, path, body) {
  let res = await send(method, path, body);
  if (res.status === 401 && !path.startsWith("/auth/")) {
    if (await refreshSession()) res = await send(method, path, body);
    if (res.status === 401) {
      signedOutHandler();
      throw await errorOf(res);
    }
  }
  if (!res.ok) throw await errorOf(res);
  return res;
}

export async function request(method, path, body) {
  const res = await answer(method, path, body);
  if (res.status === 204) return null;
  const type = res.headers.get("content-type") || "";
  return type.includes("json") ? res.json() : null;
}

export const api = {
  get: (path) => request("GET", path),
  post: (path, body = {}) => request("POST", path, body),
  put: (path, body = {}) => request("PUT", path, body),
  patch: (path, body = {}) => request("PATCH", path, body),
  del: (path) => request("DELETE", path),
  /** A file the API answers (an export), as a Blob to save. */
  blob: async (path) => (await answer("GET", path)).blob(),
};

/** Every item of a cursor-paged collection (`{items, next_cursor}`), up to `max`. */
export async function getAll(path, max = 1000) {
  const items = [];
  let cursor = null;
  const sep = path.includes("?") ? "&" : "?";
  do {
    const page = await api.get(`${path}${sep}limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
    items.push(...page.items);
    cursor = page.next_cursor;
  } while (cursor && items.length < max);
  return items;
}
