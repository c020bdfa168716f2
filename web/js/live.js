// Live updates over Server-Sent Events. The browser reconnects by itself and sends Last-Event-ID, so
// the server replays what was missed. When a reconnect is refused (the access token expired), the
// session is refreshed and a new stream opened with ?since= the last id seen.
import { api } from "./api.js";

const listeners = new Set();

/** Call `fn(message)` for every entity-changed message; returns the unsubscribe. */
export function onEntityChanged(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

export class LiveStream {
  constructor(url, { onNotification = () => {}, onResync = () => {}, onState = () => {} } = {}) {
    this.url = url;
    this.handlers = { onNotification, onResync, onState };
    this.lastId = null;
    this.source = null;
    this.closed = false;
    this.retryMs = 1000;
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
    // the server could not replay everything missed: reload what is shown
    source.addEventListener("resync", (event) => {
      seen(event);
      this.handlers.onResync();
      listeners.forEach((fn) => fn({ entity: "*", change: "resync" }));
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

function parse(text) {
  try { return JSON.parse(text); } catch { return null; }
}
