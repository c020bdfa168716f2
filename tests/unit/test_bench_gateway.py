import json

import pytest

from bench.gateway import Family, parse_wrk, read_mix, write_mix
from scripts.seed.api import Login

CLEAN = """Running 20s test @ http://127.0.0.1:28000
  2 threads and 16 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    12.40ms    5.10ms 120.33ms   89.00%
    Req/Sec   410.22     50.01   500.00     70.00%
  Latency Distribution
     50%   11.02ms 
     75%   14.50ms 
     90%   19.98ms 
     99%   41.70ms 
  16421 requests in 20.02s, 40.12MB read
Requests/sec:    820.23
Transfer/sec:      2.00MB
"""

FAILING = """Running 20s test @ http://127.0.0.1:28000
  2 threads and 16 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     1.76s   182.67ms   1.99s    60.00%
    Req/Sec     4.80      5.02    29.00     79.82%
  Latency Distribution
     50%  980.00us
     75%    1.95s 
     90%    1.97s 
     99%    1.99s 
  132 requests in 1.00m, 562.08KB read
  Socket errors: connect 0, read 2, write 0, timeout 117
  Non-2xx or 3xx responses: 5
Requests/sec:      4.39
Transfer/sec:     18.67KB
"""


def test_a_clean_run_gives_rate_percentiles_and_no_failures():
    run = parse_wrk(CLEAN)
    assert (run.requests, run.seconds, run.rps) == (16421, 20.02, 820.23)
    assert run.latency_ms == {50: 11.02, 75: 14.5, 90: 19.98, 99: 41.7}
    assert run.failed == 0


def test_non_2xx_answers_and_socket_errors_are_counted_and_units_become_ms():
    run = parse_wrk(FAILING)
    assert (run.non_2xx, run.socket_errors, run.failed) == (5, 119, 124)
    assert run.latency_ms[50] == pytest.approx(0.98)
    assert run.latency_ms[99] == pytest.approx(1990)
    assert run.seconds == pytest.approx(60)


def test_output_without_the_latency_distribution_is_refused():
    without = "\n".join(line for line in CLEAN.splitlines() if "%" not in line or "Stdev" in line)
    with pytest.raises(ValueError, match="--latency"):
        parse_wrk(without)
    with pytest.raises(ValueError):
        parse_wrk("wrk: unable to connect")


def _family() -> Family:
    logins = {
        k: Login(k, k.title(), f"{k}@example.com", "pw", f"user-{k}", f"token-{k}")
        for k in ("maya", "daniel", "grace")
    }
    ids = [f"id-{i}" for i in range(8)]
    return Family("hh", logins, {k: ids for k in logins}, {k: ids for k in logins}, ids)


@pytest.mark.parametrize("mix", [read_mix, write_mix])
def test_every_line_of_a_mix_is_method_path_token_and_a_json_body_or_none(mix):
    for method, path, token, body in mix(_family()):
        assert method in ("GET", "POST") and path.startswith("/api/households/hh/")
        assert token.startswith("token-") and "\t" not in body + path
        if method == "POST":
            json.loads(body.replace("{n}", "0-1"))
        else:
            assert body == ""
