// Live updates over Server-Sent Events. The browser reconnects by itself and sends Last-Event-ID, so
// the server replays what was missed. When a reconnect is refused (the access token expired), the
// session is refreshed and a new stream opened with ?since= the last id seen.
//
// A stream's first connection has nothing to replay from: a change committed between a page fetching
// its data and the stream being subscribed would be missed. So the page's first draw waits (briefly)
// until the server says the stream is `ready`, and a page drawn without waiting is reloaded then.
import { api } from "./api.js";

const listeners = new Set();

/** Call `fn(message)` for every entity-changed message; returns the unsubscribe. */
export function onEntityChanged(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

/**
 * @typedef {object} StreamHandlers
 * @property {(notification: object) => void} [onNotification]
 * @property {() => void} [onResync]
 * @property {(state: "live" | "reconnecting" | "offline") => void} [onState]
 * @property {() => void} [onFirstReady]
 */

export class LiveStream {
  /** @param {string} url @param {StreamHandlers} handlers */
  constructor(url, { onNotification = (_notification) => {}, onResync = () => {}, onState = (_state) => {}, onFirstReady = () => {} } = {}) {
    this.url = url;
    this.handlers = { onNotification, onResync, onState, onFirstReady };
    this.lastId = null;
    this.source = null;
    this.closed = false;
    this.retryMs = 1000;
    this.isReady = false; // the server has subscribed this stream: every later change reaches it
    this.readyWaiters = [];
  }

  /** Resolves true once the stream is ready, or false after `timeoutMs` (the page draws anyway). */
  whenReady(timeoutMs) {
    if (this.isReady) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      this.readyWaiters.push(() => { clearTimeout(timer); resolve(true); });
    });
  }

  open() {
    if (this.closed) return;
    const url = this.lastId ? `${this.url}${this.url.includes("?") ? "&" : "?"}since=${encodeURIComponent(this.lastId)}` : this.url;
    const source = new EventSource(url, { withCredentials: true });
    this.source = source;
    const seen = (event) => { if (event.lastEventId) this.lastId = event.lastEventId; };
    source.addEventListener("open", () => { this.retryMs = 1000; this.handlers.onState("live"); });
    source.addEventListener("entity_changed", (event) => {
      seen(event);
      const data = parse(event.data);
      if (data) listeners.forEach((fn) => fn(data));
    });
    source.addEventListener("notification", (event) => {
      seen(event);
      const data = parse(event.data);
      if (data) this.handlers.onNotification(data);
      listeners.forEach((fn) => fn({ entity: "notification", change: "created", id: data && data.id }));
    });
    source.addEventListener("ready", (event) => {
      seen(event);
      if (this.isReady) return;
      this.isReady = true;
      this.readyWaiters.splice(0).forEach((wake) => wake());
      this.handlers.onFirstReady();
    });
    // the server could not replay everything missed: reload what is shown
    source.addEventListener("resync", (event) => {
      seen(event);
      this.handlers.onResync();
      announceResync();
    });
    source.addEventListener("error", () => {
      if (source.readyState === EventSource.CLOSED) this.reopenLater();
      else this.handlers.onState("reconnecting");
    });
  }

  async reopenLater() {
    this.handlers.onState("offline");
    this.source = null;
    if (this.closed) return;
    await new Promise((resolve) => setTimeout(resolve, this.retryMs));
    this.retryMs = Math.min(this.retryMs * 2, 30000);
    try {
      await api.get("/me"); // refreshes the session if that is why the stream was refused
    } catch { /* signed out or offline: try again later */ }
    this.open();
  }

  close() {
    this.closed = true;
    if (this.source) this.source.close();
    this.source = null;
  }
}

/** Tell every open view to reload what it shows. */
export function announceResync() {
  listeners.forEach((fn) => fn({ entity: "*", change: "resync" }));
}

function parse(text) {
  try { return JSON.parse(text); } catch { return null; }
}
