"""A mail's subject, plain text and HTML, from the Jinja2 templates beside this module.

Times are shown in the household's time zone (a reminder at 09:00 in Berlin says 09:00, whatever
the server's clock); the HTML is autoescaped, so a gift called `<script>` stays text.
"""

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

TEMPLATES = Path(__file__).parent / "templates"

_environment = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


def local_time(moment: datetime, timezone: str | None) -> str:
    """`Monday 7 December 2026, 09:00 (Europe/Berlin)`: a moment as the household reads it."""
    try:
        zone = ZoneInfo(timezone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        zone, timezone = ZoneInfo("UTC"), "UTC"
    local = moment.astimezone(zone)
    return f"{local:%A} {local.day} {local:%B %Y, %H:%M} ({timezone or 'UTC'})"


def render(template: str, subject: str, **context) -> Rendered:
    """`template`.txt and `template`.html with `context`; `subject` is plain text, never HTML."""
    context = {**context, "subject": subject}
    return Rendered(
        subject=" ".join(subject.split())[:200],
        text=_environment.get_template(f"{template}.txt").render(context),
        html=_environment.get_template(f"{template}.html").render(context),
    )
