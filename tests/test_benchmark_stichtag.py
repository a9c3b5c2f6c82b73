"""The counting of benchmarks/stichtag.py (issue 18): lost and duplicate applications, the recovery time
after the kill, and which errors were the killed host's requests in flight. Pure functions on made-up
timelines, so these run in the suite without network namespaces, root or a cluster."""

import importlib.util
import sys
from pathlib import Path

import pytest

_spec = importlib.util.spec_from_file_location(
    "stichtag_benchmark", Path(__file__).resolve().parent.parent / "benchmarks" / "stichtag.py")
stichtag = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = stichtag  # its dataclasses look their module up there
_spec.loader.exec_module(stichtag)


def test_an_acknowledged_application_the_receiver_never_accepted_is_lost():
    assert stichtag.tally(["a", "b", "c"], ["a", "b"]) == (1, 0)


def test_an_application_accepted_twice_is_a_duplicate_however_often_it_was_acknowledged():
    assert stichtag.tally(["a", "b", "b"], ["a", "b", "b", "b"]) == (0, 1)


def test_an_accepted_application_nobody_was_told_about_is_neither_lost_nor_duplicate():
    # its intake committed while the web host died before answering: delivered, never acknowledged
    assert stichtag.tally(["a"], ["a", "x"]) == (0, 0)


def _steady(start: float, end: float, per_second: int) -> list[float]:
    return [start + i / per_second for i in range(int((end - start) * per_second))]


def test_recovery_is_the_time_until_a_window_reaches_the_baseline_again():
    # 10/s, nothing completes for 4 s after the kill at t=20, then 10/s again
    times = _steady(0, 20, 10) + _steady(24, 40, 10)
    assert stichtag.recovery_seconds(times, 20.0, baseline=10.0, until=40.0) == 4.0


def test_recovery_is_zero_when_the_kill_did_not_slow_anything_down():
    times = _steady(0, 40, 10)
    assert stichtag.recovery_seconds(times, 20.0, baseline=10.0, until=40.0) == 0.0


def test_recovery_is_none_when_throughput_never_came_back():
    times = _steady(0, 20, 10) + _steady(20, 40, 5)
    assert stichtag.recovery_seconds(times, 20.0, baseline=10.0, until=40.0) is None


def test_rate_counts_the_events_in_a_half_open_interval():
    assert stichtag.rate([1.0, 1.5, 2.0, 3.0], 1.0, 3.0) == 1.5
    assert stichtag.rate([1.0], 2.0, 2.0) == 0.0


def test_errors_right_after_the_kill_from_the_dead_server_are_in_flight_others_are_not():
    kill = 100.0
    errors = [
        (100.1, "CatchResponseError: pruefen: HTTP 0 instead of the next step (HTTPConnectionClosed)", None),
        (100.2, "CatchResponseError: no form on hund (HTTP 502)", None),
        (100.2, "CatchResponseError: no form on zahlung (HTTP 200)", "web2"),  # its body was cut short
        (100.3, "CatchResponseError: hund: HTTP 500 instead of the next step", "web1"),  # the platform's error
        (100.3, "CatchResponseError: ort: HTTP 0 instead of the next step", "web1"),  # the surviving host
        (130.0, "CatchResponseError: no form on ort (HTTP 502)", None),  # long after the kill
        (99.0, "CatchResponseError: announce: HTTP 0 (ConnectionRefusedError)", None),  # before it
    ]
    assert stichtag.split_errors(errors, kill, "web2", grace=5.0) == (3, 4)
    assert stichtag.split_errors(errors, None, "web2", grace=5.0) == (0, 7)


@pytest.mark.parametrize(("q", "expected"), [(50, 5), (95, 10), (100, 10), (1, 1)])
def test_percentile_is_a_measured_value_by_nearest_rank(q, expected):
    assert stichtag.percentile(list(range(10, 0, -1)), q) == expected


def test_the_balancer_config_is_valid_and_never_takes_the_last_host_out_for_its_checks(tmp_path):
    """Every checked web host is there once more as a backup without a check (fail-open), requests beyond
    what a host works on at once wait in haproxy's queue, and haproxy itself accepts the file."""
    import shutil
    import subprocess

    config = stichtag.haproxy_config("127.0.0.1:18080", "127.0.0.1",
                                     {"web1": "127.0.0.1:18001", "web2": "127.0.0.1:18002"}, maxconn=8)
    for name, port in (("web1", 18001), ("web2", 18002)):
        # checked actively, and passively: the first refused connection takes a dead host out at once
        assert f"server {name} 127.0.0.1:{port} check observe layer4 error-limit 1 on-error mark-down\n" in config
        assert f"server {name}-failopen 127.0.0.1:{port} backup\n" in config
    assert "maxconn 8" in config and "timeout check 10s" in config and "option allbackups" in config
    if shutil.which("haproxy") is None:
        pytest.skip("haproxy is not installed (bin/setup installs it)")
    path = tmp_path / "haproxy.cfg"
    path.write_text(config)
    result = subprocess.run(["haproxy", "-c", "-f", str(path)], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stdout + result.stderr
