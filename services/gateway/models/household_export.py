"""The document a household's data is exported as, and imported from.

It is made of the API's own public shapes (`PersonPublic`, `GiftPublic`, …), nested where an object
belongs to another (a list's items and comments, an item's claims, a gift's pledges and comments), so a
reader who knows the API knows the file, and an import validates it with the models the API uses.
"""

import datetime as dt
import uuid
from decimal import Decimal
from typing import Literal

from sqlmodel import Field, SQLModel

from services.gateway.models.budgets import BudgetPublic
from services.gateway.models.claims import ClaimPublic, PledgePublic
from services.gateway.models.comments import CommentPublic
from services.gateway.models.exchanges import Exclusion
from services.gateway.models.gifts import GiftPublic
from services.gateway.models.history import GiftRecordPublic
from services.gateway.models.households import (
    REVEAL_AFTER_DAYS_DOC,
    REVEAL_DOC,
    HouseholdPublic,
    MemberPublic,
    Reveal,
)
from services.gateway.models.lists import GiftListPublic, ListItemPublic
from services.gateway.models.occasions import OccasionPublic
from services.gateway.models.people import PersonPublic
from services.gateway.models.tasks import TaskPublic

# an import larger than this is refused before it is read: a family's years of gifts are a few hundred
# kilobytes, so this leaves room for a very large family and none for a denial of service
MAX_IMPORT_BYTES = 5 * 1024 * 1024
# and so is one with more objects than this in any section, whatever their size
MAX_SECTION = 5000


class ExportedItem(ListItemPublic):
    claims: list[ClaimPublic] = Field(
        default_factory=list,
        max_length=MAX_SECTION,
        description="Its claims the exporting member may see. A claim made for a gift exchange is "
        "there as the claim it is, without its `exchange_id`: the link would say whom its claimer "
        "drew, and the document carries nobody's pick.",
    )


class ExportedList(GiftListPublic):
    items: list[ExportedItem] = Field(default_factory=list, max_length=MAX_SECTION)
    comments: list[CommentPublic] = Field(default_factory=list, max_length=MAX_SECTION)


class ExportedGift(GiftPublic):
    pledges: list[PledgePublic] = Field(default_factory=list, max_length=MAX_SECTION)
    comments: list[CommentPublic] = Field(default_factory=list, max_length=MAX_SECTION)


class ExportedHousehold(HouseholdPublic):
    reveal: Reveal = Field(default=Reveal.AFTER_DAYS, description=REVEAL_DOC)
    reveal_after_days: int = Field(default=1, ge=1, le=365, description=REVEAL_AFTER_DAYS_DOC)


class ExportedRecord(GiftRecordPublic):
    """A gift in someone's history, with what the household needs to keep it as it was."""

    list_item_id: uuid.UUID | None = Field(
        default=None,
        description="The list item it was given from (a gift the household gave), if it is still "
        "on its list.",
    )
    private_to: list[uuid.UUID] = Field(
        default_factory=list,
        max_length=MAX_SECTION,
        description="When not empty, the only members besides its recipient who may see it.",
    )


class ExportedExchange(SQLModel):
    """A gift exchange: who takes part, its rules and whether names were drawn; never who draws
    whom. Nobody but a giver (or a non-member's proxy) may learn a pick, and the file is read by
    whoever holds it, so no pick is in it, not even the exporting member's own."""

    id: uuid.UUID
    household_id: uuid.UUID
    occasion_id: uuid.UUID
    organizer_id: uuid.UUID | None = Field(
        description="The member who runs it (a user id); null when their account is gone."
    )
    name: str
    deadline: dt.date
    price_min: Decimal | None
    price_max: Decimal | None
    currency: str | None
    person_ids: list[uuid.UUID] = Field(max_length=MAX_SECTION, description="Who takes part.")
    exclusions: list[Exclusion] = Field(
        max_length=MAX_SECTION,
        description="Who never draws whom, one row per direction (partners are two rows).",
    )
    draw_round: int = Field(ge=0, le=1_000_000, description="How many times names were drawn.")
    drawn_at: dt.datetime | None = Field(
        description="When the names now in force were drawn; null when they are not drawn. An "
        "imported exchange is never drawn, whatever its file says: the picks are not exported, so "
        "its organizer draws again (its rounds so far still count)."
    )
    created_at: dt.datetime
    updated_at: dt.datetime


class HouseholdExport(SQLModel):
    """Everything of a household its exporting member may see, as they would see it in the app.

    No time of export: the same household read by the same member is the same document, byte for byte.
    Its ids are its own (an import makes new ones), which the schema says with `x-own-ids` so that a
    client generating a body from it knows they name nothing that already exists."""

    model_config = {"json_schema_extra": {"x-own-ids": True}}

    format: Literal["giftflow.household-export"] = "giftflow.household-export"
    version: Literal[1] = 1
    exported_by: uuid.UUID = Field(description="The member who exported it (a user id).")
    household: ExportedHousehold = Field(description="The household's settings.")
    members: list[MemberPublic] = Field(max_length=MAX_SECTION)
    people: list[PersonPublic] = Field(max_length=MAX_SECTION)
    occasions: list[OccasionPublic] = Field(max_length=MAX_SECTION)
    gifts: list[ExportedGift] = Field(max_length=MAX_SECTION)
    lists: list[ExportedList] = Field(max_length=MAX_SECTION)
    budgets: list[BudgetPublic] = Field(max_length=MAX_SECTION)
    tasks: list[TaskPublic] = Field(max_length=MAX_SECTION)
    history: list[ExportedRecord] = Field(
        default_factory=list,
        max_length=MAX_SECTION,
        description="The gifts in its people's history (what was given, what was received, and "
        "their thank-yous); none in an export made before the history was kept.",
    )
    exchanges: list[ExportedExchange] = Field(
        default_factory=list,
        max_length=MAX_SECTION,
        description="Its gift exchanges, past ones too, without their picks; none in an export "
        "made before exchanges were exported.",
    )
