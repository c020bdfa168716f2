"""User accounts, their refresh tokens, and failed logins (the throttle's memory)."""

import uuid
from datetime import datetime

from pydantic import EmailStr, field_validator
from sqlalchemy import BigInteger, Column, DateTime, Identity, Index, Text
from sqlmodel import Field, SQLModel

from services.gateway.models import GatewayModel, timestamp, utcnow
from services.gateway.models.households import MyHousehold
from shared.validation import Line


def moment(nullable: bool = False) -> Column:
    """A timestamptz column the use case always sets itself."""
    return Column(DateTime(timezone=True), nullable=nullable)


def normalize_email(email: str) -> str:
    return email.strip().lower()


class UserBase(SQLModel):
    display_name: Line = Field(min_length=1, max_length=80)

    @field_validator("display_name", mode="before")
    @classmethod
    def strip_name(cls, value: object) -> object:
        return value.strip() if isinstance(value, str) else value


class SignUp(UserBase):
    email: EmailStr = Field(max_length=254)
    password: str = Field(min_length=8, max_length=256)


class LogIn(SQLModel):
    email: EmailStr = Field(max_length=254)
    password: str = Field(min_length=1, max_length=256)


class TokenRequest(SQLModel):
    """A refresh token in the body; browsers send it as the `gf_refresh` cookie instead."""

    refresh_token: str | None = Field(default=None, max_length=200)


class UserAccount(UserBase, GatewayModel, table=True):
    __tablename__ = "user_account"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    email: str = Field(sa_column=Column(Text, nullable=False, unique=True))
    password_hash: str = Field(sa_type=Text)
    created_at: datetime = Field(default_factory=utcnow, sa_column=timestamp())


class UserPublic(UserBase):
    display_name: str  # as stored: what was taken before the input rules were tightened still reads
    id: uuid.UUID
    email: str
    created_at: datetime


class Me(UserPublic):
    households: list[MyHousehold]


class AuthTokens(SQLModel):
    """What sign-up, login and refresh answer; the same tokens are also set as HttpOnly cookies."""

    access_token: str
    refresh_token: str
    token_type: str = "bearer"
    expires_in: int
    user: UserPublic


class RefreshToken(GatewayModel, table=True):
    """Stored hashed. Rotated on use: a token of a family used twice means it was stolen."""

    __tablename__ = "refresh_token"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    user_id: uuid.UUID = Field(foreign_key="gateway.user_account.id", ondelete="CASCADE", index=True)
    family_id: uuid.UUID = Field(index=True)
    token_hash: str = Field(sa_column=Column(Text, nullable=False, unique=True))
    created_at: datetime = Field(default_factory=utcnow, sa_column=timestamp())
    expires_at: datetime = Field(sa_column=moment())
    revoked_at: datetime | None = Field(default=None, sa_column=moment(nullable=True))


class LoginAttempt(GatewayModel, table=True):
    """A failed login, kept for the throttle window."""

    __tablename__ = "login_attempt"
    __table_args__ = (
        Index("ix_login_attempt_email_attempted_at", "email", "attempted_at"),
        Index("ix_login_attempt_client_ip_attempted_at", "client_ip", "attempted_at"),
    )

    id: int | None = Field(default=None, sa_column=Column(BigInteger, Identity(), primary_key=True))
    email: str = Field(sa_type=Text)
    client_ip: str = Field(sa_type=Text)
    attempted_at: datetime = Field(default_factory=utcnow, sa_column=timestamp())
