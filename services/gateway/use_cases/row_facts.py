"""The surprise facts of gifts, read in the same query as the gifts themselves.

`GIFT_FACTS_SQL` is a LATERAL subquery to join to a gift aliased `g`: the people it is linked to as
recipient and the lists it sits on, as parallel arrays (one element per list). `gift_facts_of` turns a
row carrying them into the `GiftFacts` the pure rules in `services.gateway.surprise` take, so a read
decides what the caller sees without a second round trip and without loading ORM objects.
"""

from typing import Any
from uuid import UUID

from services.gateway.surprise import GiftFacts, ListFacts

GIFT_FACTS_SQL = """
    LEFT JOIN LATERAL (
        SELECT array_agg(gp.person_id) AS linked_recipients
        FROM gateway.gift_person gp
        WHERE gp.gift_id = g.id AND gp.role = 'recipient'
    ) AS gr ON true
    LEFT JOIN LATERAL (
        SELECT array_agg(gl.person_id) AS list_owners,
               array_agg(gl.kind) AS list_kinds,
               array_agg(gl.visibility) AS list_visibilities,
               array_agg(gl.created_by) AS list_creators
        FROM gateway.list_item li JOIN gateway.gift_list gl ON gl.id = li.list_id
        WHERE li.gift_id = g.id
    ) AS gf ON true
"""
GIFT_FACTS_COLUMNS = (
    "gr.linked_recipients, gf.list_owners, gf.list_kinds, gf.list_visibilities, gf.list_creators"
)


def gift_facts_of(row: Any) -> GiftFacts:
    """The facts of the gift in `row` (its `from_santa`, `created_by` and the GIFT_FACTS_COLUMNS)."""
    return gift_facts_from(
        row.from_santa,
        row.created_by,
        row.linked_recipients,
        row.list_owners,
        row.list_kinds,
        row.list_visibilities,
        row.list_creators,
    )


def gift_facts_from(
    from_santa: bool,
    created_by: UUID | None,
    linked_recipients: list[UUID] | None,
    list_owners: list[UUID] | None,
    list_kinds: list[str] | None,
    list_visibilities: list[str] | None,
    list_creators: list[UUID | None] | None,
) -> GiftFacts:
    """The facts of a gift from its own columns and the GIFT_FACTS_COLUMNS, in that order."""
    owners = list_owners or ()
    lists = (
        tuple(
            ListFacts(owner_person_id=o, kind=k, visibility=v, created_by=c)
            for o, k, v, c in zip(
                owners, list_kinds or (), list_visibilities or (), list_creators or (), strict=True
            )
        )
        if owners
        else ()
    )
    return GiftFacts(
        recipient_person_ids=frozenset((*(linked_recipients or ()), *owners)),
        from_santa=from_santa,
        lists=lists,
        created_by=created_by,
    )
