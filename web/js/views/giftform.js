// The gift form, with URL import: paste a product link and the empty fields are filled from the
// page; whatever the user typed stays as typed (the gateway keeps typed fields, and so do we). What an
// earlier link filled in, and nobody changed since, belongs to that link: another link replaces it.
// With the person it is for known, the form says when they were given (or got) the like before.
import { ApiError, api } from "../api.js";
import { button, checkbox, field, formatDate, h, input, textarea } from "../dom.js";
import { giversText } from "./history.js";

const IMPORTED = ["title", "price", "currency", "image_url"];
const LABELS = { title: "name", price: "price", currency: "currency", image_url: "picture" };

export function giftFields(gift = {}) {
  return [
    field("Link to the product", input("url", { type: "url", inputmode: "url", value: gift.url || "", placeholder: "https://…", autocomplete: "off" }),
      "Paste a link and we fill in what the shop's page tells us."),
    h("div", { class: "import-row" }),
    field("What is it?", input("title", { required: true, maxlength: 200, value: gift.title || "" })),
    h("div", { class: "similar", role: "status" }),
    h("div", { class: "two" },
      field("Price", input("price", { inputmode: "decimal", value: gift.price ?? "", placeholder: "24.99" })),
      field("Currency", input("currency", { maxlength: 3, value: gift.currency || "", placeholder: "EUR", autocapitalize: "characters" }))),
    field("Picture link", input("image_url", { type: "url", inputmode: "url", value: gift.image_url || "" })),
    field("Tags", input("tags", { value: (gift.tags || []).join(", "), placeholder: "books, outdoors" }), "Separated by commas."),
    field("Notes", textarea("notes", { maxlength: 4000, value: gift.notes || "" })),
    checkbox("from_santa", "From Santa (children see Santa as the giver)", Boolean(gift.from_santa)),
  ];
}

/** Adds the "Fill from link" button to a form made with giftFields(). */
export function wireImport(form, ctx) {
  const status = h("p", { class: "hint", role: "status" });
  const fill = button("Fill from link", () => importInto(form, ctx, fill, status), { class: "small" });
  form.querySelector(".import-row").append(fill, status);
  const url = form.elements.url;
  // a pasted link is imported straight away; a typed one on request
  url.addEventListener("paste", () => setTimeout(() => { if (url.value.trim()) importInto(form, ctx, fill, status); }, 0));
}

/** Filled in by an earlier import and not changed by the user since. */
function fromImport(el) {
  return el.classList.contains("imported") && el.value === el.dataset.importedValue;
}

async function importInto(form, ctx, fill, status) {
  const typed = { url: form.elements.url.value.trim() };
  for (const name of IMPORTED) {
    const el = form.elements[name];
    const v = el.value.trim();
    if (v && !fromImport(el)) typed[name] = v;
  }
  status.classList.remove("error");
  if (!typed.url) { status.textContent = "Paste or type a link first."; form.elements.url.focus(); return; }
  status.textContent = "Reading the page…";
  fill.disabled = true;
  try {
    const draft = await api.post(ctx.session.hh("/gifts/import"), typed);
    for (const name of IMPORTED) { // the previous product's details go with its link
      const el = form.elements[name];
      if (fromImport(el) && !(name in typed)) { el.value = ""; el.classList.remove("imported"); }
    }
    const filled = [];
    for (const name of draft.imported) {
      const el = form.elements[name];
      // typed while the page loaded? then it stays as typed
      if (el && !el.value.trim() && draft[name] !== null && draft[name] !== undefined) {
        el.value = draft[name];
        el.dataset.importedValue = el.value;
        el.classList.add("imported");
        filled.push(LABELS[name]);
      }
    }
    status.textContent = filled.length ? `Filled in from the page: ${filled.join(", ")}. Check and change anything.`
      : "The page had nothing to add; type the gift in.";
  } catch (error) {
    // the page could not be read: say why where the link is, and let the user type the gift in
    status.classList.add("error");
    status.textContent = error instanceof ApiError ? error.message : "The page could not be read.";
  } finally {
    fill.disabled = false;
  }
}

/** The gift fields of a form as the gifts endpoint takes them (empty ones left out, or null on edit). */
export function giftBody(form, { nulls = false } = {}) {
  const body = {};
  for (const name of ["title", "url", "price", "currency", "image_url", "notes"]) {
    const v = form.elements[name].value.trim();
    if (v) body[name] = v;
    else if (nulls) body[name] = null;
  }
  body.tags = form.elements.tags.value.split(",").map((t) => t.trim()).filter(Boolean);
  body.from_santa = form.elements.from_santa.checked;
  return body;
}

const SIMILAR_AFTER_MS = 400;

/** What the history says of a gift like this one: "You gave Grandma “Wool scarf” for Christmas 2025". */
function similarText(r) {
  const when = r.occasion_name ? `for ${r.occasion_name} ${r.year}` : `on ${formatDate(r.occurs_on)}`;
  if (r.source === "given") return `You gave ${r.recipient_name} “${r.title}” ${when}.`;
  const from = giversText(r);
  return `${r.recipient_name} already got “${r.title}”${from ? ` from ${from}` : ""} ${when}.`;
}

/** Warn, as the title is typed, when the history holds a gift like it for one of `personIds` (the
 * people the gift is for). Only a warning: the form saves all the same. `giftId`: the gift being
 * changed, whose own history is no repeat. */
export function wireSimilar(form, ctx, personIds, giftId = null) {
  const out = form.querySelector(".similar");
  if (!out || !personIds.length) return;
  const title = form.elements.title;
  let timer = null;
  let asked = 0;
  const check = async () => {
    const mine = ++asked;
    const text = title.value.trim();
    if (text.length < 3) { out.replaceChildren(); return; }
    const found = await Promise.all(personIds.map((id) => ctx.session.hh(`/history/similar?person_id=${id}&title=${encodeURIComponent(text)}`))
      .map((path) => api.get(path).catch(() => [])));
    if (mine !== asked) return; // typed on since: a newer answer is on its way
    const records = found.flat().filter((r) => !giftId || r.gift_id !== giftId);
    out.replaceChildren(...records.slice(0, 3).map((r) => h("p", { class: "warn-text" },
      h("span", { "aria-hidden": "true" }, "⚠ "), similarText(r))));
  };
  title.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(check, SIMILAR_AFTER_MS); });
  title.addEventListener("change", () => { clearTimeout(timer); check(); });
  if (title.value.trim()) check();
}
