// The household's members; admins invite (by code, link or mail), see and revoke open invitations,
// change roles and remove; anyone may leave.
import { api } from "../api.js";
import { button, field, h, input, select, timeAgo } from "../dom.js";
import { act, handleSubmit, values } from "../forms.js";
import { householdData } from "./household_data.js";

const ROLES = [["adult", "Adult"], ["child", "Child"], ["admin", "Admin"]];
const REVEALS = [["at_occasion", "On the day of the occasion"], ["after_days", "Some days after the occasion"], ["never", "Never"]];

/** Share an invitation where the device can (a phone's share sheet), else copy its link. */
function shareButton(ctx, link, linkEl) {
  const household = ctx.session.household.name;
  const canShare = typeof navigator.share === "function";
  const share = button(canShare ? "Share the invitation" : "Copy the link", () => act(share, async () => {
    if (canShare) {
      try {
        await navigator.share({ title: `Join ${household} on giftflow`, text: `Join ${household} on giftflow:`, url: link });
        return;
      } catch (error) {
        if (error.name === "AbortError") return; // they closed the share sheet
      }
    }
    try {
      await navigator.clipboard.writeText(link);
      ctx.toast("Link copied: paste it into a message to them.");
    } catch {
      getSelection().selectAllChildren(linkEl); // no clipboard here: the link is selected to copy by hand
      ctx.toast("Copy the selected link and send it to them.");
    }
  }, ctx.toast), { class: "primary" });
  return share;
}

/** When the person a gift was for may see it, with who gave it, in their history. */
function revealFields(household) {
  const when = select("reveal", REVEALS, household.reveal || "after_days");
  const days = input("reveal_after_days", { type: "number", min: 1, max: 365, inputmode: "numeric", required: true,
    value: String(household.reveal_after_days ?? 1) });
  const daysField = field("Days after the occasion", days);
  const show = () => { daysField.hidden = when.value !== "after_days"; };
  when.addEventListener("change", show);
  show();
  return {
    el: h("fieldset", { class: "field stack" }, h("legend", {}, "Gift history"),
      field("When someone sees the gifts the family gave them", when,
        "Until then their gifts stay a surprise: not in their history, nor anywhere else."),
      daysField),
    body: () => (when.value === "after_days" ? { reveal: when.value, reveal_after_days: Number(days.value) } : { reveal: when.value }),
  };
}

