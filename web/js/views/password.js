// "Forgot password": ask for a link by mail, then set a new password with it.
import { api } from "../api.js";
import { field, h, input } from "../dom.js";
import { handleSubmit, values } from "../forms.js";

export async function forgotPassword() {
  const sent = h("p", { class: "card", role: "status", hidden: true });
  const form = h("form", { class: "card stack", novalidate: true },
    field("Email", input("email", { type: "email", autocomplete: "username", required: true, inputmode: "email" }),
      "The address you log in with. We mail it a link to set a new password."),
    h("div", { class: "actions" }, h("button", { type: "submit", class: "primary" }, "Send me a link")));
  handleSubmit(form, async () => {
    const answer = await api.post("/auth/password-reset", values(form));
    sent.textContent = answer.message;
    sent.hidden = false;
    form.hidden = true;
    sent.focus?.();
  });
  return h("section", { class: "page narrow" },
    h("h1", {}, "Forgot your password?"),
    form, sent,
    h("p", {}, h("a", { href: "#/login" }, "Back to log in")));
}

export async function resetPassword(ctx) {
  const token = ctx.query.token || "";
  const done = h("div", { class: "card stack", role: "status", hidden: true },
    h("p", {}, "Your new password is set, and every device that was signed in is signed out."),
    h("p", {}, h("a", { href: "#/login" }, "Log in with it")));
  const form = h("form", { class: "card stack", novalidate: true },
    h("input", { type: "hidden", name: "token", value: token }),
    field("New password", input("password", { type: "password", autocomplete: "new-password", required: true, minlength: 8 }),
      "At least 8 characters, and hard to guess: three or four unrelated words work well. Not your name or email."),
    h("div", { class: "actions" }, h("button", { type: "submit", class: "primary" }, "Set my new password")));
  handleSubmit(form, async () => {
    await api.post("/auth/password-reset/confirm", values(form));
    form.hidden = true;
    done.hidden = false;
  });
  return h("section", { class: "page narrow" },
    h("h1", {}, "Set a new password"),
    token ? form : h("p", { class: "card" }, "This page needs the link from your mail. ",
      h("a", { href: "#/forgot-password" }, "Ask for a new one")),
    done);
}
