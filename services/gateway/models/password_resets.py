"""Password reset requests: one row per "Forgot password", whether or not the address has an account.

A row for an unknown address holds no user and no token; it exists so requests are throttled per
address and per client alike, without telling the two apart. The link's secret is stored only as its
SHA-256 (like refresh tokens): the database alone cannot be used to reset a password.
"""

import uuid
from datetime import datetime

from pydantic import EmailStr
from sqlalchemy import Column, Index, Text
from sqlmodel import Field, SQLModel

from services.gateway.models import GatewayModel, timestamp, utcnow
from services.gateway.models.accounts import moment


class PasswordResetRequest(SQLModel):
    email: EmailStr = Field(max_length=254)


class PasswordResetConfirm(SQLModel):
    token: str = Field(min_length=20, max_length=200, description="The secret of the mailed link.")
    password: str = Field(
        min_length=8,
        max_length=256,
        description="Hard to guess: not a common password, not containing your name or email.",
    )


class PasswordResetAccepted(SQLModel):
    message: str


class PasswordReset(GatewayModel, table=True):
    __tablename__ = "password_reset"
    __table_args__ = (
        Index("ix_password_reset_email_requested_at", "email", "requested_at"),
        Index("ix_password_reset_client_ip_requested_at", "client_ip", "requested_at"),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    user_id: uuid.UUID | None = Field(
        default=None, foreign_key="gateway.user_account.id", ondelete="CASCADE"
    )
    email: str = Field(sa_type=Text)
    client_ip: str = Field(sa_type=Text)
    token_hash: str | None = Field(default=None, sa_column=Column(Text, unique=True))
    requested_at: datetime = Field(default_factory=utcnow, sa_column=timestamp())
    expires_at: datetime = Field(sa_column=moment())
    used_at: datetime | None = Field(default=None, sa_column=moment(nullable=True))
