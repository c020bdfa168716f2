"""Cursor pages, for every service: keyset over a sort key ending in a unique column, behind a cursor
that is opaque to clients (shared.cursors reads it back, or answers 422).

A page is filled from rows the caller may see: rows a read path hides (surprise protection) are
skipped and more rows are read until the page is full, so a page is short only at the end.
"""

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Depends, Query
from pydantic import BaseModel
from sqlalchemy import Column, Select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from shared.cursors import CursorParam, decode_cursor, encode_cursor

__all__ = ["Page", "PageRequest", "Paging", "fetch_page"]

T = TypeVar("T")
SortColumn = Column[Any] | InstrumentedAttribute[Any]  # a table's column, or a model's
Row = TypeVar("Row")


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = None


@dataclass(frozen=True)
class PageRequest:
    cursor: str | None = None
    limit: int = 50


async def page_request(
    cursor: CursorParam = None,
    limit: Annotated[int, Query(ge=1, le=200, description="At most this many items.")] = 50,
) -> PageRequest:
    return PageRequest(cursor, limit)


Paging = Annotated[PageRequest, Depends(page_request)]


async def _everything(rows: list) -> list:
    return rows


async def fetch_page(
    session: AsyncSession,
    query: Select,
    order: Sequence[SortColumn],
    page: PageRequest,
    shape: Callable[[list[Row]], Awaitable[list[T | None]]] = _everything,
    *,
    descending: bool = False,
) -> Page[T]:
    """Rows of `query` in `order` (ending with a unique column) after the cursor; `shape` turns a
    batch of rows into what the caller may see, None for a row it must not (by default, all of them
    as they are). A query of one model gives its objects, a query of columns their rows.

    Whether there is a next page is decided on visible rows only: a cursor is given out only when at
    least one more row the caller may see follows, so an empty last page never hints at hidden rows."""
    after = decode_cursor(page.cursor, [c.type.python_type for c in order]) if page.cursor else None
    seen: list[tuple[Row, T]] = []  # visible rows, up to one more than the page holds
    sort = [c.desc() for c in order] if descending else list(order)
    while len(seen) <= page.limit:
        batch_query = query.order_by(*sort).limit(page.limit + 1)
        if after is not None:
            key, bound = tuple_(*order), tuple_(*after)
            # the leading column alone as well: implied by the row comparison, but only it lets the
            # planner prune partitions and range-scan an index on that column
            first = order[0] <= after[0] if descending else order[0] >= after[0]
            batch_query = batch_query.where(first, key < bound if descending else key > bound)
        result = await session.execute(batch_query)
        rows = list(result.scalars().all() if _of_one_model(query) else result.all())
        if not rows:
            break
        seen += [
            (row, shaped)
            for row, shaped in zip(rows, await shape(rows), strict=True)
            if shaped is not None
        ]
        if len(rows) <= page.limit:
            break
        after = _key(rows[-1], order)
    items = [shaped for _, shaped in seen[: page.limit]]
    if len(seen) > page.limit:
        return Page(items=items, next_cursor=encode_cursor(_key(seen[page.limit - 1][0], order)))
    return Page(items=items)


def _of_one_model(query: Select) -> bool:
    """select(Model), whose rows are its objects, rather than select(columns...)."""
    described = query.column_descriptions
    return len(described) == 1 and isinstance(described[0]["expr"], type)


def _key(row: Any, order: Sequence[SortColumn]) -> list[Any]:
    return [getattr(row, column.key) for column in order]
