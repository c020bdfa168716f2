"""Whose turn the next occurrence of a rotating chore is: pure rules over what the processor knows.

- The rotation is the members chosen, in the order chosen; those who have left the household are
  passed over (their place in the order stays, so the turn moves on from where it was).
- Turns go on from the last one: the member after whoever has this occurrence, or, when it is
  someone outside the rotation or nobody (it was taken by someone else, or given back), after whoever
  did it.
- round_robin: the next present member in that order.
- least_done: whoever of the present members has done this chore least often; of those tied, the
  first in that same order, so ties go round in turn too.
- Nobody left in the rotation: nobody (the next one is open for anyone to take).
"""

from collections.abc import Mapping, Sequence
from uuid import UUID

ROUND_ROBIN, LEAST_DONE = "round_robin", "least_done"


def in_turn(
    rotation: Sequence[UUID],
    departed: frozenset[UUID] | set[UUID],
    had_it: UUID | None,
    did_it: UUID | None,
) -> list[UUID]:
    """The present members of the rotation, from the one whose turn comes next to the one after."""
    last = had_it if had_it in rotation else did_it if did_it in rotation else None
    start = rotation.index(last) + 1 if last is not None else 0
    order = [*rotation[start:], *rotation[:start]]
    return [m for m in dict.fromkeys(order) if m not in departed]


def next_assignee(
    mode: str | None,
    rotation: Sequence[UUID],
    departed: frozenset[UUID] | set[UUID],
    had_it: UUID | None,
    did_it: UUID | None,
    done_counts: Mapping[UUID, int],
) -> UUID | None:
    """Who has the next occurrence (see the module's rules); None when nobody of the rotation is left."""
    order = in_turn(rotation, departed, had_it, did_it)
    if not order:
        return None
    if mode == LEAST_DONE:
        return min(order, key=lambda m: done_counts.get(m, 0))  # min keeps the first of the tied
    return order[0]
