// Gift history: what each person was given and by whom, year by year and occasion by occasion, the gifts
// someone received recorded by hand (from someone in the household or from outside it), who has been
// thanked, and a task so nobody forgets to say thank you. What a member may not see yet (their own gifts
// before the household's reveal) the API never sends: this page shows what it is given.
import { api, getAll } from "../api.js";
import {
  button, checkbox, empty, field, formatDate, h, input, money, newestWins, replaceKeepingFocus, select, textarea,
} from "../dom.js";
import { act, handleSubmit, values } from "../forms.js";

const OUTSIDE = ""; // the giver select's value for "someone outside the household"
const YEARS_OFFERED = 10;
const THANK_DUE_IN_DAYS = 3;

/** Today in the browser's calendar, as a date field takes it. */
function today() {
  const d = new Date();
  const pad = (n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** "Aunt Ruth", "Sam and Ana", "Sam, Ana and Lu": who gave a record's gift, as the API names them. */
export function giversText(r) {
  const names = r.givers.length ? r.givers.map((g) => g.name) : [r.giver_name].filter(Boolean);
  if (!names.length) return "";
  return names.length === 1 ? names[0] : `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]}`;
}

/** Records in the API's order (newest first), grouped by year, then by occasion within the year. */
export function byYearAndOccasion(records) {
  const years = new Map();
  for (const r of records) {
    if (!years.has(r.year)) years.set(r.year, new Map());
    const occasions = years.get(r.year);
    // by name too: an occasion since removed keeps its name in the history
    const key = r.occasion_name ? `${r.occasion_id || r.occasion_name}|${r.occurs_on}` : "none";
    if (!occasions.has(key)) occasions.set(key, { occasion_name: r.occasion_name || null, occurs_on: r.occurs_on, records: [] });
    occasions.get(key).records.push(r);
  }
  return [...years].map(([year, occasions]) => ({ year, occasions: [...occasions.values()] }));
}

/** Who the signed-in member is among the household's people, and what they may do with a record. */
function rights(session, people) {
  const mine = new Set(people.filter((p) => p.linked_user_id === session.me.id).map((p) => p.id));
  const linked = new Set(people.filter((p) => p.linked_user_id).map((p) => p.id));
  return {
    mine,
    // the recipient's member(s) and the grown-ups; a gift the family gave only once its recipient may know
    mayThank: (r) => (!session.isChild || mine.has(r.recipient_person_id)) && (r.source === "received" || r.revealed),
    mayDelete: (r) => r.source === "received" && (session.isAdmin || r.recorded_by === session.me.id),
    hasMember: (personId) => linked.has(personId),
  };
}

/** One gift in the history, with its thank-you: a box to tick, and a task to remember it by. */
function recordRow(ctx, r, can, reload) {
  const { session } = ctx;
  const from = giversText(r);
  const thanked = can.mayThank(r) ? thankedBox(ctx, r, reload) : null;
  const remind = can.mayThank(r) && !r.thanked && !r.thank_task_id && !r.givers.some((g) => g.user_id === session.me.id)
    ? remindButton(ctx, r, can, reload) : null;
  const remove = can.mayDelete(r) ? button("Remove", () => {
    if (!confirm(`Remove “${r.title}” from ${r.recipient_name}'s history?`)) return;
    act(remove, async () => { await api.del(session.hh(`/history/${r.id}`)); await reload(); }, ctx.toast);
  }, { class: "small link", "aria-label": `Remove ${r.title} from the history` }) : null;
  const planned = !r.thanked && r.thank_task_id;
  return h("li", { class: "card record", dataset: { key: r.id } },
    h("div", { class: "row" },
      h("strong", { class: "grow" }, r.title),
      r.price ? h("span", { class: "price" }, money(r.price, r.currency)) : null),
    h("p", {}, `To ${r.recipient_name}`, from ? ` · from ${from}` : ""),
    // the occasion's heading has the day; a gift at no occasion says it here
    r.occasion_name && r.source === "given" ? null : h("p", { class: "muted" }, r.occasion_name ? "" : formatDate(r.occurs_on),
      r.source === "received" ? (r.occasion_name ? "Recorded as received" : " · recorded as received") : null),
    !r.revealed && r.source === "given" && can.hasMember(r.recipient_person_id) && !can.mine.has(r.recipient_person_id)
      ? h("p", { class: "muted" }, r.reveals_on ? `${r.recipient_name} sees it from ${formatDate(r.reveals_on)}` : `Kept from ${r.recipient_name}`) : null,
    r.notes ? h("p", { class: "notes" }, r.notes) : null,
    r.thanked ? h("span", { class: "pill ok" }, "Thanked") : planned ? h("span", { class: "pill warn" }, "Thank-you planned") : null,
    thanked || remind || remove ? h("div", { class: "actions" }, thanked, remind,
      planned ? h("a", { class: "button small", href: "#/tasks" }, "See the task") : null, remove) : null);
}

/** A thank-you task: for the recipient when they have their own account (a grown-up reminding a
 * child, say), else for me (my own gifts, or those of someone who is not a member, like Grandpa). */
function remindButton(ctx, r, can, reload) {
  const theirs = can.hasMember(r.recipient_person_id) && !can.mine.has(r.recipient_person_id);
  const label = theirs ? `Remind ${r.recipient_name} to thank` : "Remind me to thank";
  const remind = button(label, () => act(remind, async () => {
    const task = await api.post(ctx.session.hh(`/history/${r.id}/thank-you-task`),
      { due_in_days: THANK_DUE_IN_DAYS, assignee_id: theirs ? null : ctx.session.me.id });
    ctx.toast(`Planned: “${task.title}”, on ${theirs ? `${r.recipient_name}'s` : "your"} tasks.`);
    await reload();
  }, ctx.toast), { class: "small", "aria-label": `${label} for ${r.title}` });
  return remind;
}

function thankedBox(ctx, r, reload) {
  const wrap = checkbox("thanked", "Thanked", r.thanked, { "aria-label": `Thanked for ${r.title}` });
  const box = /** @type {HTMLInputElement} */ (wrap.querySelector("input"));
  box.addEventListener("change", () => act(box, async () => {
    await api.put(ctx.session.hh(`/history/${r.id}/thanks`), { thanked: box.checked });
    ctx.toast(box.checked ? `Thanked for ${r.title}.` : `${r.title}: not thanked yet.`);
  }, ctx.toast).finally(reload));
  return wrap;
}

/** The year headings and occasion groups of a history, each gift as a card. */
function grouped(ctx, records, can, reload) {
  return byYearAndOccasion(records).map(({ year, occasions }) => h("li", { class: "history-year", dataset: { key: `year-${year}` } },
    h("h2", { id: `year-${year}` }, String(year)),
    occasions.map((o) => h("section", { class: "history-occasion", "aria-label": `${o.occasion_name || "Other gifts"} ${year}` },
      h("h3", {}, o.occasion_name ? `${o.occasion_name} · ${formatDate(o.occurs_on)}` : "Other gifts"),
      h("ul", { class: "cards" }, o.records.map((r) => recordRow(ctx, r, can, reload)))))));
}

/** The form to record a gift someone received. A child records only for themselves. */
function receivedForm(ctx, people, occasions, can, reload) {
  const { session } = ctx;
  const recipients = session.isChild ? people.filter((p) => can.mine.has(p.id)) : people;
  if (!recipients.length) return null;
  const me = recipients.find((p) => can.mine.has(p.id));
  const nameField = field("Their name", input("giver_name", { required: true, maxlength: 120, autocomplete: "off", placeholder: "Aunt Ruth" }));
  const giver = select("giver_person_id", [[OUTSIDE, "Someone outside the household"], ...people.map((p) => [p.id, p.name])], OUTSIDE);
  giver.addEventListener("change", () => { nameField.hidden = giver.value !== OUTSIDE; });
  const form = h("form", { class: "card stack record-received", novalidate: true },
    h("h2", {}, "Record a gift received"),
    field("Who received it", select("recipient_person_id", recipients.map((p) => [p.id, p.name]), (me || recipients[0]).id)),
    field("Who gave it", giver),
    nameField,
    field("What was it", input("title", { required: true, maxlength: 200, autocomplete: "off", placeholder: "Wool scarf" })),
    field("When", input("received_on", { type: "date", required: true, value: today(), max: today() })),
    occasions.length ? field("Occasion", select("occasion_id", [["", "No particular occasion"], ...occasions.map((o) => [o.id, o.name])], "")) : null,
    h("div", { class: "two" },
      field("Price", input("price", { inputmode: "decimal", placeholder: "24.99" })),
      field("Currency", input("currency", { maxlength: 3, placeholder: "EUR", autocapitalize: "characters" }))),
    field("Notes", textarea("notes", { maxlength: 4000 })),
    h("div", { class: "actions" }, h("button", { type: "submit", class: "primary" }, "Record gift")));
  handleSubmit(form, async () => {
    const v = values(form);
    const outside = giver.value === OUTSIDE;
    const record = await api.post(session.hh("/history"), {
      recipient_person_id: v.recipient_person_id,
      ...(outside ? { giver_name: v.giver_name ?? "" } : { giver_person_id: giver.value }),
      title: v.title, received_on: v.received_on, occasion_id: v.occasion_id || null,
      price: v.price ?? null, currency: v.currency ?? null, notes: v.notes ?? null,
    });
    const keep = form.elements.recipient_person_id.value;
    form.reset();
    form.elements.recipient_person_id.value = keep;
    form.elements.received_on.value = today();
    nameField.hidden = false;
    form.classList.remove("dirty");
    ctx.toast(`${record.title} is in ${record.recipient_name}'s history.`);
    await reload();
  });
  return form;
}

/** A sentence on when the household's gifts are shown to the people they were for. */
export function revealText(household) {
  if (household.reveal === "at_occasion") return "A gift from the family shows in its recipient's history on the day of the occasion.";
  if (household.reveal === "never") return "Gifts from the family stay hidden from their recipient in the history.";
  const n = household.reveal_after_days ?? 1;
  return `A gift from the family shows in its recipient's history ${n} day${n === 1 ? "" : "s"} after the occasion.`;
}

export async function giftHistory(ctx) {
  const { session } = ctx;
  const [people, occasions] = await Promise.all([getAll(session.hh("/people")), getAll(session.hh("/occasions"))]);
  const can = rights(session, people);
  const filters = {
    person: people.some((p) => p.id === ctx.query.person) ? ctx.query.person : "",
    year: /^\d{4}$/.test(ctx.query.year || "") ? ctx.query.year : "",
    open: ctx.query.open === "1",
  };
  const listEl = h("ul", { class: "history", "aria-label": "Gift history" });

  const ticket = newestWins();
  async function load() {
    const newest = ticket();
    const query = new URLSearchParams();
    if (filters.person) query.set("person_id", filters.person);
    if (filters.year) query.set("year", filters.year);
    if (filters.open) query.set("thanked", "false");
    const records = await getAll(session.hh(`/history${String(query) ? `?${query}` : ""}`));
    if (!newest()) return;
    const filtered = filters.person || filters.year || filters.open;
    replaceKeepingFocus(listEl, records.length ? grouped(ctx, records, can, load)
      : [h("li", {}, empty(filtered ? "No gifts match these filters."
        : "Nothing here yet. What the family gives is added once each occasion is over; record below what someone received."))]);
  }

  const thisYear = new Date().getFullYear();
  // next year too: a gift handed over early is for the occasion to come
  const years = Array.from({ length: YEARS_OFFERED + 1 }, (_, i) => String(thisYear + 1 - i));
  if (filters.year && !years.includes(filters.year)) years.push(filters.year);
  const personFilter = select("person", [["", "Everyone"], ...people.map((p) => [p.id, p.name])], filters.person);
  const yearFilter = select("year", [["", "All years"], ...years.map((y) => [y, y])], filters.year);
  const openFilter = checkbox("open", "Not yet thanked", filters.open);
  const filterForm = h("form", { class: "filters", role: "search", "aria-label": "Filter the history" },
    h("div", { class: "two even" }, field("Received by", personFilter), field("Year", yearFilter)), openFilter);
  filterForm.addEventListener("submit", (event) => event.preventDefault());
  filterForm.addEventListener("change", () => {
    filters.person = personFilter.value;
    filters.year = yearFilter.value;
    filters.open = /** @type {HTMLInputElement} */ (openFilter.querySelector("input")).checked;
    const query = new URLSearchParams();
    if (filters.person) query.set("person", filters.person);
    if (filters.year) query.set("year", filters.year);
    if (filters.open) query.set("open", "1");
    // the address keeps the filters (a reload or a shared link shows the same), without drawing the page again
    window.history.replaceState(null, "", `#/history${String(query) ? `?${query}` : ""}`);
    load();
  });

  await load();
  ctx.onChange(["history", "household", "person", "occasion"], () => { if (!listEl.querySelector("form.dirty")) load(); });

  const form = receivedForm(ctx, people, occasions, can, load);
  return h("section", { class: "page wide" },
    h("h1", {}, "History"),
    h("p", { class: "lede" }, "What the family gave and received, year by year, and who has been thanked."),
    h("div", { class: "split" },
      h("div", { class: "main" }, filterForm, listEl),
      h("div", { class: "side stack" }, form, h("p", { class: "hint" }, revealText(session.household)))));
}

/** On a person's page: their history, year by year and occasion by occasion, what we gave them beside
 * what they gave — "what did we give Grandma last year" in one look. */
export async function personHistory(ctx, person) {
  const { session } = ctx;
  const body = h("div", { class: "stack" });
  const ticket = newestWins();
  async function load() {
    const newest = ticket();
    const seen = await api.get(session.hh(`/people/${person.id}/history`));
    if (!newest()) return;
    body.replaceChildren(...(seen.years.length ? seen.years.map((y) => yearCard(y)) : [empty(`No gifts in ${person.name}'s history yet.`)]));
  }
  // what they received says who from; what they gave, to whom
  const gifts = (records, theirs) => h("ul", { class: "plain" }, records.map((r) => {
    const from = theirs ? "" : giversText(r);
    return h("li", {}, h("strong", {}, r.title), from ? h("span", { class: "muted" }, ` from ${from}`) : null,
      theirs ? h("span", { class: "muted" }, ` to ${r.recipient_name}`) : null,
      r.thanked ? h("span", { class: "pill ok" }, "thanked") : null);
  }));
  function yearCard(y) {
    return h("section", { class: "card history-year", "aria-label": `${person.name} in ${y.year}` },
      h("h3", {}, String(y.year)),
      h("dl", { class: "facts history-facts" }, y.occasions.map((o) => [
        h("dt", {}, o.occasion_name || formatDate(o.occurs_on)),
        h("dd", {},
          o.to_them.length ? h("div", {}, h("span", { class: "muted" }, `To ${person.name}: `), gifts(o.to_them, false)) : null,
          o.from_them.length ? h("div", {}, h("span", { class: "muted" }, `From ${person.name}: `), gifts(o.from_them, true)) : null),
      ])));
  }
  await load();
  ctx.onChange(["history", "household"], load);
  return h("section", { "aria-labelledby": "history-h" },
    h("div", { class: "page-head" }, h("h2", { id: "history-h", class: "grow" }, "Gift history"),
      h("a", { class: "button small", href: `#/history?person=${encodeURIComponent(person.id)}` }, `All gifts to ${person.name}`)),
    body);
}
