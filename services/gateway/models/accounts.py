"""User accounts, their refresh tokens, and failed logins (the throttle's memory)."""

import uuid
from datetime import datetime

from pydantic import EmailStr, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError
from sqlalchemy import BigInteger, Column, DateTime, Identity, Index, Text
from sqlmodel import Field, SQLModel

from services.gateway.models import GatewayModel, timestamp, utcnow
from services.gateway.models.households import MyHousehold
from services.gateway.passwords import password_problem
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
    password: str = Field(
        min_length=8,
        max_length=256,
        description="Hard to guess: not a common password, not containing your name or email.",
    )

    @field_validator("password")
    @classmethod
    def strong_enough(cls, password: str, info: ValidationInfo) -> str:
        # display_name and email are declared first, so they are checked and at hand here
        problem = password_problem(
            password, str(info.data.get("email", "")), info.data.get("display_name", "")
        )
        if problem:
            raise PydanticCustomError("password_too_weak", problem)
        return password


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
    user_id: uuid.UUID = Field(
        foreign_key="gateway.user_account.id", ondelete="CASCADE", index=True
    )
    family_id: uuid.UUID = Field(index=True)
    token_hash: str = Field(sa_column=Column(Text, nullable=False, unique=True))
    created_at: datetime = Field(default_factory=utcnow, sa_column=timestamp())
    expires_at: datetime = Field(sa_column=moment())
    revoked_at: datetime | None = Field(default=None, sa_column=moment(nullable=True))


class LoginAttempt(GatewayModel, table=True):
    """A failed login (or a sign-up with a taken email), kept for the throttle window
    (the rules: services/gateway/throttle.py)."""

    __tablename__ = "login_attempt"
    __table_args__ = (
        Index("ix_login_attempt_email_attempted_at", "email", "attempted_at"),
        Index("ix_login_attempt_client_ip_attempted_at", "client_ip", "attempted_at"),
        Index(
            "ix_login_attempt_device_id_attempted_at",
            "device_id",
            "attempted_at",
            postgresql_where=Column("device_id").isnot(None),
        ),
    )

    id: int | None = Field(default=None, sa_column=Column(BigInteger, Identity(), primary_key=True))
    email: str = Field(sa_type=Text)
    # the client's throttle key: its address, or its /64 for IPv6
    client_ip: str = Field(sa_type=Text)
    # set when it came from a browser familiar to the account (its device cookie): counted for that browser only
    device_id: str | None = Field(default=None, sa_type=Text)
    attempted_at: datetime = Field(default_factory=utcnow, sa_column=timestamp())


class KnownAddress(GatewayModel, table=True):
    """An address an account signed in from: there, failures elsewhere do not lock it out."""

    __tablename__ = "known_address"

    user_id: uuid.UUID = Field(
        foreign_key="gateway.user_account.id", ondelete="CASCADE", primary_key=True
    )
    client_ip: str = Field(sa_type=Text, primary_key=True)
    last_login_at: datetime = Field(sa_column=moment())
