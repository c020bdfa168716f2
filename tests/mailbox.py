"""What the local stack's mail catcher received (scripts/stack/mailcatcher.py): every message it was
given, parsed, read from its folder of .eml files as a person would."""

import email
import email.policy
import re
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

from scripts.stack.mailcatcher import mail_folder
from scripts.stack.processes import Stack


@dataclass(frozen=True)
class Caught:
    path: Path
    message: EmailMessage

    @property
    def to(self) -> str:
        return str(self.message["To"])

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    @property
    def text(self) -> str:
        return self.message.get_body(("plain",)).get_content()

    @property
    def html(self) -> str:
        return self.message.get_body(("html",)).get_content()

    def link(self, pattern: str) -> str:
        """The first link in the plain text matching `pattern` (a regular expression)."""
        found = re.search(rf"https?://\S*{pattern}\S*", self.text)
        assert found, f"no link like {pattern!r} in:\n{self.text}"
        return found.group(0)


def caught(stack: Stack, to: str | None = None) -> list[Caught]:
    """Every message caught so far, oldest first; only those to `to` if given."""
    found = []
    for path in sorted(mail_folder(stack).glob("*.eml")):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        if to is None or str(message["To"]) == to:
            found.append(Caught(path, message))
    return found
