// Sign up, log in, and the account page (switch household, log out).
import { api } from "../api.js";
import { button, field, h, input } from "../dom.js";
import { handleSubmit, values } from "../forms.js";
import { codeInNext, invitationNote } from "./households.js";

// pages that need no household, so a new member can be sent straight back to them (a join link)
const WITHOUT_HOUSEHOLD = ["/join", "/households", "/account"];

function afterSignIn(ctx) {
  return async () => {
    await ctx.reloadSession();
    const wanted = ctx.query.next || "";
    const next = wanted.startsWith("/") && !wanted.startsWith("/log") && !wanted.startsWith("/signup") ? wanted : "/";
    const needsNone = WITHOUT_HOUSEHOLD.some((p) => next === p || next.startsWith(`${p}?`));
    ctx.navigate(ctx.session.household || needsNone ? next : "/households");
  };
}

export async function login(ctx) {
  const form = h("form", { class: "card stack", novalidate: true },
    field("Email", input("email", { type: "email", autocomplete: "username", required: true, inputmode: "email" })),
    field("Password", input("password", { type: "password", autocomplete: "current-password", required: true })),
    h("div", { class: "actions" }, h("button", { type: "submit", class: "primary" }, "Log in")));
  handleSubmit(form, async () => {
    await api.post("/auth/login", values(form));
    await afterSignIn(ctx)();
  });
  return h("section", { class: "page narrow" },
    h("h1", {}, "Log in"),
    h("p", { class: "lede" }, "Plan gifts together, without spoiling the surprise."),
    await invitationNote(codeInNext(ctx.query.next)),
    form,
    h("p", {}, h("a", { href: "#/forgot-password" }, "Forgot password?")),
    h("p", {}, "New here? ", h("a", { href: `#/signup${ctx.query.next ? `?next=${encodeURIComponent(ctx.query.next)}` : ""}` }, "Create an account")));
}

export async function signup(ctx) {
  const form = h("form", { class: "card stack", novalidate: true },
    field("Your name", input("display_name", { autocomplete: "name", required: true, maxlength: 80 }),
      "How your family will see you."),
    field("Email", input("email", { type: "email", autocomplete: "email", required: true, inputmode: "email" })),
    field("Password", input("password", { type: "password", autocomplete: "new-password", required: true, minlength: 8 }),
      "At least 8 characters, and hard to guess: three or four unrelated words work well. Not your name or email."),
    h("div", { class: "actions" }, h("button", { type: "submit", class: "primary" }, "Create account")));
  handleSubmit(form, async () => {
    await api.post("/auth/signup", values(form));
    await afterSignIn(ctx)();
  });
  return h("section", { class: "page narrow" },
    h("h1", {}, "Create your account"),
    await invitationNote(codeInNext(ctx.query.next)),
    form,
    h("p", {}, "Already have one? ", h("a", { href: `#/login${ctx.query.next ? `?next=${encodeURIComponent(ctx.query.next)}` : ""}` }, "Log in")));
}

export async function account(ctx) {
  const { me, household } = ctx.session;
  const logout = button("Log out", async () => {
    logout.disabled = true;
    try { await api.post("/auth/logout"); } catch { /* the cookies are cleared either way */ }
    ctx.session.clear();
    ctx.navigate("/login");
  }, { class: "danger" });
  return h("section", { class: "page" },
    h("h1", {}, "Account"),
    h("div", { class: "card stack" },
      h("p", {}, h("strong", {}, me.display_name)),
      h("p", { class: "muted" }, me.email),
      household ? h("p", {}, "Looking at ", h("strong", {}, household.name), ` as ${household.role}.`) : null),
    h("nav", { class: "card links", "aria-label": "Account" },
      h("a", { href: "#/households" }, "Switch or create a household"),
      h("a", { href: "#/join" }, "Join a household with a code")),
    h("div", { class: "actions" }, logout));
}
