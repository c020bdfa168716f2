"""The smoke test's waiting: a consumer's 404 for a household it has not heard of yet is "not yet",
never a success, and any other refusal ends the run at once."""

import pytest

from scripts.seed.api import SeedError
from scripts.smoke import eventually

NOT_YET = SeedError("GET /api/households/x/audit answered 404: No such household.")


async def test_a_404_is_waited_out_and_the_real_answer_returned():
    answers = iter([NOT_YET, [], [{"id": 1}]])

    async def check():
        answer = next(answers)
        if isinstance(answer, Exception):
            raise answer
        return answer

    assert await eventually("it", check, patience_s=5) == [{"id": 1}]


async def test_a_404_that_never_ends_is_a_failure_not_a_success():
    async def check():
        raise NOT_YET

    with pytest.raises(SeedError, match="not within"):
        await eventually("the claim", check, patience_s=0.6)


async def test_any_other_refusal_fails_at_once():
    async def check():
        raise SeedError("GET /api/x answered 500: boom")

    with pytest.raises(SeedError, match="500"):
        await eventually("it", check, patience_s=30)
