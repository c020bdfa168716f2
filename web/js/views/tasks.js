// Household tasks ("order the cake", "wrap by the 23rd") and the chores that come back: mine first, due
// times in the reader's own time, reminders before the due time, repeats on a schedule or some time after
// it was done, turns taken among chosen members, open tasks anyone takes, and who did a chore when.
import { api, getAll } from "../api.js";
import { button, checkbox, empty, field, h, input, newestWins, replaceKeepingFocus, select, textarea, timeAgo } from "../dom.js";
import { act, handleSubmit, values } from "../forms.js";

const FILTERS = [["mine", "Mine"], ["free", "Up for grabs"], ["open", "All open"], ["done", "Done"]];
// the values in the API's canonical spelling (shared/validation: P1W is stored as P7D), or a saved reminder
// would not find its box checked when the task is changed, and the next save would drop it
const REMINDERS = [["P7D", "a week before"], ["P1D", "a day before"], ["PT2H", "2 hours before"]];
const REMINDER_UNITS = [["M", "minutes"], ["H", "hours"], ["D", "days"], ["W", "weeks"]];
const REPEATS = [["", "Does not repeat"], ["from_due", "On a schedule"], ["from_completion", "Some time after it was done"]];
const EVERY_UNITS = [["DAILY", "days", "day"], ["WEEKLY", "weeks", "week"], ["MONTHLY", "months", "month"], ["YEARLY", "years", "year"]];
const ROTATIONS = [["round_robin", "In turn"], ["least_done", "Whoever has done it least"]];
const SIMPLE_RULE = /^FREQ=(DAILY|WEEKLY|MONTHLY|YEARLY)(?:;INTERVAL=(\d+))?$/;

