"""The dashboard and the alerts against a real Prometheus scraping the whole stack: after ordinary use
(and one poison event) every panel's query returns data, and each alert fires on the failure it is for:
a poison event, a killed consumer and the backlog behind it, reminders fired late, a stalled outbox.

Prometheus runs here with the shipped rules except for their `for:` windows, which are cut to seconds
(rules_without_waiting); every expression and threshold is the shipped one.
"""

import asyncio
import contextlib
import copy
import json
import math
import shutil
import time
import uuid

import asyncpg
import httpx
import pytest

from scripts.stack.prometheus import rule_groups
from scripts.stack.topology import SERVICES
from tests.sse_client import open_stream
from tests.system.conftest import eventually, publish_raw
from tests.system.test_poison_pipe import task_created_cloudevent
from tests.system.test_tasks_pipe import create_task, in_seconds, scheduled, signed_up_household
from tests.unit.test_dashboards import DASHBOARDS

pytestmark = pytest.mark.skipif(
    shutil.which("prometheus") is None,
    reason="prometheus is not installed: `make install` installs it (Debian's prometheus package)",
)

SCRAPE_INTERVAL = "1s"
# what Grafana's variables stand for when the queries are run here: every service, and a rate window
# of many scrapes
VARIABLES = {"$service": ".*", "$__rate_interval": "1m"}


def rules_without_waiting() -> dict:
    rules = copy.deepcopy(rule_groups())
    for group in rules["groups"]:
        for rule in group["rules"]:
            if "for" in rule:
                rule["for"] = "2s"
    return rules


def panel_queries() -> list[tuple[str, str]]:
    """(panel title and refId, PromQL with the variables filled in) of every dashboard panel."""
    found = []
    for path in DASHBOARDS:
        for panel in json.loads(path.read_text())["panels"]:
            for target in panel.get("targets", []):
                expr = target["expr"]
                for variable, value in VARIABLES.items():
                    expr = expr.replace(variable, value)
                found.append((f"{path.stem}: {panel['title']} ({target['refId']})", expr))
    return found


class Prometheus:
    def __init__(self, url: str) -> None:
        self.client = httpx.AsyncClient(base_url=url, timeout=30)

    async def query(self, expr: str) -> list[dict]:
        response = await self.client.get("/api/v1/query", params={"query": expr})
        assert response.status_code == 200, f"{expr}: {response.text}"
        return response.json()["data"]["result"]

    async def query_range(self, expr: str, start: float, end: float) -> list[dict]:
        response = await self.client.get(
            "/api/v1/query_range", params={"query": expr, "start": start, "end": end, "step": 1}
        )
        assert response.status_code == 200, f"{expr}: {response.text}"
        return response.json()["data"]["result"]

    async def has_fired(self, alert: str, since: float, **labels: str) -> bool:
        """Whether the alert was firing at any evaluation since `since`, with these labels."""
        matchers = {"alertname": alert, "alertstate": "firing", **labels}
        selector = ", ".join(f'{name}="{value}"' for name, value in matchers.items())
        window = max(2, math.ceil(time.time() - since))
        return bool(await self.query(f"max_over_time(ALERTS{{{selector}}}[{window}s])"))

    async def fired(self, alert: str, since: float, patience: float = 90, **labels: str) -> None:
        await eventually(
            lambda: self.has_fired(alert, since, **labels), f"{alert} {labels} fired", patience
        )


@pytest.fixture(scope="module")
async def prometheus(stack):
    """The stack's Prometheus, scraping every second with the rules' `for:` cut short; the stack's own
    again afterwards."""
    stack.stop("prometheus")
    assert stack.start_prometheus(interval=SCRAPE_INTERVAL, rules=rules_without_waiting())
    prometheus = Prometheus(stack.t.prometheus_url)
    # every target scraped twice before anything happens, so that what happens is an increase
    targets = 2 * len(SERVICES) + 1  # the apps, their sidecars, the Kafka exporter
    await eventually(
        lambda: _returns(prometheus, f"count(count_over_time(up[1m]) >= 2) == {targets}"),
        "Prometheus scraped every target",
    )
    yield prometheus
    await prometheus.client.aclose()
    stack.stop("prometheus")
    stack.start_prometheus()


@pytest.fixture(scope="module")
async def used(stack, prometheus) -> float:
    """A household used as a family would (and one poison event); when it began."""
    began = time.time()
    db = await asyncpg.connect(stack.t.database_dsn())
    async with httpx.AsyncClient(base_url=stack.t.gateway_url, timeout=30) as gateway:
        household_id, headers, _ = await signed_up_household(gateway)
        task = await create_task(
            gateway, household_id, headers, due_at=in_seconds(8), reminders=["PT5S"]
        )
        await gateway.get(f"/api/households/{uuid.uuid4()}/tasks", headers=headers)  # a 4xx

        async def reminder_fired() -> bool:
            rows = await scheduled(db, task["id"])
            return bool(rows) and all(r["fired_at"] is not None for r in rows)

        try:
            await eventually(reminder_fired, "the task's reminder fired")
        finally:
            await db.close()
        # by now the notification service knows the household
        token = headers["Authorization"].removeprefix("Bearer ")
        stream = f"/api/households/{household_id}/notifications/stream"
        async with open_stream(gateway, stream, bearer=token) as live:
            await live.next("ready")
        poison = task_created_cloudevent(household_id, timezone="Mars/Olympus_Mons")
        await publish_raw(stack, "task", poison, household_id)
    for what in (  # scraped: the poison counted by every consumer, the reminder's lateness
        'count(giftflow_events_dead_lettered_total{type="giftflow.task.created.v1"} > 0) == 4',
        "sum(giftflow_reminder_lateness_seconds_count) > 0",
    ):
        await eventually(lambda w=what: _returns(prometheus, w), f"Prometheus saw {what}")
    return began


