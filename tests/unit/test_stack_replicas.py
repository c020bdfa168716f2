"""The local stack's copies of a service: their ports, the balancer's configuration, and the default
left as it was (one process per service, the gateway on its own port)."""

import pytest

from scripts.stack import balancer
from scripts.stack.topology import MAX_COPIES, SERVICES, Topology


def _ports(t: Topology) -> list[int]:
    ports = [t.postgres_port, t.kafka_port, t.kafka_controller_port, t.prometheus_port]
    ports += [t.kafka_exporter_port, t.notification_balancer_port]
    for service in SERVICES:
        copies = set(t.replicas(service)) | {0}
        for replica in copies:
            ports.append(t.app_port(service, replica))
            if service != "gateway" or replica == 0:  # the gateway's instances share one sidecar
                ports += [
                    t.dapr_http_port(service, replica),
                    t.dapr_grpc_port(service, replica),
                    t.dapr_metrics_port(service, replica),
                    t.dapr_internal_port(service, replica),
                ]
    return ports


def test_every_process_of_the_largest_stack_has_a_port_of_its_own():
    t = Topology("x", 18000, gateway_instances=MAX_COPIES, consumer_replicas=MAX_COPIES)
    ports = _ports(t)
    assert len(ports) == len(set(ports))
    assert all(18000 <= p < 19000 for p in ports)


def test_the_default_stack_runs_one_of_each_with_the_gateway_on_its_own_port():
    t = Topology("x", 18000)
    assert not t.balanced
    assert all(list(t.replicas(s)) == [0] for s in SERVICES)
    assert t.app_port("gateway") == 18000
    assert t.service_env("gateway")["DAPR_HTTP_ENDPOINT"] == "http://127.0.0.1:18100"


def test_consumer_replicas_have_their_own_sidecar_and_enough_partitions():
    t = Topology("x", 18000, consumer_replicas=2)
    assert (
        t.service_env("audit", 1)["DAPR_HTTP_ENDPOINT"]
        != t.service_env("audit")["DAPR_HTTP_ENDPOINT"]
    )
    assert t.partitions >= 2


def test_gateway_instances_share_the_sidecar_and_sit_behind_the_public_port(tmp_path, monkeypatch):
    t = Topology("x", 18000, gateway_instances=3)
    assert list(t.replicas("gateway")) == [1, 2, 3]
    assert {t.service_env("gateway", i)["DAPR_HTTP_ENDPOINT"] for i in (1, 2, 3)} == {
        t.dapr_url("gateway")
    }
    monkeypatch.setattr(Topology, "dir", property(lambda self: tmp_path))
    config = balancer.write_config(t).read_text()
    assert "bind 127.0.0.1:18000" in config
    for i in (1, 2, 3):
        assert f"server instance{i} 127.0.0.1:{t.app_port('gateway', i)} check" in config
    assert "retry-on conn-failure empty-response" in config  # never a request that was handled
    assert "option httpchk GET /healthz" in config
    assert "frontend notification" not in config  # one notification replica: reached directly


def test_the_gateway_reaches_several_notification_replicas_through_the_balancer(
    tmp_path, monkeypatch
):
    t = Topology("x", 18000, consumer_replicas=2)
    assert t.service_env("gateway")["NOTIFICATION_URL"] == "http://127.0.0.1:18094"
    monkeypatch.setattr(Topology, "dir", property(lambda self: tmp_path))
    config = balancer.write_config(t).read_text()
    assert "bind 127.0.0.1:18094" in config
    for replica in (0, 1):
        assert f"127.0.0.1:{t.app_port('notification', replica)} check" in config
    assert "frontend gateway" not in config  # one gateway: it serves its own port


@pytest.mark.parametrize("copies", [0, MAX_COPIES + 1])
def test_a_stack_refuses_more_copies_than_it_has_ports_for(copies):
    with pytest.raises(ValueError):
        Topology("x", 18000, consumer_replicas=copies)
