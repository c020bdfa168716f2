"""The recurring processor's tables, in its own schema."""

from shared.db import service_metadata
from shared.inbox import processed_event_table

SCHEMA = "recurring"
metadata = service_metadata(SCHEMA)
processed_event = processed_event_table(metadata)
