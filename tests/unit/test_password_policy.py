"""The password policy (services/gateway/passwords.py) and its place on the sign-up form's field."""

import pytest
from pydantic import ValidationError

from services.gateway.models.accounts import SignUp
from services.gateway.passwords import password_problem

EMAIL, NAME = "ann.okafor@example.com", "Ann Okafor"


@pytest.mark.parametrize(
    "password",
    [
        "password",
        "12345678",
        "        ",
        "Password123",
        "qwertyuiop",
        "iloveyou",
        "trustno1",
        "P@ssw0rd",
    ],
)
def test_common_and_blank_passwords_are_refused(password):
    assert password_problem(password, EMAIL, NAME) is not None


@pytest.mark.parametrize(
    "password",
    [
        EMAIL,
        EMAIL.upper(),
        f"my {EMAIL}",
        "ann.okafor",
        "okafor-1987",
        "AnnOkafor!",
        "ann okafor 2024",
    ],
)
def test_passwords_of_the_persons_own_name_or_email_are_refused(password):
    problem = password_problem(password, EMAIL, NAME)
    assert problem is not None and "name and email" in problem


@pytest.mark.parametrize(
    "password", ["giftflow2024", "abcdefgh1", "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", "20242024"]
)
def test_easily_guessed_patterns_are_refused(password):
    assert password_problem(password, EMAIL, NAME) is not None


@pytest.mark.parametrize(
    "password",
    [
        "correct horse battery staple",
        "mittens-lamp-orbit",
        "Tr0ub4dor&3",
        "channel rainbow kettle",
        "x" + "é" * 3 + " walnut lighthouse umbrella",
        "correct horse battery staple " * 8,
    ],
)
def test_hard_to_guess_passwords_are_accepted(password):
    assert password_problem(password, EMAIL, NAME) is None


def test_every_refusal_says_what_to_do_instead():
    for password in ("short", "password", "        ", EMAIL, "giftflow2024"):
        assert "Try three or four unrelated words" in password_problem(password, EMAIL, NAME)


def test_a_weak_password_is_a_problem_of_the_password_field_on_sign_up():
    with pytest.raises(ValidationError) as refused:
        SignUp(display_name=NAME, email=EMAIL, password="okafor-okafor")
    [error] = refused.value.errors()
    assert error["loc"] == ("password",) and error["type"] == "password_too_weak"
    assert error["msg"].startswith("Leave your name and email out of your password")
    assert (
        SignUp(display_name=NAME, email=EMAIL, password="mittens-lamp-orbit").password
        == "mittens-lamp-orbit"
    )
