"""Which notifications may also go by mail, and how each member chose to get them.

Pure rules. A notification is mailed only to members the in-app rules already chose (never its actor,
never anyone it is hidden from), and only if the member wants that kind by mail. Kinds:

* `reminder`: a task's reminder fired; on by default, since a reminder nobody reads is no reminder.
* `occasion`: an occasion is coming up (its reminder fired); on by default.
* `claim`: someone claimed or released a gift on a list I hear of; off by default.
* `comment`: a comment on something I follow; off by default.
"""

from collections.abc import Mapping

from services.notification.audience import Notice

DEFAULT_MODES: dict[str, str] = {
    "reminder": "now",
    "occasion": "now",
    "claim": "off",
    "comment": "off",
}
MAIL_KINDS = tuple(DEFAULT_MODES)
MODES = ("off", "now")


def mail_kind(notice: Notice) -> str | None:
    """The mail kind of a notification, or None when notifications of its kind are never mailed."""
    if notice.kind == "reminder":
        return "occasion" if notice.entity == "occasion" else "reminder"
    return notice.kind if notice.kind in DEFAULT_MODES else None


def mode_of(choices: Mapping[str, str], kind: str) -> str:
    """What the member chose for `kind`, or its default."""
    return choices.get(kind, DEFAULT_MODES[kind])
