"""gifting: people, occasions, lists, gifts, tags, list items, claims, pledges, comments, budgets

Revision ID: 0003
Revises: 0002

Claimed units are counted by a trigger on `claim` into `list_item.claimed_quantity`, whose check keeps
them within the wanted quantity: whatever writes claims, and however many at once, PostgreSQL refuses
the one that would claim more than is wanted.
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql as pg

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def uuid_column(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, pg.UUID(as_uuid=True), nullable=nullable)


def timestamptz(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def money(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.Numeric(12, 2), nullable=nullable)


def fk(table: str, column: str, target: str, ondelete: str = "CASCADE") -> sa.ForeignKeyConstraint:
    target_table, target_column = target.split(".")
    return sa.ForeignKeyConstraint(
        [column], [target], ondelete=ondelete, name=f"fk_{table}_{column}_{target_table}"
    )


def household_scoped(table: str, *columns, **kwargs) -> None:
    """A table whose rows belong to one household, with an id, an owner household and timestamps."""
    op.create_table(
        table,
        uuid_column("id"),
        uuid_column("household_id"),
        *columns,
        timestamptz("created_at"),
        timestamptz("updated_at"),
        sa.PrimaryKeyConstraint("id", name=f"pk_{table}"),
        fk(table, "household_id", "household.id"),
        **kwargs,
    )
    op.create_index(f"ix_{table}_household_id", table, ["household_id"])


def upgrade() -> None:
    household_scoped(
        "person",
        sa.Column("name", sa.Text, nullable=False),
        uuid_column("linked_user_id", nullable=True),
        sa.Column("interests", pg.JSONB, nullable=False, server_default=sa.text("'[]'::jsonb")),
        sa.Column("sizes", pg.JSONB, nullable=False, server_default=sa.text("'{}'::jsonb")),
        sa.Column("notes", sa.Text),
        uuid_column("created_by", nullable=True),
        fk("person", "linked_user_id", "user_account.id", "SET NULL"),
        fk("person", "created_by", "user_account.id", "SET NULL"),
    )
    # a member is at most one of the household's people
    op.create_index(
        "uq_person_household_id_linked_user_id",
        "person",
        ["household_id", "linked_user_id"],
        unique=True,
        postgresql_where=sa.text("linked_user_id IS NOT NULL"),
    )

    household_scoped(
        "occasion",
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("date", sa.Date, nullable=False),
        sa.Column("recurs_yearly", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("notes", sa.Text),
        uuid_column("created_by", nullable=True),
        fk("occasion", "created_by", "user_account.id", "SET NULL"),
        sa.CheckConstraint(
            "kind IN ('birthday', 'christmas', 'anniversary', 'other')", name="ck_occasion_kind"
        ),
    )
    op.create_table(
        "occasion_person",
        uuid_column("occasion_id"),
        uuid_column("person_id"),
        sa.PrimaryKeyConstraint("occasion_id", "person_id", name="pk_occasion_person"),
        fk("occasion_person", "occasion_id", "occasion.id"),
        fk("occasion_person", "person_id", "person.id"),
    )
    op.create_index("ix_occasion_person_person_id", "occasion_person", ["person_id"])

    household_scoped(
        "gift_list",
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("visibility", sa.Text, nullable=False),
        uuid_column("person_id"),
        uuid_column("occasion_id", nullable=True),
        uuid_column("created_by", nullable=True),
        fk("gift_list", "person_id", "person.id"),
        fk("gift_list", "occasion_id", "occasion.id", "SET NULL"),
        fk("gift_list", "created_by", "user_account.id", "SET NULL"),
        sa.CheckConstraint("kind IN ('wish', 'idea')", name="ck_gift_list_kind"),
        sa.CheckConstraint(
            "visibility IN ('private', 'household')", name="ck_gift_list_visibility"
        ),
    )
    op.create_index("ix_gift_list_person_id", "gift_list", ["person_id"])
    op.create_index("ix_gift_list_occasion_id", "gift_list", ["occasion_id"])

    household_scoped(
        "gift",
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("url", sa.Text),
        money("price", nullable=True),
        sa.Column("currency", sa.Text),
        sa.Column("image_url", sa.Text),
        sa.Column("notes", sa.Text),
        sa.Column("from_santa", sa.Boolean, nullable=False, server_default=sa.false()),
        uuid_column("created_by", nullable=True),
        fk("gift", "created_by", "user_account.id", "SET NULL"),
        sa.CheckConstraint("price >= 0", name="ck_gift_price_not_negative"),
        sa.CheckConstraint(
            "price IS NULL OR currency IS NOT NULL", name="ck_gift_price_has_currency"
        ),
    )

    op.create_table(
        "tag",
        uuid_column("id"),
        uuid_column("household_id"),
        sa.Column("name", sa.Text, nullable=False),  # stored lower-case
        timestamptz("created_at"),
        sa.PrimaryKeyConstraint("id", name="pk_tag"),
        fk("tag", "household_id", "household.id"),
        sa.UniqueConstraint("household_id", "name", name="uq_tag_household_id_name"),
    )
    op.create_table(
        "gift_tag",
        uuid_column("gift_id"),
        uuid_column("tag_id"),
        sa.PrimaryKeyConstraint("gift_id", "tag_id", name="pk_gift_tag"),
        fk("gift_tag", "gift_id", "gift.id"),
        fk("gift_tag", "tag_id", "tag.id"),
    )
    op.create_index("ix_gift_tag_tag_id", "gift_tag", ["tag_id"])

    op.create_table(
        "gift_person",
        uuid_column("gift_id"),
        uuid_column("person_id"),
        sa.Column("role", sa.Text, nullable=False),
        timestamptz("created_at"),
        sa.PrimaryKeyConstraint("gift_id", "person_id", "role", name="pk_gift_person"),
        fk("gift_person", "gift_id", "gift.id"),
        fk("gift_person", "person_id", "person.id"),
        sa.CheckConstraint(
            "role IN ('recipient', 'purchaser', 'contributor')", name="ck_gift_person_role"
        ),
    )
    op.create_index("ix_gift_person_person_id", "gift_person", ["person_id"])

    household_scoped(
        "list_item",
        uuid_column("list_id"),
        uuid_column("gift_id"),
        sa.Column("quantity", sa.Integer, nullable=False),
        sa.Column("claimed_quantity", sa.Integer, nullable=False, server_default=sa.text("0")),
        sa.Column("status", sa.Text, nullable=False),
        timestamptz("status_changed_at"),
        timestamptz("purchased_at", nullable=True),
        uuid_column("purchased_by", nullable=True),
        uuid_column("added_by", nullable=True),
        sa.Column("notes", sa.Text),
        fk("list_item", "list_id", "gift_list.id"),
        fk("list_item", "gift_id", "gift.id"),
        fk("list_item", "purchased_by", "user_account.id", "SET NULL"),
        fk("list_item", "added_by", "user_account.id", "SET NULL"),
        sa.UniqueConstraint("list_id", "gift_id", name="uq_list_item_list_id_gift_id"),
        sa.CheckConstraint("quantity >= 1", name="ck_list_item_quantity_positive"),
        sa.CheckConstraint(
            "claimed_quantity >= 0 AND claimed_quantity <= quantity",
            name="ck_list_item_claims_within_quantity",
        ),
        sa.CheckConstraint(
            "status IN ('idea', 'selected', 'purchased', 'wrapped', 'given')",
            name="ck_list_item_status",
        ),
    )
    op.create_index("ix_list_item_gift_id", "list_item", ["gift_id"])

    household_scoped(
        "claim",
        uuid_column("list_item_id"),
        uuid_column("user_id"),
        sa.Column("quantity", sa.Integer, nullable=False),
        fk("claim", "list_item_id", "list_item.id"),
        fk("claim", "user_id", "user_account.id"),
        sa.UniqueConstraint("list_item_id", "user_id", name="uq_claim_list_item_id_user_id"),
        sa.CheckConstraint("quantity >= 1", name="ck_claim_quantity_positive"),
    )
    op.create_index("ix_claim_user_id", "claim", ["user_id"])
    op.execute(
        """
        CREATE FUNCTION count_claimed_units() RETURNS trigger LANGUAGE plpgsql
        SET search_path FROM CURRENT AS $$
        BEGIN
            IF TG_OP IN ('UPDATE', 'DELETE') THEN
                UPDATE list_item SET claimed_quantity = claimed_quantity - OLD.quantity
                WHERE id = OLD.list_item_id;
            END IF;
            IF TG_OP IN ('INSERT', 'UPDATE') THEN
                UPDATE list_item SET claimed_quantity = claimed_quantity + NEW.quantity
                WHERE id = NEW.list_item_id;
            END IF;
            RETURN NULL;
        END $$
        """
    )
    op.execute(
        "CREATE TRIGGER claim_counted AFTER INSERT OR UPDATE OF quantity, list_item_id OR DELETE ON claim "
        "FOR EACH ROW EXECUTE FUNCTION count_claimed_units()"
    )

    household_scoped(
        "pledge",
        uuid_column("gift_id"),
        uuid_column("user_id"),
        money("amount"),
        sa.Column("currency", sa.Text, nullable=False),
        fk("pledge", "gift_id", "gift.id"),
        fk("pledge", "user_id", "user_account.id"),
        sa.UniqueConstraint("gift_id", "user_id", name="uq_pledge_gift_id_user_id"),
        sa.CheckConstraint("amount > 0", name="ck_pledge_amount_positive"),
    )

    household_scoped(
        "comment",
        # exactly one target; the task domain adds its own target column to this check
        uuid_column("gift_id", nullable=True),
        uuid_column("list_id", nullable=True),
        uuid_column("author_id", nullable=True),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("surprise", sa.Boolean, nullable=False),
        fk("comment", "gift_id", "gift.id"),
        fk("comment", "list_id", "gift_list.id"),
        fk("comment", "author_id", "user_account.id", "SET NULL"),
        sa.CheckConstraint("num_nonnulls(gift_id, list_id) = 1", name="ck_comment_one_target"),
    )
    op.create_index("ix_comment_gift_id", "comment", ["gift_id"])
    op.create_index("ix_comment_list_id", "comment", ["list_id"])

    household_scoped(
        "budget",
        uuid_column("person_id"),
        uuid_column("occasion_id"),
        money("amount"),
        sa.Column("currency", sa.Text, nullable=False),
        fk("budget", "person_id", "person.id"),
        fk("budget", "occasion_id", "occasion.id"),
        sa.UniqueConstraint("person_id", "occasion_id", name="uq_budget_person_id_occasion_id"),
        sa.CheckConstraint("amount >= 0", name="ck_budget_amount_not_negative"),
    )
    op.create_index("ix_budget_occasion_id", "budget", ["occasion_id"])


def downgrade() -> None:
    for table in ("budget", "comment", "pledge"):
        op.drop_table(table)
    op.execute("DROP TRIGGER claim_counted ON claim")
    op.execute("DROP FUNCTION count_claimed_units()")
    for table in (
        "claim",
        "list_item",
        "gift_person",
        "gift_tag",
        "tag",
        "gift",
        "gift_list",
        "occasion_person",
        "occasion",
        "person",
    ):
        op.drop_table(table)
