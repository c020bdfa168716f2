// Pick one of my households, start a new one, or join one with an invitation code.
import { api } from "../api.js";
import { empty, field, h, input } from "../dom.js";
import { handleSubmit, values } from "../forms.js";

const localZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";

export async function pick(ctx) {
  await ctx.reloadSession();
  const households = ctx.session.me.households;
  const choose = (hh) => () => { ctx.session.choose(hh); ctx.navigate("/"); };
  const list = households.length
    ? h("ul", { class: "cards", "aria-label": "Your households" }, households.map((hh) =>
      h("li", {}, h("button", { type: "button", class: "card choice", onclick: choose(hh),
        "aria-current": ctx.session.household?.id === hh.id ? "true" : null },
      h("strong", {}, hh.name), h("span", { class: "muted" }, ` · ${hh.role}`)))))
    : empty("You are not in a household yet: start one for your family, or join with a code someone sent you.");

  const form = h("form", { class: "card stack", novalidate: true },
    h("h2", {}, "Start a household"),
    field("Name", input("name", { required: true, maxlength: 120, placeholder: "The Millers" })),
    field("Time zone", input("timezone", { value: localZone(), maxlength: 64 }), "Reminders and due dates use it."),
    h("div", { class: "actions" }, h("button", { type: "submit", class: "primary" }, "Create household")));
  handleSubmit(form, async () => {
    const created = await api.post("/households", values(form));
    await ctx.reloadSession();
    ctx.session.choose(created);
    ctx.toast(`${created.name} is ready.`); // the page it leads to says what to do next
    ctx.navigate("/people");
  });

  return h("section", { class: "page" },
    h("h1", {}, "Your households"),
    list,
    form,
    h("p", {}, h("a", { href: "#/join" }, "Have an invitation code? Join a household")));
}

/** "the Millers household", "The Okafors household", "Pia's family": how a sentence names it. */
export function householdPhrase(name) {
  const article = /^the\s/i.test(name) || /'s\b/i.test(name) ? "" : "the ";
  const noun = /\b(household|family|home)$/i.test(name) ? "" : " household";
  return `${article}${name}${noun}`;
}

/** The invitation code a join link carries, from a page's `next` (signing in on the way to join). */
export function codeInNext(next) {
  if (!next || !next.startsWith("/join?")) return null;
  return new URLSearchParams(next.slice("/join?".length)).get("code");
}

/** Whom a code would have its holder join, as the gateway tells anyone holding it:
 * {household_name, invited_by}, or {problem} when it is unknown, used or expired. */
export async function lookUpInvitation(code) {
  try {
    return await api.post("/invitations/preview", { code });
  } catch (error) {
    return { problem: error.message };
  }
}

/** The line that tells someone following an invitation where it leads, before they sign in. */
export async function invitationNote(code) {
  if (!code) return null;
  const found = await lookUpInvitation(code);
  if (found.problem) return h("p", { class: "card notice", role: "status", "data-testid": "invitation" }, found.problem);
  return h("p", { class: "card notice invited", "data-testid": "invitation" },
    h("strong", {}, `Join ${householdPhrase(found.household_name)}`), `, invited by ${found.invited_by}.`,
    h("span", { class: "block muted" }, "Sign in or create an account, then join."));
}

export async function join(ctx) {
  const code = ctx.query.code || "";
  const found = code ? await lookUpInvitation(code) : null;
  const heading = found && !found.problem ? `Join ${householdPhrase(found.household_name)}` : "Join a household";
  const codeInput = input("code", {
    required: true, autocomplete: "off", autocapitalize: "characters", spellcheck: false,
    value: ctx.query.code || "", placeholder: "K7QM-3XTA",
  });
  // a code typed in whole says where it leads before joining, as a link's does
  const leadsTo = h("p", { class: "hint", role: "status", "data-testid": "typed-invitation" });
  const say = (text) => { leadsTo.textContent = text; leadsTo.classList.toggle("visually-hidden", !text); };
  say("");
  codeInput.addEventListener("change", async () => {
    const typed = codeInput.value;
    if (typed.replace(/[^a-z0-9]/gi, "").length !== 8 || typed === code) { say(""); return; }
    const seen = await lookUpInvitation(typed);
    if (codeInput.value !== typed) return; // typed on meanwhile
    say(seen.problem || `Joins ${householdPhrase(seen.household_name)}, invited by ${seen.invited_by}.`);
  });
  const form = h("form", { class: "card stack", novalidate: true },
    field("Invitation code", codeInput, "Case and dashes do not matter."), leadsTo,
    h("div", { class: "actions" }, h("button", { type: "submit", class: "primary" }, "Join")));
  handleSubmit(form, async () => {
    const joined = await api.post("/invitations/accept", values(form));
    await ctx.reloadSession();
    ctx.session.choose(ctx.session.me.households.find((hh) => hh.id === joined.id) || joined);
    ctx.toast(`Welcome to ${joined.name}!`);
    ctx.navigate("/");
  });
  return h("section", { class: "page narrow" },
    h("h1", {}, heading),
    found && !found.problem ? h("p", { class: "lede", "data-testid": "invitation" }, `Invited by ${found.invited_by}.`)
      : h("p", { class: "lede" }, "Ask an admin of the household for an invitation code."),
    found && found.problem ? h("p", { class: "form-error", role: "alert" }, found.problem) : null,
    form,
    h("p", {}, h("a", { href: "#/households" }, "Back to your households")));
}
