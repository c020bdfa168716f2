// Household tasks ("order the cake", "wrap by the 23rd"): mine first, due times in the reader's own
// time, reminders before the due time, and a repeat rule for the chores that come back.
import { api, getAll } from "../api.js";
import { button, checkbox, empty, field, h, input, newestWins, replaceKeepingFocus, select, textarea } from "../dom.js";
import { act, handleSubmit, values } from "../forms.js";

const FILTERS = [["mine", "Mine"], ["open", "All open"], ["done", "Done"]];
// the values in the API's canonical spelling (shared/validation: P1W is stored as P7D), or a saved reminder
// would not find its box checked when the task is changed, and the next save would drop it
const REMINDERS = [["P7D", "a week before"], ["P1D", "a day before"], ["PT2H", "2 hours before"]];
const REPEATS = [["", "Does not repeat"], ["FREQ=WEEKLY", "Every week"], ["FREQ=MONTHLY", "Every month"], ["FREQ=YEARLY", "Every year"]];
const REPEAT_TEXT = Object.fromEntries(REPEATS);

const dueFmt = new Intl.DateTimeFormat(undefined, { weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" });

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

function taskFields(members, names, occasions, me, task = null) {
  return [
    field("What needs doing", input("title", { required: true, maxlength: 200, placeholder: "Order the birthday cake", value: task?.title || "" })),
    field("Due", input("due_at", { type: "datetime-local", value: dueToInput(task?.due_at) }), "In your own time zone."),
    field("Who does it", select("assignee_id", [["", "Anyone"], ...members.map((m) => [m.user_id, names[m.user_id]])],
      task ? task.assignee_id || "" : me)),
    h("fieldset", { class: "field", dataset: { field: "reminders" } }, h("legend", {}, "Remind me"),
      REMINDERS.map(([value, label]) => checkbox("reminders", label, Boolean(task?.reminders.includes(value)), { value }))),
    field("Repeat", select("rrule", REPEATS, task?.rrule || "")),
    occasions.length ? field("For occasion", select("occasion_id", [["", "None"], ...occasions.map((o) => [o.id, o.name])], task?.occasion_id || "")) : null,
    field("Notes", textarea("notes", { maxlength: 4000, value: task?.notes || "" })),
  ];
}

function taskBody(form) {
  const v = values(form);
  return {
    title: v.title, notes: v.notes || null, assignee_id: v.assignee_id || null, occasion_id: v.occasion_id || null,
    due_at: dueFromInput(v.due_at), rrule: v.rrule || null,
    reminders: [...form.querySelectorAll("input[name=reminders]:checked")].map((b) => b.value),
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
  const listEl = h("ul", { class: "cards", "aria-label": "Tasks" });

  const ticket = newestWins();
  async function load() {
    const newest = ticket();
    const path = filter === "mine" ? "/my-tasks" : `/tasks?status=${filter}`;
    const all = await getAll(session.hh(path));
    if (!newest()) return;
    replaceKeepingFocus(listEl, all.length ? all.map(taskRow)
      : [h("li", {}, empty(filter === "done" ? "Nothing done yet." : "Nothing to do. Enjoy!"))]);
  }

  function taskRow(task) {
    const done = task.status === "done";
    const toggle = button(done ? "Reopen" : "Done", () => act(toggle, async () => {
      await api.post(session.hh(`/tasks/${task.id}/${done ? "reopen" : "complete"}`));
      if (!done && task.rrule) ctx.toast("Done. The next one is on its way.");
      await load();
    }, ctx.toast), { class: done ? "small" : "small primary", "aria-label": `${done ? "Reopen" : "Mark done"}: ${task.title}` });
    const remove = button("Delete", () => {
      if (!confirm(`Delete “${task.title}”?`)) return;
      act(remove, async () => { await api.del(session.hh(`/tasks/${task.id}`)); await load(); }, ctx.toast);
    }, { class: "small link", "aria-label": `Delete ${task.title}` });
    return h("li", { class: `card task ${done ? "done" : ""}`, dataset: { key: task.id } },
      h("div", { class: "row" },
        h("strong", { class: "grow" }, task.title),
        task.rrule ? h("span", { class: "pill" }, REPEAT_TEXT[task.rrule] || "repeats") : null),
      h("p", { class: task.due_at && !done && new Date(task.due_at) < new Date() ? "warn-text" : "muted" }, dueText(task),
        task.assignee_id ? ` · for ${names[task.assignee_id] || "a former member"}` : " · anyone"),
      task.notes ? h("p", { class: "notes" }, task.notes) : null,
      h("div", { class: "actions" }, toggle), editTask(task, remove));
  }

  function editTask(task, remove) {
    const form = h("form", { class: "stack", novalidate: true }, ...taskFields(members, names, occasions, session.me.id, task),
      h("div", { class: "actions" }, h("button", { type: "submit", class: "small" }, "Save")));
    handleSubmit(form, async () => {
      await api.patch(session.hh(`/tasks/${task.id}`), taskBody(form));
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
