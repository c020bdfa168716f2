// A few helpers to build the page from data. Text always goes in as text, never as HTML.

/** h("button", {class: "x", onclick: fn}, "Save") */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  let value;
  for (const [key, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (key === "value") value = v;
    else setAttr(el, key, v);
  }
  append(el, children);
  if (value !== undefined) el.value = value; // after the children: a select needs its options first
  return el;
}

function setAttr(el, key, value) {
  if (key.startsWith("on") && typeof value === "function") el.addEventListener(key.slice(2), value);
  else if (key === "class") el.className = value;
  else if (key === "dataset") Object.assign(el.dataset, value);
  else if (value === true) el.setAttribute(key, ""); // as an attribute: form.reset() comes back to it
  else if (key in el && typeof value !== "string") el[key] = value;
  else el.setAttribute(key, value);
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

let ids = 0;
export const uid = (prefix = "f") => `${prefix}-${++ids}`;

/** A labelled form field; `name` is the API's field name, so its errors land next to it. */
export function field(label, input, hint) {
  const id = input.id || uid(input.name || "f");
  input.id = id;
  const hintEl = hint ? h("p", { class: "hint", id: `${id}-hint` }, hint) : null;
  if (hintEl) input.setAttribute("aria-describedby", hintEl.id);
  return h("div", { class: "field", dataset: { field: input.name || "" } },
    h("label", { for: id }, label), input, hintEl);
}

export const input = (name, attrs = {}) => h("input", { name, type: "text", ...attrs });
export const textarea = (name, attrs = {}) => h("textarea", { name, rows: 3, ...attrs });

export function select(name, options, value, attrs = {}) {
  return h("select", { name, ...attrs },
    options.map(([v, label]) => h("option", { value: v, selected: v === value }, label)));
}

export function checkbox(name, label, checked = false, attrs = {}) {
  const box = h("input", { type: "checkbox", name, checked, ...attrs });
  box.id = box.id || uid(name);
  return h("div", { class: "field check", dataset: { field: name } }, box, h("label", { for: box.id }, label));
}

export const button = (label, onclick, attrs = {}) => h("button", { type: "button", onclick, ...attrs }, label);

export function empty(text) { return h("p", { class: "empty" }, text); }

export function loading() { return h("p", { class: "loading", role: "status" }, "Loading…"); }

const dateFmt = new Intl.DateTimeFormat(undefined, { weekday: "short", day: "numeric", month: "short", year: "numeric" });

/** A calendar date from the API ("2025-12-24"), shown in the reader's language. */
export function formatDate(iso) {
  if (!iso) return "";
  const [y, m, d] = iso.split("-").map(Number);
  return dateFmt.format(new Date(y, m - 1, d));
}

export function daysUntil(iso) {
  const [y, m, d] = iso.split("-").map(Number);
  const today = new Date();
  const start = new Date(today.getFullYear(), today.getMonth(), today.getDate());
  return Math.round((new Date(y, m - 1, d) - start) / 86400000);
}

export function whenText(iso) {
  const n = daysUntil(iso);
  if (n === 0) return "today";
  if (n === 1) return "tomorrow";
  return n > 0 ? `in ${n} days` : `${-n} days ago`;
}

/** Money as the API sends it (a decimal string and an ISO currency). */
export function money(amount, currency) {
  if (amount === null || amount === undefined) return "";
  const n = Number(amount);
  if (!currency) return n.toFixed(2);
  try {
    return new Intl.NumberFormat(undefined, { style: "currency", currency }).format(n);
  } catch {
    return `${n.toFixed(2)} ${currency}`;
  }
}

export function timeAgo(iso) {
  const s = Math.round((Date.now() - new Date(iso).getTime()) / 1000);
  if (s < 60) return "just now";
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ago`;
  return new Date(iso).toLocaleDateString();
}

/** For a view's `load()` that several triggers can start at once (a save, a live update): each call
 * takes a ticket, and only the newest may draw, so a slow, stale answer never replaces a fresh one. */
export function newestWins() {
  let latest = 0;
  return () => {
    const mine = ++latest;
    return () => mine === latest;
  };
}

/** Replace `container`'s children (rows with `data-key`) after a refresh, keeping keyboard focus on
 * the "same" control and the same panels open, so a live update does not pull the rug from under anyone. */
export function replaceKeepingFocus(container, children) {
  const active = document.activeElement;
  let key = null;
  if (active && container.contains(active)) {
    const owner = active.closest("[data-key]");
    key = owner ? [owner.dataset.key, active.textContent] : null;
  }
  const open = [...container.querySelectorAll("[data-key] details[open]")].map((d) => d.closest("[data-key]").dataset.key);
  // a row the user is typing in stays as it is until its form is sent: a refresh that was already
  // on its way when they started typing must not wipe what they typed
  const typing = new Map([...container.querySelectorAll("[data-key] form.dirty")]
    .map((form) => form.closest("[data-key]")).map((row) => [row.dataset.key, row]));
  children = children.map((child) => (child && child.dataset && typing.get(child.dataset.key)) || child);
  container.replaceChildren(...children);
  for (const k of open) {
    const details = container.querySelector(`[data-key="${CSS.escape(k)}"] details`);
    if (details) details.open = true;
  }
  if (key) {
    const owner = container.querySelector(`[data-key="${CSS.escape(key[0])}"]`);
    const again = owner && ([...owner.querySelectorAll("button, a, select, input")].find((el) => el.textContent === key[1])
      || owner.querySelector("button, a"));
    if (again) again.focus();
  }
}
