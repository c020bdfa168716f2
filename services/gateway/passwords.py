"""The password policy: long enough, not a common password, not the person's own name or email, and
hard to guess by zxcvbn's estimate (Dropbox's strength estimator: dictionaries, keyboard patterns,
dates, l33t substitutions, repeats), as NIST SP 800-63B asks instead of character-class rules.

The common-password list is zxcvbn's own: the 30,000 most frequent passwords of real breaches.
Each refusal says what to do instead, and is shown next to the password field.
"""

import re
import threading

from zxcvbn import zxcvbn
from zxcvbn.frequency_lists import FREQUENCY_LISTS

MIN_LENGTH = 8
# zxcvbn's 0-4: 3 is "safely unguessable" (about 10^8 guesses), enough online and against a slow hash
MIN_SCORE = 3
# zxcvbn refuses longer input (its matching grows fast with length); a longer password is judged by its start
ESTIMATE_LENGTH = 72
# a shorter name or email part ("ann") sits inside too many good passwords ("channel") to refuse them
# for it; zxcvbn is told of it and counts it as easy to guess
MIN_PART = 4

COMMON = frozenset(FREQUENCY_LISTS["passwords"])
# zxcvbn keeps the user inputs of a call in a module global
_estimating = threading.Lock()
ADVICE = "Try three or four unrelated words, like a short sentence only you would say."


def _squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text).lower()


def _personal_parts(email: str, display_name: str) -> list[str]:
    local = email.split("@", 1)[0]
    parts = [email, local, display_name, *re.split(r"[\s._+-]+", f"{local} {display_name}")]
    return [p for p in {_squeeze(p) for p in parts} if len(p) >= MIN_PART]


def password_problem(password: str, email: str = "", display_name: str = "") -> str | None:
    """Why `password` may not be used, in words for the person choosing it; None when it may."""
    if len(password) < MIN_LENGTH:
        return f"Use at least {MIN_LENGTH} characters. {ADVICE}"
    squeezed = _squeeze(password)
    if not squeezed:
        return f"A password of only spaces is too easy to guess. {ADVICE}"
    if squeezed in COMMON or password.lower() in COMMON:
        return f"This is one of the most common passwords, so it is guessed first. {ADVICE}"
    if any(part in squeezed for part in _personal_parts(email, display_name)):
        return f"Leave your name and email out of your password: they are the first things tried. {ADVICE}"
    with _estimating:
        result = zxcvbn(password[:ESTIMATE_LENGTH], user_inputs=[email, display_name, "giftflow"])
    if result["score"] < MIN_SCORE:
        warning = result["feedback"]["warning"]
        return " ".join(
            filter(None, ["This password is too easy to guess.", _sentence(warning), ADVICE])
        )
    return None


def _sentence(text: str) -> str:
    text = text.strip()
    return text if not text or text.endswith((".", "!", "?")) else f"{text}."
