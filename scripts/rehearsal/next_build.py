"""The "next release" the rehearsal upgrades to: a throwaway git worktree of HEAD with a change applied
that a real release of this kind would carry.

* A new gateway migration (expand only: a nullable column), so the upgrade runs a migration against the
  live database, and the rollback runs the previous code on the newer schema.
* `task.created` v2, a new version of an event every consumer handles: the contract (v1's fields plus
  one), consumers that treat v2 as they treat v1, and a gateway that publishes v2 in place of v1.

Each change is written at an anchor the current code has; when one is missing the rehearsal stops and
says which, rather than rehearsing something other than what it claims.
"""

import subprocess
from dataclasses import dataclass
from pathlib import Path

from scripts.stack.topology import ROOT

NEW_TYPE = "giftflow.task.created.v2"
OLD_TYPE = "giftflow.task.created.v1"
NEW_COLUMN = (
    "task",
    "created_via",
)  # the migration's column: (table, column) in the gateway schema

CONTRACT = '''

class TaskCreatedV2(TaskCreated):
    """task.created v2: v1 and where the task was made (the rehearsal's next release)."""

    event_name: ClassVar[str] = "task.created"
    version: ClassVar[int] = 2

    created_via: str = "api"
'''

# a handler of vN takes vN+1 when vN+1's contract extends vN's: what every consumer of the next
# release does, whatever its handler table looks like
CONSUMERS_READ_NEXT = """

def _with_next_versions(handlers):
    from shared.events import EVENT_TYPES, TYPE_PREFIX

    handlers = dict(handlers)
    for event_type, contract in EVENT_TYPES.items():
        older = f"{TYPE_PREFIX}{contract.event_name}.v{contract.version - 1}"
        if event_type not in handlers and older in handlers and issubclass(contract, EVENT_TYPES[older]):
            handlers[event_type] = handlers[older]
    return handlers


_init_v1 = BulkConsumer.__init__


def _init_next(self, service, sessions, inbox, handlers, catch_all=None):
    _init_v1(self, service, sessions, inbox, _with_next_versions(handlers), catch_all)


BulkConsumer.__init__ = _init_next
"""

# notification words v2 as v1 (its tables are keyed by the exact contract)
NOTIFICATION_WORDS_NEXT = """

from shared.events.tasks import TaskCreatedV2 as _TaskCreatedV2  # noqa: E402

DESCRIBERS[_TaskCreatedV2] = DESCRIBERS[t.TaskCreated]
if t.TaskCreated in NAMES_NEEDED:
    NAMES_NEEDED[_TaskCreatedV2] = NAMES_NEEDED[t.TaskCreated]
"""

GATEWAY_PUBLISHES_NEXT = '''

_row_v1 = _row


def _row(event, now, source):
    """The next release writes task.created as v2."""
    from shared.events.tasks import TaskCreated, TaskCreatedV2

    if type(event) is TaskCreated:
        event = TaskCreatedV2(**event.model_dump(), created_via="api")
    return _row_v1(event, now, source)
'''

MIGRATION = '''"""where a task was made (the rehearsal's next release)

Revision ID: {revision}
Revises: {down}

Expand only: a nullable column, so the previous gateway runs on this schema unchanged.
"""

import sqlalchemy as sa
from alembic import op

revision = "{revision}"
down_revision = "{down}"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("{table}", sa.Column("{column}", sa.Text(), nullable=True))


def downgrade() -> None:
    op.drop_column("{table}", "{column}")
'''


@dataclass(frozen=True)
class NextBuild:
    path: Path
    revision: str  # the gateway migration it adds
    previous_revision: str


def _append(path: Path, anchor: str, text: str) -> None:
    source = path.read_text()
    if anchor not in source:
        raise RuntimeError(
            f"the next build cannot be made: {path.relative_to(path.parents[2])} no longer has "
            f"{anchor!r}; update scripts/rehearsal/next_build.py to the code as it is now"
        )
    path.write_text(source + text)


def gateway_head(root: Path = ROOT) -> str:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(root / "migrations" / "gateway"))
    head = ScriptDirectory.from_config(config).get_current_head()
    if head is None:
        raise RuntimeError("the gateway has no migrations to build on")
    return head


def make(path: Path) -> NextBuild:
    """The worktree at `path` (made anew from HEAD) with the next release's change applied."""
    remove(path)
    subprocess.run(
        ["git", "worktree", "add", "--detach", "--force", str(path), "HEAD"],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    # what the gateway bundles the web client with: not in git, so lent by this checkout
    node_modules = ROOT / "scripts" / "web" / "node_modules"
    if node_modules.exists():
        (path / "scripts" / "web" / "node_modules").symlink_to(node_modules.resolve())
    down = gateway_head(path)
    revision = f"{down}_next"
    table, column = NEW_COLUMN
    (path / "migrations" / "gateway" / "versions" / f"{revision}.py").write_text(
        MIGRATION.format(revision=revision, down=down, table=table, column=column)
    )
    _append(path / "shared" / "events" / "tasks.py", "class TaskCreated(TaskFacts)", CONTRACT)
    _append(path / "shared" / "consumer.py", "class BulkConsumer", CONSUMERS_READ_NEXT)
    _append(
        path / "services" / "notification" / "wording.py", "DESCRIBERS", NOTIFICATION_WORDS_NEXT
    )
    _append(path / "shared" / "outbox.py", "def _row(event", GATEWAY_PUBLISHES_NEXT)
    return NextBuild(path, revision, down)


def remove(path: Path) -> None:
    if path.exists():
        subprocess.run(
            ["git", "worktree", "remove", "--force", str(path)], cwd=ROOT, capture_output=True
        )
    subprocess.run(["git", "worktree", "prune"], cwd=ROOT, capture_output=True)
