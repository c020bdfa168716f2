"""The audit log's pure rules: which partitions retention drops, and what a type filter matches."""

from datetime import date

import pytest

from services.audit.entries import type_pattern
from services.audit.partitions import expired_partitions, month_of
from shared.errors import InvalidInput

MONTHS = [f"audit_entry_{y}_{m:02d}" for y in (2025, 2026) for m in range(1, 13)]


def test_a_partition_is_dropped_only_once_all_of_it_is_older_than_the_retention():
    dropped = expired_partitions(MONTHS, today=date(2026, 11, 21), retention_months=12)
    # everything recorded before 2025-11-21 may go; November 2025 still holds younger entries
    assert dropped[-1] == "audit_entry_2025_10"
    assert "audit_entry_2025_11" not in dropped
    assert len(dropped) == 10


def test_on_the_first_of_the_month_the_month_a_year_ago_has_just_expired():
    dropped = expired_partitions(MONTHS, today=date(2026, 12, 1), retention_months=12)
    assert dropped[-1] == "audit_entry_2025_11"


def test_retention_never_touches_tables_that_are_not_monthly_partitions():
    names = [
        "audit_entry",
        "audit_entry_default",
        "audit_entry_2020_13",
        "processed_event",
        "audit_entry_2020_01",
    ]
    assert expired_partitions(names, today=date(2026, 1, 1), retention_months=1) == [
        "audit_entry_2020_01"
    ]
    assert month_of("audit_entry_2020_13") is None


@pytest.mark.parametrize(
    ("wanted", "pattern"),
    [
        ("giftflow.claim.added.v1", "giftflow.claim.added.v1"),
        ("claim.added", "giftflow.claim.added.v%"),
        ("claim", "giftflow.claim.%"),
        ("list_item.status_changed", r"giftflow.list\_item.status\_changed.v%"),
    ],
)
def test_a_type_filter_is_a_type_a_name_or_an_entity(wanted, pattern):
    assert type_pattern(wanted) == pattern


@pytest.mark.parametrize("wanted", ["%", "claim.%", "Claim", "claim..added", ""])
def test_a_type_filter_cannot_smuggle_wildcards(wanted):
    with pytest.raises(InvalidInput):
        type_pattern(wanted)
