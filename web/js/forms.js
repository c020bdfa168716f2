// Forms that talk to the API: busy while sending, the API's error envelope shown where it belongs
// (a field's problem next to that field, the rest above the buttons), focus on the first problem.
import { ApiError } from "./api.js";
import { h } from "./dom.js";

export function clearErrors(form) {
  form.querySelectorAll(".field-error, .form-error").forEach((el) => el.remove());
  form.querySelectorAll("[aria-invalid]").forEach((el) => {
    el.removeAttribute("aria-invalid");
    const described = (el.getAttribute("aria-describedby") || "").split(" ").filter((id) => !id.endsWith("-error"));
    if (described.length) el.setAttribute("aria-describedby", described.join(" "));
    else el.removeAttribute("aria-describedby");
  });
}

/** The control for an API field name: "gift.title" matches name="gift.title", then name="title". */
function controlFor(form, fieldName) {
  const candidates = [fieldName, fieldName.split(".").pop(), fieldName.split(".")[0]];
  for (const name of candidates) {
    const el = form.querySelector(`[name="${CSS.escape(name)}"]`);
    if (el) return el;
  }
  return null;
}

export function showError(form, error) {
  clearErrors(form);
  const err = error instanceof ApiError ? error
    : new ApiError(0, { message: "Something went wrong here; please try again." });
  let first = null;
  const unplaced = [];
  for (const [name, problem] of Object.entries(err.fieldErrors)) {
    const control = controlFor(form, name);
    if (!control) { unplaced.push(`${fieldLabel(name)}: ${problem}`); continue; }
    const wrap = control.closest(".field") || control.parentElement;
    const msg = h("p", { class: "field-error", id: `${control.id}-error` }, h("span", { "aria-hidden": "true" }, "⚠ "), problem);
    wrap.append(msg);
    control.setAttribute("aria-invalid", "true");
    const described = control.getAttribute("aria-describedby");
    control.setAttribute("aria-describedby", described ? `${described} ${msg.id}` : msg.id);
    first = first || control;
  }
  const hasFieldErrors = Object.keys(err.fieldErrors).length > 0;
  if (!hasFieldErrors || unplaced.length) {
    const text = hasFieldErrors ? unplaced.join("; ") : err.message;
    const alert = h("p", { class: "form-error", role: "alert", dataset: { code: err.code } }, text);
    const actions = form.querySelector(".actions");
    actions ? actions.before(alert) : form.append(alert);
    if (!first) alert.setAttribute("tabindex", "-1");
    first = first || alert;
  }
  first.focus();
  keepInView(form.querySelector("button[type=submit]"), first);
}

/** Scroll so that `button` (the form's submit) is in view too, clear of the tab bar, as long as the
 * problem that has the focus stays in view: the person sees both what to fix and where to send again. */
function keepInView(button, focused) {
  if (!button) return;
  button.scrollIntoView({ block: "nearest" }); // the page's scroll padding keeps it above the tab bar
  const topbar = document.getElementById("topbar");
  const ceiling = topbar && !topbar.hidden ? topbar.getBoundingClientRect().bottom : 0;
  if (focused.getBoundingClientRect().top < ceiling) focused.scrollIntoView({ block: "nearest" });
}

const DATE_TYPES = new Set(["date", "datetime-local", "time", "month"]);

/** What the browser knows is wrong before anything is sent, answered as the API answers so it shows
 * next to the field: a required field left empty (an emptied name would otherwise be left out of the
 * request and the old one kept, silently), and a typed day that does not exist (31/04, 30/02), which
 * leaves a date field's value empty and would otherwise save as "no date". */
function localProblems(form) {
  const details = [];
  for (const el of form.elements) {
    if (!el.name || el.disabled || el.type === "hidden" || el.closest("[hidden]")) continue;
    const what = el.type === "time" ? "time" : "date";
    if (DATE_TYPES.has(el.type) && el.validity.badInput) {
      details.push({ field: el.name, problem: `That ${what} does not exist; check the day, month and year.` });
    } else if (el.required && el.value.trim() === "") {
      details.push({ field: el.name, problem: DATE_TYPES.has(el.type) ? `Please give a ${what}.` : "Please fill this in." });
    }
  }
  return details.length
    ? new ApiError(422, { code: "validation_failed", message: "Some fields need a look.", details }) : null;
}

/** A field's API name as a person reads it: "recipient_ids" → "recipients", "gift.title" → "title". */
function fieldLabel(name) {
  const last = name.split(".").pop().replace(/_ids$/, "s").replace(/_id$/, "");
  return last.replace(/_/g, " ");
}

/** Wire `form` to `submit(form)`; while it runs the form is busy and sends nothing more. Its buttons
 * say so with aria-disabled, not disabled: a disabled button loses the keyboard focus to the page. */
export function handleSubmit(form, submit) {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (form.getAttribute("aria-busy") === "true") return;
    const buttons = form.querySelectorAll("button[type=submit]");
    buttons.forEach((b) => b.setAttribute("aria-disabled", "true"));
    form.setAttribute("aria-busy", "true");
    try {
      clearErrors(form);
      const problems = localProblems(form);
      if (problems) throw problems;
      await submit(form);
    } catch (error) {
      if (!(error instanceof ApiError)) console.error(error);
      showError(form, error);
    } finally {
      buttons.forEach((b) => b.removeAttribute("aria-disabled"));
      form.removeAttribute("aria-busy");
    }
  });
  return form;
}

/** The non-empty text fields of a form as an object (empty strings left out, trimmed — but a password
 * is sent exactly as typed: its spaces are part of it). */
export function values(form) {
  const out = {};
  for (const el of form.elements) {
    if (!el.name || el.disabled || el.type === "submit" || el.type === "button") continue;
    if (el.type === "checkbox") continue; // read explicitly: a box's meaning differs per form
    const v = el.type === "password" ? el.value : el.value.trim();
    if (v !== "") out[el.name] = v;
  }
  return out;
}

/** Run an action from a button; an API error goes to the toast, so nothing fails silently. While it
 * runs the button is aria-disabled (a disabled one would drop the keyboard focus) and ignores presses. */
export async function act(buttonEl, fn, toast) {
  if (buttonEl.getAttribute("aria-disabled") === "true") return;
  buttonEl.setAttribute("aria-disabled", "true");
  try {
    await fn();
  } catch (error) {
    toast(error instanceof ApiError ? error.message : "Something went wrong; please try again.", "error");
    if (!(error instanceof ApiError)) console.error(error);
  } finally {
    buttonEl.removeAttribute("aria-disabled");
  }
}
