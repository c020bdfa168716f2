// "Download our data": the household's data as a file (JSON, or its gifts and lists as CSV), and a new
// household made from such a file. For the grown-ups, as the API allows.
import { api, ApiError } from "../api.js";
import { button, field, h } from "../dom.js";
import { act, handleSubmit } from "../forms.js";

const MAX_BYTES = 5 * 1024 * 1024; // what the API takes; a larger file is refused here, before sending

function save(blob, filename) {
  const url = URL.createObjectURL(blob);
  const link = h("a", { href: url, download: filename, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

/** A refusal of the file in one sentence: which part of it is wrong, as the API says. */
function refusal(error) {
  if (!(error instanceof ApiError) || !Array.isArray(error.details)) return error;
  const parts = error.details.map((d) => `${d.field || "the file"} ${d.problem}`);
  return new ApiError(error.status, { code: error.code, message: `This file cannot be imported: ${parts.join("; ")}.` });
}

async function readExport(file) {
  if (!file) throw new ApiError(422, { code: "validation_failed", message: "Choose an export file first." });
  if (file.size > MAX_BYTES) {
    throw new ApiError(413, { code: "payload_too_large", message: "An import can be at most 5 MB; this file is larger." });
  }
  try {
    return JSON.parse(await file.text());
  } catch {
    throw new ApiError(422, { code: "validation_failed", message: "This file is not a giftflow export: it is not JSON." });
  }
}

export function householdData(ctx) {
  const { session } = ctx;
  const download = (label, path, filename) => {
    const b = button(label, () => act(b, async () => save(await api.blob(session.hh(path)), filename), ctx.toast));
    return b;
  };
  const importForm = h("form", { class: "stack", novalidate: true },
    field("Export file", h("input", { type: "file", name: "file", accept: "application/json,.json" }),
      "A file downloaded here, from this household or another. It becomes a new household; you are its admin."),
    h("div", { class: "actions" }, h("button", { type: "submit" }, "Import as a new household")));
  handleSubmit(importForm, async () => {
    const exported = await readExport(importForm.elements.file.files[0]);
    const made = await api.post("/households/import", exported).catch((error) => { throw refusal(error); });
    await ctx.reloadSession();
    session.choose(made);
    ctx.toast(`Imported: ${made.name} is a new household.`);
    ctx.navigate("/people");
  });
  return h("details", { class: "card" }, h("summary", {}, "Download our data"),
    h("p", { class: "muted" }, "Everything of this household you can see here, to keep or to take elsewhere. Surprises for you stay out."),
    h("div", { class: "actions" },
      download("Download JSON", "/export", "giftflow-export.json"),
      download("Gifts as CSV", "/export/gifts.csv", "gifts.csv"),
      download("Lists as CSV", "/export/lists.csv", "lists.csv")),
    h("h3", {}, "Import"),
    importForm);
}
