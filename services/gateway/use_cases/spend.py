"""What has been committed for a person at an occasion, as one member may know it: claimed (not bought
yet) and purchased (bought, wrapped or given), per currency; and whether anyone has a gift for them yet.
Only the items the member sees in full count, so a recipient's figures never include their surprises."""

import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.gateway.models.budgets import Spend
from services.gateway.models.gifts import Gift
from services.gateway.models.lists import GiftList, ItemStatus, ListItem
from services.gateway.surprise import View, Viewer, item_view
from services.gateway.use_cases.audience import gifts_facts, list_facts

BOUGHT = (ItemStatus.PURCHASED, ItemStatus.WRAPPED, ItemStatus.GIVEN)
Key = tuple[uuid.UUID, uuid.UUID]  # (person, occasion)


@dataclass
class Coverage:
    gift_count: int = 0  # items someone claimed or moved past "idea"
    claimed: dict[str, Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    purchased: dict[str, Decimal] = field(default_factory=lambda: defaultdict(Decimal))

    def spend(self) -> list[Spend]:
        currencies = sorted(set(self.claimed) | set(self.purchased))
        return [
            Spend(
                currency=c,
                claimed=self.claimed.get(c, Decimal("0.00")),
                purchased=self.purchased.get(c, Decimal("0.00")),
            )
            for c in currencies
        ]

    def add(self, item: ListItem, gift: Gift) -> None:
        self.count(item.status, item.claimed_quantity, item.quantity, gift.price, gift.currency)

    def count(
        self,
        status: str,
        claimed_quantity: int,
        quantity: int,
        price: Decimal | None,
        currency: str | None,
    ) -> None:
        """Add one list item, seen in full, of a gift at `price` in `currency`."""
        committed = status != ItemStatus.IDEA or claimed_quantity > 0
        if committed:
            self.gift_count += 1
        if price is None or currency is None:
            return
        if status in BOUGHT:
            self.purchased[currency] += price * (claimed_quantity or quantity)
        elif claimed_quantity:
            self.claimed[currency] += price * claimed_quantity


def total(spends: Iterable[list[Spend]]) -> list[Spend]:
    claimed, purchased = defaultdict(Decimal), defaultdict(Decimal)
    for spend in spends:
        for s in spend:
            claimed[s.currency] += s.claimed
            purchased[s.currency] += s.purchased
    return [Spend(currency=c, claimed=claimed[c], purchased=purchased[c]) for c in sorted(claimed)]


async def coverage(
    session: AsyncSession,
    viewer: Viewer,
    household_id: uuid.UUID,
    person_ids: Iterable[uuid.UUID],
    occasion_ids: Iterable[uuid.UUID],
) -> dict[Key, Coverage]:
    """Coverage of every (person, occasion) pair among the given ones, from the viewer's side."""
    people, occasions = set(person_ids), set(occasion_ids)
    result: dict[Key, Coverage] = defaultdict(Coverage)
    if not people or not occasions:
        return result
    rows = (
        await session.execute(
            select(ListItem, GiftList, Gift)
            .join(GiftList, GiftList.id == ListItem.list_id)
            .join(Gift, Gift.id == ListItem.gift_id)
            .where(
                GiftList.household_id == household_id,
                GiftList.person_id.in_(people),
                GiftList.occasion_id.in_(occasions),
            )
        )
    ).all()
    facts = await gifts_facts(session, {gift.id: gift for _, _, gift in rows}.values())
    for item, lst, gift in rows:
        if item_view(viewer, list_facts(lst), facts[gift.id]) is View.FULL:
            result[(lst.person_id, lst.occasion_id)].add(item, gift)
    return result
