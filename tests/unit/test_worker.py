"""The background loop every worker shares: when it goes again at once, sleeps, or backs off."""

import asyncio

from shared.worker import BackgroundWorker, Every, running


class Scripted(BackgroundWorker):
    """Plays back a list of round outcomes: True/False as returned, an exception as raised."""

    name = "scripted"

    def __init__(self, script: list, idle: float = 60.0) -> None:
        super().__init__(poll_interval=idle)
        self.script = list(script)
        self.rounds = 0
        self.done = asyncio.Event()

    async def run_once(self) -> bool:
        self.rounds += 1
        if not self.script:
            self.done.set()
            return False
        outcome = self.script.pop(0)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome


async def run_until_script_ends(worker: Scripted, timeout: float = 5.0) -> None:
    await worker.start()
    try:
        await asyncio.wait_for(worker.done.wait(), timeout)
    finally:
        await worker.stop()


async def test_a_round_that_left_more_work_is_followed_at_once():
    worker = Scripted([True, True, True])
    await run_until_script_ends(worker, timeout=1.0)  # far less than the 60 s idle sleep
    assert worker.rounds == 4


async def test_a_wake_up_cuts_the_idle_sleep_short():
    worker = Scripted([False])
    await worker.start()
    try:
        while worker.rounds < 1:
            await asyncio.sleep(0.01)
        worker._wake.set()  # what a NOTIFY on its channel does
        await asyncio.wait_for(worker.done.wait(), 1.0)
    finally:
        await worker.stop()


async def test_a_failing_round_is_retried_after_a_short_delay_not_the_idle_sleep():
    worker = Scripted([OSError("database away"), RuntimeError("a bug")])
    worker.first_retry_s = 0.01
    await run_until_script_ends(worker, timeout=1.0)
    assert worker.rounds == 3


async def test_a_worker_without_a_channel_starts_no_listener():
    worker = Scripted([], idle=60.0)
    worker.listen_dsn = "postgresql://unused"
    await worker.start()
    try:
        assert [t.get_name() for t in worker._tasks] == ["scripted-run"]
    finally:
        await worker.stop()


async def test_housekeeping_runs_at_start_then_on_its_interval_and_a_failure_is_tried_again():
    calls, third = [], asyncio.Event()

    async def job() -> None:
        calls.append(len(calls))
        if len(calls) == 2:
            raise OSError("database away")
        if len(calls) == 3:
            third.set()

    every = Every("housekeeping", job, interval_s=0.05)
    every.first_retry_s = 0.01
    async with running(every):
        await asyncio.wait_for(third.wait(), 2.0)
    assert calls[:3] == [0, 1, 2]
    stopped_at = len(calls)
    await asyncio.sleep(0.15)  # three intervals: nothing runs once the block has ended
    assert len(calls) == stopped_at


async def test_running_stops_its_workers_when_the_block_ends_even_by_an_error():
    first, second = Scripted([]), Scripted([])
    try:
        async with running(first, second):
            await asyncio.wait_for(asyncio.gather(first.done.wait(), second.done.wait()), 1.0)
            raise LookupError("the app failed")
    except LookupError:
        pass
    assert first._tasks == [] and second._tasks == []