const dueFmt = new Intl.DateTimeFormat(undefined, { weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" });
const dayFmt = new Intl.DateTimeFormat(undefined, { weekday: "short", day: "numeric", month: "short" });

/** A `datetime-local` value, read in the browser's time zone, as an instant with its offset. */
function dueFromInput(value) {
  return value ? new Date(value).toISOString() : null;
}

/** An instant from the API as a `datetime-local` value in the browser's time zone. */
function dueToInput(iso) {
  if (!iso) return "";
  const d = new Date(iso);
  const pad = (n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** An offset of `n` units as the API spells it back: whole hours of minutes as hours, weeks as days. */
function reminderOffset(n, unit) {
  if (unit === "W") return `P${n * 7}D`;
  if (unit === "D") return `P${n}D`;
  if (unit === "H") return `PT${n}H`;
  const hours = Math.floor(n / 60), minutes = n % 60;
  return `PT${hours ? `${hours}H` : ""}${minutes ? `${minutes}M` : ""}`;
}

/** "3 days before", "1 hour 30 minutes before" for a canonical ISO 8601 offset. */
function reminderText(offset) {
  const preset = REMINDERS.find(([value]) => value === offset);
  if (preset) return preset[1];
  const m = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/.exec(offset);
  if (!m) return `${offset} before`;
  const parts = [[m[1], "day"], [m[2], "hour"], [m[3], "minute"], [m[4], "second"]]
    .filter(([n]) => n && Number(n) > 0).map(([n, unit]) => `${n} ${unit}${Number(n) === 1 ? "" : "s"}`);
  return `${parts.join(" ") || "0 minutes"} before`;
}

/** What a task's repeat rule says, as the pill shows it. */
function repeatText(task) {
  const m = SIMPLE_RULE.exec(task.rrule || "");
  const after = task.recurrence_mode === "from_completion" ? " after it was done" : "";
  if (!m) return `Repeats${after}`;
  const [, freq, interval] = m;
  const unit = EVERY_UNITS.find(([f]) => f === freq);
  const n = Number(interval || 1);
  return `${n === 1 ? `Every ${unit[2]}` : `Every ${n} ${unit[1]}`}${after}`;
}

function reminderFields(task) {
  const saved = task?.reminders || [];
  const offered = [...REMINDERS.map(([value]) => value), ...saved.filter((r) => !REMINDERS.some(([v]) => v === r))];
  return h("fieldset", { class: "field", dataset: { field: "reminders" } }, h("legend", {}, "Remind me"),
    offered.map((value) => checkbox("reminders", reminderText(value), saved.includes(value), { value })),
    h("div", { class: "row" },
      field("Also remind me", input("remind_n", { type: "number", min: 1, max: 999, inputmode: "numeric" })),
      field("Minutes, hours, days or weeks before", select("remind_unit", REMINDER_UNITS, "D"))));
}

function repeatFields(task) {
  const simple = SIMPLE_RULE.exec(task?.rrule || "");
  // a rule set through the API that these controls cannot show is kept as it is, unless changed here
  const kept = task?.rrule && !simple ? [[`keep:${task.recurrence_mode}`, `As set: ${task.rrule}`]] : [];
  const current = !task?.rrule ? "" : simple ? task.recurrence_mode : kept[0][0];
  return h("fieldset", { class: "field", dataset: { field: "rrule" } }, h("legend", {}, "Repeat"),
    // named as the API's fields, so what it says of the mode or the rule lands next to them
    field("How it repeats", select("recurrence_mode", [...REPEATS, ...kept], current)),
    h("div", { class: "row" },
      field("Every", input("every", { type: "number", min: 1, max: 999, inputmode: "numeric", value: simple?.[2] || "1" })),
      field("Days, weeks, months or years", select("rrule", EVERY_UNITS.map(([f, plural]) => [f, plural]), simple?.[1] || "WEEKLY"))));
}

function turnFields(members, names, task) {
  const chosen = task?.rotation || [];
  return h("fieldset", { class: "field", dataset: { field: "rotation" } }, h("legend", {}, "Take turns (when it repeats)"),
    members.map((m) => checkbox("rotation", names[m.user_id], chosen.includes(m.user_id), { value: m.user_id })),
    field("Whose turn is next", select("rotation_mode", ROTATIONS, task?.rotation_mode || "round_robin")));
}

function taskFields(members, names, occasions, me, task = null) {
  return [
    field("What needs doing", input("title", { required: true, maxlength: 200, placeholder: "Order the birthday cake", value: task?.title || "" })),
    field("Due", input("due_at", { type: "datetime-local", value: dueToInput(task?.due_at) }), "In your own time zone."),
    field("Who does it", select("assignee_id", [["", "Anyone (up for grabs)"], ...members.map((m) => [m.user_id, names[m.user_id]])],
      task ? task.assignee_id || "" : me)),
    reminderFields(task),
    repeatFields(task),
    turnFields(members, names, task),
    occasions.length ? field("For occasion", select("occasion_id", [["", "None"], ...occasions.map((o) => [o.id, o.name])], task?.occasion_id || "")) : null,
    field("Notes", textarea("notes", { maxlength: 4000, value: task?.notes || "" })),
  ];
}

/** The rule and mode the repeat controls say; a kept rule as it was. */
function repeatBody(v, task) {
  if (!v.recurrence_mode) return { rrule: null };
  if (v.recurrence_mode.startsWith("keep:")) return { rrule: task.rrule, recurrence_mode: task.recurrence_mode };
  const every = Number(v.every || 1);
  return { rrule: `FREQ=${v.rrule}${every > 1 ? `;INTERVAL=${every}` : ""}`, recurrence_mode: v.recurrence_mode };
}

function taskBody(form, task = null) {
  const v = values(form);
  const checked = (name) => [...form.querySelectorAll(`input[name=${name}]:checked`)].map((b) => /** @type {HTMLInputElement} */ (b).value);
  const reminders = checked("reminders");
  if (v.remind_n) reminders.push(reminderOffset(Number(v.remind_n), v.remind_unit));
  const repeat = repeatBody(v, task);
  const rotation = repeat.rrule ? checked("rotation") : [];
  return {
    title: v.title, notes: v.notes || null, assignee_id: v.assignee_id || null, occasion_id: v.occasion_id || null,
    due_at: dueFromInput(v.due_at), reminders: [...new Set(reminders)], ...repeat,
    rotation, rotation_mode: rotation.length ? v.rotation_mode : null,
  };
}

function dueText(task) {
  if (!task.due_at) return "No due time";
  const due = new Date(task.due_at);
  const late = task.status === "open" && due < new Date();
  return `${late ? "Overdue: " : "Due "}${dueFmt.format(due)}`;
}

export async function tasks(ctx) {
  const { session } = ctx;
  const filter = FILTERS.some(([key]) => key === ctx.query.show) ? ctx.query.show : "mine";
  const [members, occasions] = await Promise.all([api.get(session.hh("/members")), getAll(session.hh("/occasions"))]);
  const names = Object.fromEntries(members.map((m) => [m.user_id, m.user_id === session.me.id ? "you" : m.display_name]));
  const nameOf = (id) => names[id] || "a former member";
  const listEl = h("ul", { class: "cards", "aria-label": "Tasks" });

  const ticket = newestWins();
  async function load() {
    const newest = ticket();
    const path = { mine: "/my-tasks", free: "/tasks?status=open&unassigned=true" }[filter] || `/tasks?status=${filter}`;
    const all = await getAll(session.hh(path));
    if (!newest()) return;
    const nothing = { done: "Nothing done yet.", free: "Nothing up for grabs." }[filter] || "Nothing to do. Enjoy!";
    replaceKeepingFocus(listEl, all.length ? all.map(taskRow) : [h("li", {}, empty(nothing))]);
  }

  function taskRow(task) {
    const done = task.status === "done";
    const toggle = button(done ? "Reopen" : "Done", () => act(toggle, async () => {
      await api.post(session.hh(`/tasks/${task.id}/${done ? "reopen" : "complete"}`));
      if (!done && task.rrule) ctx.toast("Done. The next one is on its way.");
      await load();
    }, ctx.toast), { class: done ? "small" : "small primary", "aria-label": `${done ? "Reopen" : "Mark done"}: ${task.title}` });
    const take = !done && !task.assignee_id ? button("Take it", () => act(take, async () => {
      await api.post(session.hh(`/tasks/${task.id}/take`));
      ctx.toast("It's yours.");
      await load();
    }, ctx.toast), { class: "small", "aria-label": `Take: ${task.title}` }) : null;
    const giveBack = !done && task.assignee_id === session.me.id ? button("Give back", () => act(giveBack, async () => {
      await api.post(session.hh(`/tasks/${task.id}/give-back`));
      ctx.toast("Given back: anyone can take it now.");
      await load();
    }, ctx.toast), { class: "small", "aria-label": `Give back: ${task.title}` }) : null;
    const remove = button("Delete", () => {
      if (!confirm(`Delete “${task.title}”?`)) return;
      act(remove, async () => { await api.del(session.hh(`/tasks/${task.id}`)); await load(); }, ctx.toast);
    }, { class: "small link", "aria-label": `Delete ${task.title}` });
    return h("li", { class: `card task ${done ? "done" : ""}`, dataset: { key: task.id } },
      h("div", { class: "row" },
        h("strong", { class: "grow" }, task.title),
        task.rrule ? h("span", { class: "pill" }, repeatText(task)) : null),
      h("p", { class: task.due_at && !done && new Date(task.due_at) < new Date() ? "warn-text" : "muted" }, dueText(task),
        task.assignee_id ? ` · for ${nameOf(task.assignee_id)}` : " · up for grabs"),
      task.rotation.length ? h("p", { class: "muted" },
        `Turns: ${task.rotation.map(nameOf).join(", ")} (${task.rotation_mode === "least_done" ? "whoever has done it least" : "in turn"})`) : null,
      task.notes ? h("p", { class: "notes" }, task.notes) : null,
      h("div", { class: "actions" }, toggle, take, giveBack),
      task.series_id ? history(task) : null,
      editTask(task, remove));
  }

  /** Who did this chore when, read when opened. */
  function history(task) {
    const body = h("div", { class: "stack" });
    const details = h("details", { class: "item-edit" }, h("summary", {}, "Who did it"), body);
    details.addEventListener("toggle", async () => {
      if (!details.open) return;
      try {
        const seen = await api.get(session.hh(`/tasks/${task.id}/history`));
        body.replaceChildren(
          seen.counts.length ? h("ul", { class: "chips", "aria-label": "How often each has done it" },
            seen.counts.map((c) => h("li", { class: "pill" }, `${nameOf(c.user_id)}: ${c.done}×`))) : null,
          seen.done.length ? h("ul", { class: "rows", "aria-label": "Who did each one" }, seen.done.map((d) => h("li", {},
            `${d.completed_by ? nameOf(d.completed_by) : "Someone"} did the one due ${d.due_at ? dayFmt.format(new Date(d.due_at)) : "whenever"}, ${timeAgo(d.completed_at)}`)))
            : empty("Not done yet."));
      } catch (error) {
        body.replaceChildren(empty("Could not load who did it; try again."));
        console.error(error);
      }
    });
    return details;
  }

  function editTask(task, remove) {
    const form = h("form", { class: "stack", novalidate: true }, ...taskFields(members, names, occasions, session.me.id, task),
      h("div", { class: "actions" }, h("button", { type: "submit", class: "small" }, "Save")));
    handleSubmit(form, async () => {
      await api.patch(session.hh(`/tasks/${task.id}`), taskBody(form, task));
      ctx.toast("Saved.");
      await load();
    });
    return h("details", { class: "item-edit" }, h("summary", {}, "Change"), form, h("div", { class: "actions" }, remove));
  }

  await load();
  ctx.onChange(["task", "reminder", "member"], () => { if (!listEl.querySelector("form.dirty")) load(); });

  const form = h("form", { class: "card stack", novalidate: true },
    h("h2", {}, "Add a task"), ...taskFields(members, names, occasions, session.me.id),
    h("div", { class: "actions" }, h("button", { type: "submit", class: "primary" }, "Add task")));
  handleSubmit(form, async () => {
    await api.post(session.hh("/tasks"), taskBody(form));
    form.reset();
    form.classList.remove("dirty");
    ctx.toast("Task added.");
    await load();
  });

  const tabs = h("nav", { class: "segmented", "aria-label": "Which tasks" }, FILTERS.map(([key, label]) =>
    h("a", { href: `#/tasks?show=${key}`, "aria-current": key === filter ? "page" : null }, label)));
  return h("section", { class: "page wide" }, h("h1", {}, "Tasks"),
    h("div", { class: "split" }, h("div", { class: "main" }, tabs, listEl), h("div", { class: "side" }, form)));
}