async def _returns(prometheus: Prometheus, expr: str) -> bool:
    return bool(await prometheus.query(expr))


async def test_every_panel_query_returns_data(prometheus, used):
    empty: list[str] = []

    async def every_panel_has_data() -> bool:
        empty.clear()
        for where, expr in panel_queries():
            series = await prometheus.query_range(expr, used, time.time())
            values = [float(v) for s in series for _, v in s["values"]]
            if not any(not math.isnan(v) for v in values):
                empty.append(f"{where} ({len(series)} series, all NaN if any): {expr}")
        return not empty

    # what was done is in Prometheus within a few scrapes (and one poll of the Kafka exporter)
    with contextlib.suppress(AssertionError):
        await eventually(every_panel_has_data, "every panel has data", patience=30)
    assert not empty, "panels without data:\n" + "\n".join(empty)


async def test_probes_and_scrapes_are_not_counted_as_requests(prometheus, used):
    # every sidecar checks /healthz/database each second and Prometheus scrapes each second, yet
    assert not await prometheus.query(
        'giftflow_http_requests_total{route=~"/healthz.*|/readyz|/metrics"}'
    )


async def test_a_poison_event_fires_the_dead_letter_alerts(prometheus, used, stack):
    for consumer in ("notification", "reminder", "recurring", "audit"):
        labels = {"service": consumer, "type": "giftflow.task.created.v1"}
        await prometheus.fired("GiftflowEventsDropped", used, **labels)
        await prometheus.fired("GiftflowEventsDeadLettered", used, **labels)
        await prometheus.fired("GiftflowDeadLettersLanded", used, topic=f"deadletter.{consumer}")


async def test_a_killed_consumer_fires_target_down_lag_and_late_reminders(
    prometheus, used, stack, gateway, db
):
    began = time.time()
    household_id, headers, _ = await signed_up_household(gateway)
    stack.kill("app-reminder")
    try:
        await prometheus.fired("GiftflowTargetDown", began, job="giftflow-services", pod="reminder")
        # its sidecar stops taking events while the app is away: what is published meanwhile waits
        reminded_at = time.time() + 1
        tasks = [
            await create_task(
                gateway, household_id, headers, due_at=in_seconds(6), reminders=["PT5S"]
            )
            for _ in range(3)
        ]

        async def lag_grows() -> bool:
            await create_task(gateway, household_id, headers, title="One more chore")
            await asyncio.sleep(1)
            return await prometheus.has_fired(
                "GiftflowConsumerLagGrowing", began, consumergroup="reminder"
            )

        await eventually(lag_grows, "GiftflowConsumerLagGrowing fired for reminder")
        # long enough that the reminders, fired once the service is back, are over 30 s late
        await asyncio.sleep(max(0.0, reminded_at + 35 - time.time()))
    finally:
        stack.start_app("reminder")

    async def fired_late() -> bool:  # any of them: the alert is about lateness, not about each one
        rows = [r for t in tasks for r in await scheduled(db, t["id"])]
        return any(r["fired_at"] is not None for r in rows)

    await eventually(fired_late, "reminders fired, late, once the service was back", 150)
    await prometheus.fired("GiftflowRemindersLate", began)


async def test_a_stalled_outbox_fires_its_alert_and_the_sidecars_target_down(
    prometheus, used, stack, gateway
):
    began = time.time()
    household_id, headers, _ = await signed_up_household(gateway)
    stack.kill("daprd-gateway")
    try:
        await create_task(gateway, household_id, headers, title="Waits in the outbox")
        await prometheus.fired("GiftflowTargetDown", began, job="giftflow-daprd", pod="gateway")
        # the threshold is the shipped one: older than a minute
        await prometheus.fired("GiftflowOutboxStalled", began, patience=150)
    finally:
        stack.start_sidecar("gateway")
    await eventually(
        lambda: _returns(prometheus, "max(giftflow_outbox_backlog) == 0"), "the outbox drained"
    )


async def test_a_database_blip_alone_is_no_5xx_storm(prometheus, used, stack):
    # No user is making requests. While Postgres is away every sidecar's health check gets a 503 from
    # /healthz/database each second; counted, that alone would make up most requests, all of them 5xx.
    began = time.time()
    stack.crash_postgres()
    try:
        await asyncio.sleep(6)
    finally:
        stack.start_postgres()
    for service in SERVICES:
        await asyncio.to_thread(stack.wait_ready, service)
    await asyncio.sleep(3)  # scraped since
    window = math.ceil(time.time() - began) + 1
    counted = f'increase(giftflow_http_requests_total{{status=~"5.."}}[{window}s]) > 0'
    assert await prometheus.query(counted) == []
