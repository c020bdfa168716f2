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

/** A box with its words inside one label: the whole row ticks it, so it is easy to hit. */
export function checkbox(name, label, checked = false, attrs = {}) {
  const box = h("input", { type: "checkbox", name, checked, ...attrs });
  box.id = box.id || uid(name);
  return h("div", { class: "field check", dataset: { field: name } }, h("label", {}, box, h("span", {}, label)));
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
  return Math.round((new Date(y, m - 1, d).getTime() - start.getTime()) / 86400000);
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

const FOCUSABLE = "a[href], button, input, select, textarea, summary";

/** The controls of `row` one can reach now (not those of a closed panel). */
function controlsOf(row) {
  return [...row.querySelectorAll(FOCUSABLE)].filter((el) => el.getClientRects().length > 0);
}

/** What makes a control "the same" after a redraw: its name if it has one, else its words. */
function identity(el) {
  return `${el.tagName}|${el.getAttribute("name") || el.getAttribute("aria-label") || el.textContent.trim()}`;
}

/** Replace `container`'s children (rows with `data-key`) after a refresh, keeping keyboard focus on
 * the "same" control and the same panels open, so a live update does not pull the rug from under anyone.
 * When that control is gone (a claim made: "I'll get this" became "Release my claim"), the focus goes to
 * the row's first action; when the row is gone, to the row that took its place. */
export function replaceKeepingFocus(container, children) {
  const active = document.activeElement;
  let was = null;
  if (active && active !== document.body && container.contains(active)) {
    const owner = active.closest("[data-key]");
    const keys = [...container.querySelectorAll("[data-key]")].map((row) => row.getAttribute("data-key"));
    was = owner ? {
      key: owner.getAttribute("data-key"), id: identity(active), index: controlsOf(owner).indexOf(active), keys,
      selection: selectionOf(active),
    } : null;
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
  if (was) focusAgain(container, was);
}

/** What is selected in a text field (the caret is an empty selection), with the text it was in; null
 * for a control without one (a button, a date). */
function selectionOf(el) {
  try {
    if (typeof el.selectionStart !== "number") return null;
    return { start: el.selectionStart, end: el.selectionEnd, direction: el.selectionDirection, value: el.value };
  } catch { return null; }
}

/** Select in the redrawn field what was selected before, if it holds the same text: words selected to
 * be typed over are typed over, not added to. */
function selectAgain(el, selection) {
  if (!selection || el.value !== selection.value) return;
  try { el.setSelectionRange(selection.start, selection.end, selection.direction); } catch { /* no selection here */ }
}

function focusAgain(container, was) {
  const row = (key) => container.querySelector(`[data-key="${CSS.escape(key)}"]`);
  const owner = row(was.key);
  if (owner) {
    const controls = controlsOf(owner);
    const same = controls.find((el) => identity(el) === was.id);
    const again = same
      || owner.querySelector(".actions button:not([aria-disabled=true]), .actions a[href]")
      || controls[Math.min(was.index, controls.length - 1)];
    if (again) {
      again.focus();
      if (same) selectAgain(same, was.selection);
      return;
    }
  }
  // the row went (a task done among "mine"): the row that follows it, or else the one before
  const at = was.keys.indexOf(was.key);
  const neighbour = [...was.keys.slice(at + 1), ...was.keys.slice(0, at).reverse()].map(row).find(Boolean);
  const next = neighbour && (neighbour.querySelector(".actions button, .actions a[href]") || controlsOf(neighbour)[0]);
  if (next) { /** @type {HTMLElement} */ (next).focus(); return; }
  const heading = /** @type {HTMLElement | null} */ (document.querySelector("#main h1"));
  if (heading) { heading.setAttribute("tabindex", "-1"); heading.focus(); }
}
