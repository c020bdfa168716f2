"""A household's gifts and lists as CSV, for a spreadsheet: made from the export document, so it shows
exactly what the export shows to the member who asked for it, and no more."""

import csv
import io
import uuid

from services.gateway.models.household_export import HouseholdExport

# a cell a spreadsheet would run as a formula is written as text (OWASP's CSV injection advice)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def _table(header: list[str], rows: list[list[object]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([_cell(v) for v in row] for row in rows)
    return out.getvalue()


def _names(doc: HouseholdExport) -> dict[uuid.UUID | None, str]:
    names: dict[uuid.UUID | None, str] = {p.id: p.name for p in doc.people}
    names.update({o.id: o.name for o in doc.occasions})
    return names


def gifts_csv(doc: HouseholdExport) -> str:
    """One row per gift: what it is, what it costs, whom it is for, its tags."""
    names = _names(doc)
    return _table(
        ["title", "price", "currency", "for", "tags", "url", "notes", "created_at"],
        [
            [
                g.title,
                g.price,
                g.currency,
                "; ".join(names.get(p.person_id, "") for p in g.people if p.role == "recipient"),
                "; ".join(g.tags),
                g.url,
                g.notes,
                g.created_at.isoformat(),
            ]
            for g in doc.gifts
        ],
    )


def lists_csv(doc: HouseholdExport) -> str:
    """One row per list item, with its list: a family's lists as one table."""
    names = _names(doc)
    return _table(
        ["list", "kind", "for", "occasion", "gift", "quantity", "priority", "status", "notes"],
        [
            [
                lst.name,
                lst.kind,
                names.get(lst.person_id, ""),
                names.get(lst.occasion_id, ""),
                item.gift_title,
                item.quantity,
                item.priority,
                item.status,
                item.notes,
            ]
            for lst in doc.lists
            for item in lst.items
        ],
    )