export async function family(ctx) {
  const { session } = ctx;
  const membersEl = h("ul", { class: "rows", "aria-label": "Members" });
  const invitesEl = h("ul", { class: "rows", "aria-label": "Open invitations" });
  const codeEl = h("div", { "aria-live": "polite" });

  async function loadMembers() {
    const members = await api.get(session.hh("/members"));
    membersEl.replaceChildren(...members.map((m) => memberRow(m)));
  }

  function memberRow(m) {
    const me = m.user_id === session.me.id;
    const controls = [];
    if (session.isAdmin && !me) {
      const roleSelect = select("role", ROLES, m.role, { "aria-label": `Role of ${m.display_name}` });
      roleSelect.addEventListener("change", () => act(roleSelect, async () => {
        await api.patch(session.hh(`/members/${m.user_id}`), { role: roleSelect.value });
        ctx.toast(`${m.display_name} is now ${roleSelect.value}.`);
      }, ctx.toast).finally(loadMembers));
      const remove = button("Remove", () => {
        if (!confirm(`Remove ${m.display_name} from ${session.household.name}?`)) return;
        act(remove, async () => { await api.del(session.hh(`/members/${m.user_id}`)); await loadMembers(); }, ctx.toast);
      }, { class: "small danger" });
      controls.push(roleSelect, remove);
    } else {
      controls.push(h("span", { class: "pill" }, m.role));
    }
    return h("li", { class: "row" },
      h("span", { class: "grow" }, h("strong", {}, m.display_name), me ? " (you)" : "",
        h("span", { class: "muted block" }, `joined ${timeAgo(m.joined_at)}`)),
      ...controls);
  }

  async function loadInvites() {
    const invites = await api.get(session.hh("/invitations"));
    invitesEl.replaceChildren(...invites.map((inv) => {
      const who = inv.email || `an invitation code (${inv.role})`;
      const revoke = button("Revoke", () => act(revoke, async () => {
        await api.del(session.hh(`/invitations/${inv.id}`));
        ctx.toast(`Revoked: ${who} can no longer join with it.`);
        await loadInvites();
      }, ctx.toast), { class: "small", "aria-label": `Revoke the invitation to ${who}` });
      return h("li", { class: "row" },
        h("span", { class: "grow" },
          inv.email ? h("strong", {}, inv.email) : "By code or link",
          h("span", { class: "muted block" }, `${inv.role} · expires ${new Date(inv.expires_at).toLocaleDateString()}`)),
        revoke);
    }));
    if (!invites.length) invitesEl.replaceChildren(h("li", { class: "muted" }, "No open invitations."));
  }

  const inviteForm = h("form", { class: "card stack", novalidate: true },
    h("h2", {}, "Invite someone"),
    field("They join as", select("role", ROLES, "adult")),
    field("Their email (optional)", input("email", { type: "email", maxlength: 254, autocomplete: "off" }),
      "We mail them the join link; you also get the code to pass on yourself."),
    h("div", { class: "actions" }, h("button", { type: "submit", class: "primary" }, "Create invitation code")),
    codeEl);
  handleSubmit(inviteForm, async () => {
    const email = inviteForm.elements.email.value.trim();
    const inv = await api.post(session.hh("/invitations"), { role: inviteForm.elements.role.value, ...(email ? { email } : {}) });
    if (email) {
      ctx.toast(`Invitation mailed to ${email}.`);
      inviteForm.elements.email.value = "";
    }
    const link = `${location.origin}/#/join?code=${encodeURIComponent(inv.code)}`;
    const linkEl = h("a", { href: link }, link);
    codeEl.replaceChildren(h("div", { class: "code-box" },
      h("p", {}, "Send this code (shown only now):"),
      h("p", { class: "code", "data-testid": "invitation-code" }, inv.code),
      h("p", { class: "muted small-text" }, "or the link: ", linkEl),
      h("div", { class: "actions" }, shareButton(ctx, link, linkEl))));
    await loadInvites();
  });

  const reveal = revealFields(session.household);
  const settings = h("form", { class: "stack", novalidate: true },
    field("Household name", input("name", { value: session.household.name, maxlength: 120, required: true })),
    field("Time zone", input("timezone", { value: session.household.timezone, maxlength: 64 }), "Like Europe/Berlin; reminders and due dates use it."),
    reveal.el,
    h("div", { class: "actions" }, h("button", { type: "submit" }, "Save")));
  handleSubmit(settings, async () => {
    const v = values(settings);
    const saved = await api.patch(session.hh(), { name: v.name, timezone: v.timezone, ...reveal.body() });
    await ctx.reloadSession();
    session.choose(saved);
    ctx.toast("Saved.");
  });

  const leave = button("Leave this household", () => {
    if (!confirm(`Leave ${session.household.name}?`)) return;
    act(leave, async () => {
      await api.del(session.hh(`/members/${session.me.id}`));
      session.choose(null);
      await ctx.reloadSession();
      ctx.navigate("/households");
    }, ctx.toast);
  }, { class: "danger" });

  await loadMembers();
  if (session.isAdmin) await loadInvites();
  ctx.onChange(["member", "household", "invitation"], () => { loadMembers(); if (session.isAdmin) loadInvites(); });

  const leaving = h("div", { class: "actions spaced" }, leave);
  return h("section", { class: "page wide" },
    h("h1", {}, "Family"),
    session.isAdmin ? h("div", { class: "split" }, h("div", { class: "main" }, h("h2", {}, "Members"), membersEl),
      h("div", { class: "side" }, inviteForm, h("h2", {}, "Open invitations"), invitesEl,
        h("details", { class: "card" }, h("summary", {}, "Household settings"), settings), householdData(ctx), leaving))
      : [h("h2", {}, "Members"), membersEl, session.isChild ? "" : householdData(ctx), leaving]);
}
