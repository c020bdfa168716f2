"""The background loop every worker shares: when it goes again at once, sleeps, or backs off."""

import asyncio

from shared.worker import BackgroundWorker


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
