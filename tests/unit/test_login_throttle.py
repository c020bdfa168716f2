"""The login throttle's rules (services/gateway/throttle.py): pure logic over failure times."""

from datetime import UTC, datetime, timedelta

from services.gateway.throttle import (
    Failures,
    Limits,
    backoff,
    device_trusted,
    retry_after,
    wait_before_login,
    wait_before_sign_up,
)

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
WINDOW = timedelta(minutes=15)
LIMITS = Limits(
    window=WINDOW, per_address=20, per_account=10, per_device=10, backoff_base=timedelta(seconds=1)
)


def ago(*seconds: float) -> tuple[datetime, ...]:
    return tuple(NOW - timedelta(seconds=s) for s in seconds)


def test_fewer_failures_than_the_limit_do_not_throttle():
    assert retry_after(ago(60, 120, 180, 240), NOW, max_failures=5, window=WINDOW) is None


def test_the_limit_reached_within_the_window_throttles_until_the_oldest_ages_out():
    assert retry_after(ago(600, 240, 180, 120, 60), NOW, max_failures=5, window=WINDOW) == 5 * 60


def test_failures_older_than_the_window_do_not_count():
    assert (
        retry_after(ago(1800, 1200, 960, 180, 120, 60), NOW, max_failures=5, window=WINDOW) is None
    )


def test_more_failures_than_the_limit_throttle_until_enough_have_aged_out():
    # 7 in the window, 5 allowed: blocked until the 3rd oldest (10 minutes ago) ages out
    assert (
        retry_after(ago(840, 720, 600, 480, 360, 240, 120), NOW, max_failures=5, window=WINDOW)
        == 5 * 60
    )


def test_the_wait_is_at_least_a_second_and_rounded_up():
    failures = (NOW - WINDOW + timedelta(milliseconds=300),) + (NOW,) * 4
    assert retry_after(failures, NOW, max_failures=5, window=WINDOW) == 1


def test_the_first_three_failures_of_an_account_from_an_address_cost_no_wait():
    assert backoff(ago(3, 2, 1), NOW - timedelta(seconds=1), timedelta(seconds=60), WINDOW) == 60
    assert backoff(ago(2, 1), NOW, timedelta(seconds=60), WINDOW) is None


def test_the_backoff_doubles_with_each_further_failure_up_to_the_window():
    base = timedelta(seconds=10)
    assert backoff(ago(0, 0, 0), NOW, base, WINDOW) == 10
    assert backoff(ago(0, 0, 0, 0), NOW, base, WINDOW) == 20
    assert backoff(ago(0, 0, 0, 0, 0), NOW, base, WINDOW) == 40
    assert backoff(ago(*[0] * 40), NOW, base, WINDOW) == WINDOW.total_seconds()


def test_the_backoff_counts_from_the_latest_failure_and_lifts_after_it():
    base = timedelta(seconds=10)
    assert backoff(ago(30, 20, 4), NOW, base, WINDOW) == 6
    assert backoff(ago(30, 20, 11), NOW, base, WINDOW) is None


def test_a_familiar_browser_is_not_held_by_failures_from_anywhere_else():
    everywhere = ago(*range(1, 60))
    failures = Failures(
        from_address=everywhere, of_account_from_address=everywhere, of_account=everywhere
    )
    assert device_trusted(True, failures, LIMITS, NOW)
    assert (
        wait_before_login(failures, LIMITS, NOW, trusted_device=True, familiar_address=False)
        is None
    )


def test_a_familiar_browser_that_failed_too_often_itself_is_treated_as_unfamiliar():
    failures = Failures(of_device=ago(*range(1, 11)), of_account=ago(*range(1, 11)))
    assert not device_trusted(True, failures, LIMITS, NOW)
    assert not device_trusted(False, Failures(), LIMITS, NOW)


def test_unfamiliar_clients_wait_once_the_account_failed_too_often_from_anywhere():
    failures = Failures(of_account=ago(*range(10, 110, 10)))
    wait = wait_before_login(failures, LIMITS, NOW, trusted_device=False, familiar_address=False)
    assert wait is not None and wait.reason == "account"


def test_a_familiar_address_is_not_locked_out_by_failures_from_elsewhere():
    failures = Failures(of_account=ago(*range(10, 110, 10)))
    assert (
        wait_before_login(failures, LIMITS, NOW, trusted_device=False, familiar_address=True)
        is None
    )


def test_a_familiar_address_is_still_slowed_by_its_own_failures():
    mine = ago(3, 2, 1)
    failures = Failures(from_address=mine, of_account_from_address=mine, of_account=mine)
    slow = Limits(
        window=WINDOW,
        per_address=20,
        per_account=10,
        per_device=10,
        backoff_base=timedelta(minutes=1),
    )
    wait = wait_before_login(failures, slow, NOW, trusted_device=False, familiar_address=True)
    assert wait is not None and wait.reason == "account_address"


def test_an_address_with_too_many_failures_over_all_accounts_waits():
    failures = Failures(from_address=ago(*range(1, 21)))
    wait = wait_before_login(failures, LIMITS, NOW, trusted_device=False, familiar_address=True)
    assert wait is not None and wait.reason == "address"


def test_the_longest_wait_wins():
    failures = Failures(from_address=ago(*range(1, 21)), of_account_from_address=ago(3, 2, 0))
    wait = wait_before_login(failures, LIMITS, NOW, trusted_device=False, familiar_address=False)
    assert wait.reason == "address" and wait.seconds > 1


def test_sign_ups_are_held_per_address_and_by_backoff_but_not_by_the_account_limit():
    assert wait_before_sign_up(Failures(of_account=ago(*range(1, 30))), LIMITS, NOW) is None
    assert (
        wait_before_sign_up(Failures(from_address=ago(*range(1, 21))), LIMITS, NOW).reason
        == "address"
    )
