"""The traffic generator (seeded Poisson arrivals of scripted callers) and the CLI entry point."""

from __future__ import annotations

import subprocess
import sys

from contactcentre.telephony.emulator import TrafficGenerator

from .account import NUMBER


def _hangup_app(app) -> None:
    app.route("/voice", lambda p: "<Response><Say>Hello.</Say><Hangup/></Response>")


def test_traffic_generator_places_a_bounded_number_of_calls(emulator, app_under_test):
    """Callers arrive until max_calls; every call reaches the app and then ends."""
    _hangup_app(app_under_test)
    traffic = TrafficGenerator(
        emulator.carrier, NUMBER, rate_per_minute=600, seed=7, max_calls=5
    ).start()
    emulator.wait_for(lambda: not traffic.running, what="traffic to finish")
    assert len(traffic.calls) == 5
    for call in traffic.calls:
        # The mix includes callers who hang up early: their calls end canceled, not completed.
        assert call.wait_until_over() in ("completed", "canceled")
    emulator.wait_for(lambda: len(app_under_test.requests("/voice")) == 5, what="5 webhooks")


def test_traffic_generator_is_reproducible_for_a_seed(emulator, app_under_test):
    """Two generators with the same seed produce the same callers in the same order."""
    _hangup_app(app_under_test)
    runs = []
    for _ in range(2):
        traffic = TrafficGenerator(
            emulator.carrier, NUMBER, rate_per_minute=600, seed=3, max_calls=3
        ).start()
        emulator.wait_for(lambda t=traffic: not t.running, what="traffic to finish")
        runs.append([call.from_ for call in traffic.calls])
        traffic.stop()
    assert runs[0] == runs[1]


def test_traffic_generator_stops_when_asked(emulator, app_under_test):
    """stop() ends generation even without a call limit."""
    _hangup_app(app_under_test)
    traffic = TrafficGenerator(emulator.carrier, NUMBER, rate_per_minute=1).start()
    traffic.stop()
    assert not traffic.running


def test_cli_prints_the_rest_base_url():
    """`python -m contactcentre.telephony.emulator` starts the REST API and prints its URL."""
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "contactcentre.telephony.emulator",
            "--app-url",
            "http://127.0.0.1:9",
            "--auth-token",
            "secret",
            "--port",
            "0",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert line.startswith("Twilio emulator REST API: http://127.0.0.1:")
    finally:
        process.terminate()
        assert process.wait(timeout=10) == 0
