"""Which notifications may also go by mail, and how each member chose to get them.

Pure rules. A notification is mailed only to members the in-app rules already chose (never its actor,
never anyone it is hidden from), and only if the member wants that kind by mail. Kinds:

* `reminder`: a task's reminder fired; at once by default, since a reminder nobody reads is no reminder.
* `occasion`: an occasion is coming up (its reminder fired); at once by default.
* `claim`: someone claimed or released a gift on a list I hear of; off by default.
* `comment`: a comment on something I follow; off by default.
* `history`: the gift history's news: a gift someone received was recorded (to the grown-ups), an
  occasion is over and its gifts are in the history (never to whom they were for), my own gifts are
  revealed to me; in the daily digest by default, since none of it is urgent. A mail at once is as
  safe as the notification: it is decided for the same members, and one kept from a person is not
  sent to a member linked to that person before it goes (see `sender`).
* `upcoming`: no event's notification but the week ahead (occasions, who still has no gift, my claims
  not yet bought, my tasks due), read for the member from the gateway; in the weekly digest by default.

A member chooses per kind: `now` (a mail per notification), `daily` or `weekly` (held back and gathered
into one digest mail at the member's digest time), or `off`. `upcoming` is a summary, so never `now`.
"""

from collections.abc import Mapping

from services.notification.audience import Notice

DEFAULT_MODES: dict[str, str] = {
    "reminder": "now",
    "occasion": "now",
    "claim": "off",
    "comment": "off",
    "history": "daily",
    "upcoming": "weekly",
}
MAIL_KINDS = tuple(DEFAULT_MODES)
MODES = ("off", "now", "daily", "weekly")
DIGESTS = ("daily", "weekly")
# the kinds that are a summary read at digest time, not notifications held back
SUMMARIES = frozenset({"upcoming"})


def modes_for(kind: str) -> tuple[str, ...]:
    """The modes a member may choose for `kind`."""
    return ("off", *DIGESTS) if kind in SUMMARIES else MODES


def mail_kind(notice: Notice) -> str | None:
    """The mail kind of a notification, or None when notifications of its kind are never mailed."""
    if notice.kind == "reminder":
        return "occasion" if notice.entity == "occasion" else "reminder"
    return notice.kind if notice.kind in DEFAULT_MODES and notice.kind not in SUMMARIES else None


def mode_of(choices: Mapping[str, str], kind: str) -> str:
    """What the member chose for `kind`, or its default."""
    return choices.get(kind, DEFAULT_MODES[kind])
