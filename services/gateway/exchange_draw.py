"""The name draw of a gift exchange: pure functions, no database, so it can be tested on its own.

A draw gives every participant exactly one receiver and every receiver exactly one giver; nobody draws
themselves, no excluded pair (one way: the giver may not draw the receiver) is ever drawn, and the pairs
to avoid (last year's) are left out wherever the draw still allows it. It is a perfect matching in the
bipartite graph "giver → whom they may draw", found with augmenting paths (Kuhn) over adjacency lists
shuffled by the caller's random source: the same seed gives the same draw, a seed from a CSPRNG an
unpredictable one.

When no such matching exists, Hall's theorem says why: some group of givers can only give to fewer
receivers between them than there are givers in the group (or the other way round), and the refusal
names that group, so the organizer knows which exclusion to lift.
"""

import random
from collections.abc import Collection, Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

P = TypeVar("P", bound=Hashable)


@dataclass(frozen=True)
class Drawn(Generic[P]):
    picks: dict[P, P]  # giver -> receiver
    repeats: int  # how many pairs to avoid had to be drawn after all


@dataclass(frozen=True)
class Refusal(Generic[P]):
    """No valid draw: `people` can only be matched with `partners` between them, one fewer.
    `givers` says which side `people` are on: givers short of receivers, or receivers short of givers."""

    givers: bool
    people: tuple[P, ...]
    partners: tuple[P, ...]


class DrawRefused(Exception):
    def __init__(self, refusal: Refusal) -> None:
        super().__init__(refusal)
        self.refusal = refusal


def draw(
    people: Sequence[P],
    excluded: Collection[tuple[P, P]],
    avoid: Collection[tuple[P, P]],
    rng: random.Random,
) -> Drawn[P]:
    """Draw among `people`; `excluded` pairs (giver, receiver) never, `avoid` pairs only if they must.
    Raises DrawRefused when no draw respects `excluded`."""
    order = list(dict.fromkeys(people))
    banned = set(excluded)
    allowed = {g: [r for r in order if r != g and (g, r) not in banned] for g in order}
    for receivers in allowed.values():
        rng.shuffle(receivers)
    givers = order[:]
    rng.shuffle(givers)
    shunned = set(avoid)
    # first without the pairs to avoid: when that works, none of them is drawn
    preferred = {g: [r for r in allowed[g] if (g, r) not in shunned] for g in givers}
    giver_of = _match(givers, preferred)
    if len(giver_of) == len(order):
        return Drawn(_picks(giver_of), 0)
    giver_of = _match(givers, allowed)
    if len(giver_of) < len(order):
        raise DrawRefused(_why(order, allowed, giver_of))
    # a valid draw exists only with some of them: drop each one drawn if the rest can be re-matched
    usable = {g: list(rs) for g, rs in allowed.items()}
    tried: set[tuple[P, P]] = set()
    while drawn := [
        (g, r) for g, r in _picks(giver_of).items() if (g, r) in shunned and (g, r) not in tried
    ]:
        g, r = rng.choice(drawn)
        tried.add((g, r))
        trial = dict(giver_of)
        del trial[r]
        usable[g].remove(r)
        if _augment(g, usable, trial, set()):
            giver_of = trial
        else:
            usable[g].append(r)
    picks = _picks(giver_of)
    return Drawn(picks, sum((g, r) in shunned for g, r in picks.items()))


def _picks(giver_of: Mapping[P, P]) -> dict[P, P]:
    return {g: r for r, g in giver_of.items()}


def _match(givers: Sequence[P], allowed: Mapping[P, Sequence[P]]) -> dict[P, P]:
    """A maximum matching, as receiver -> giver."""
    giver_of: dict[P, P] = {}
    for g in givers:
        _augment(g, allowed, giver_of, set())
    return giver_of


def _augment(g: P, allowed: Mapping[P, Sequence[P]], giver_of: dict[P, P], seen: set[P]) -> bool:
    """Find `g` a receiver, moving earlier givers along an augmenting path if need be."""
    for r in allowed[g]:
        if r in seen:
            continue
        seen.add(r)
        holder = giver_of.get(r)
        if holder is None or _augment(holder, allowed, giver_of, seen):
            giver_of[r] = g
            return True
    return False


def _alternating(
    start: P, partners: Mapping[P, Sequence[P]], matched_to: Mapping[P, P]
) -> tuple[set[P], set[P]]:
    """Everyone reachable from an unmatched `start` by alternating paths (a possible partner, then the
    one that partner is matched to, and so on), as the start's side and the other side."""
    side, other = {start}, set()
    frontier = [start]
    while frontier:
        person = frontier.pop()
        for partner in partners[person]:
            if partner not in other:
                other.add(partner)
                mate = matched_to[partner]
                if mate not in side:
                    side.add(mate)
                    frontier.append(mate)
    return side, other


def _why(order: Sequence[P], allowed: Mapping[P, Sequence[P]], giver_of: Mapping[P, P]) -> Refusal:
    """From a maximum matching that is not perfect, the smallest of the two Hall violations it shows:
    the givers reachable by alternating paths from an unmatched giver can only give to the receivers
    reached (one fewer), and likewise from an unmatched receiver."""
    pick_of = _picks(giver_of)
    index = {p: i for i, p in enumerate(order)}

    def sort(xs: Collection[P]) -> tuple[P, ...]:
        return tuple(sorted(xs, key=index.__getitem__))

    may_give_to: dict[P, list[P]] = {r: [] for r in order}
    for g in order:
        for r in allowed[g]:
            may_give_to[r].append(g)
    givers, receivers = _alternating(next(g for g in order if g not in pick_of), allowed, giver_of)
    from_givers = Refusal(True, sort(givers), sort(receivers))
    receivers, givers = _alternating(
        next(r for r in order if r not in giver_of), may_give_to, pick_of
    )
    from_receivers = Refusal(False, sort(receivers), sort(givers))
    return min(from_givers, from_receivers, key=lambda f: len(f.people))


def _names(names: Sequence[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def explain(refusal: Refusal[P], name_of: Mapping[P, str]) -> str:
    """The refusal as a sentence the organizer can act on."""
    people = [name_of[p] for p in refusal.people]
    partners = [name_of[p] for p in refusal.partners]
    if refusal.givers:
        if not partners:
            return (
                f"{people[0]} has nobody to give to: every other person is excluded for them. "
                "Lift one of their exclusions."
            )
        return (
            f"{_names(people)} can only give to {_names(partners)} between them, so one of them "
            "would have nobody to give to. Lift one of their exclusions."
        )
    if not partners:
        return (
            f"Nobody may give to {people[0]}: every other person is excluded from giving to them. "
            "Lift one of those exclusions."
        )
    return (
        f"Only {_names(partners)} may give to {_names(people)} between them, so one of them would "
        "get no gift. Lift one of the exclusions toward them."
    )
