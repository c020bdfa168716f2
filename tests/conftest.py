"""The tests' own local stack (.stack/test, ports from 18000), started once per session as needed:
Postgres alone for integration tests, everything for system tests. Stopped when the session ends."""

import pytest

from scripts.stack.processes import Stack
from scripts.stack.topology import TEST


@pytest.fixture(scope="session")
def test_stack():
    stack = Stack(TEST)
    stack.down(say=lambda _: None)  # whatever an interrupted run left behind
    stack.wipe()
    yield stack
    stack.down(say=lambda _: None)


@pytest.fixture(scope="session")
def postgres(test_stack: Stack) -> Stack:
    test_stack.start_postgres()
    return test_stack
