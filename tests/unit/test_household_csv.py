"""The CSV of a household's gifts and lists: one row each, names instead of ids, and no cell a
spreadsheet would run as a formula."""

import csv
import io
import uuid
from datetime import UTC, datetime

from services.gateway.models.household_export import HouseholdExport
from services.gateway.use_cases.household_csv import gifts_csv, lists_csv

NOW = datetime(2026, 12, 7, tzinfo=UTC)
GRAN, XMAS, GIFT, LIST, ME = (uuid.uuid4() for _ in range(5))


def a_document(title: str) -> HouseholdExport:
    stamp = {"created_at": NOW, "updated_at": NOW}
    return HouseholdExport.model_validate(
        {
            "exported_by": ME,
            "household": {
                "id": uuid.uuid4(),
                "name": "Bakers",
                "timezone": "UTC",
                "created_at": NOW,
            },
            "members": [],
            "people": [
                {
                    "id": GRAN,
                    "household_id": uuid.uuid4(),
                    "name": "Grandma",
                    "created_by": ME,
                    **stamp,
                }
            ],
            "occasions": [
                {
                    "id": XMAS,
                    "household_id": uuid.uuid4(),
                    "name": "Christmas",
                    "date": "2026-12-25",
                    "person_ids": [GRAN],
                    "next_date": "2026-12-25",
                    "created_by": ME,
                    **stamp,
                }
            ],
            "gifts": [
                {
                    "id": GIFT,
                    "household_id": uuid.uuid4(),
                    "title": title,
                    "url": None,
                    "price": "30.00",
                    "currency": "EUR",
                    "image_url": None,
                    "notes": "line one\nline, two",
                    "from_santa": False,
                    "tags": ["warm", "wool"],
                    "people": [{"person_id": GRAN, "role": "recipient"}],
                    "created_by": ME,
                    **stamp,
                }
            ],
            "lists": [
                {
                    "id": LIST,
                    "household_id": uuid.uuid4(),
                    "name": "For Grandma",
                    "kind": "idea",
                    "visibility": "household",
                    "person_id": GRAN,
                    "occasion_id": XMAS,
                    "created_by": ME,
                    "items": [
                        {
                            "id": uuid.uuid4(),
                            "list_id": LIST,
                            "gift_id": GIFT,
                            "gift_title": title,
                            "quantity": 2,
                            "priority": "normal",
                            "status": "selected",
                            "claimed_quantity": 1,
                            "status_changed_at": NOW,
                            "purchased_at": None,
                            "purchased_by": None,
                            "added_by": ME,
                            "notes": None,
                            **stamp,
                        }
                    ],
                    **stamp,
                }
            ],
            "budgets": [],
            "tasks": [],
        }
    )


def rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_a_gift_is_one_row_naming_whom_it_is_for():
    [header, row] = rows(gifts_csv(a_document("Scarf")))
    assert dict(zip(header, row, strict=True)) == {
        "title": "Scarf",
        "price": "30.00",
        "currency": "EUR",
        "for": "Grandma",
        "tags": "warm; wool",
        "url": "",
        "notes": "line one\nline, two",
        "created_at": NOW.isoformat(),
    }


def test_a_list_item_is_one_row_with_its_list_person_and_occasion():
    [_, row] = rows(lists_csv(a_document("Scarf")))
    assert row == [
        "For Grandma",
        "idea",
        "Grandma",
        "Christmas",
        "Scarf",
        "2",
        "normal",
        "selected",
        "",
    ]


def test_a_cell_a_spreadsheet_would_run_is_written_as_text():
    for title in ('=HYPERLINK("http://evil")', "+1", "-2", "@SUM(A1)"):
        [_, row] = rows(gifts_csv(a_document(title)))
        assert row[0] == "'" + title
