"""Run the emulator standalone: `python -m contactcentre.telephony.emulator --app-url ...`.

It prints the REST base URL (point the app's Twilio client there) and, with --traffic, places
scripted inbound calls at that rate until interrupted.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from collections.abc import Sequence

from .server import Emulator
from .traffic import TrafficGenerator


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m contactcentre.telephony.emulator",
        description="A local Twilio: signed webhooks to the app, TwiML, Twilio's REST API.",
    )
    p.add_argument(
        "--app-url", required=True, help="base URL of the app, e.g. http://127.0.0.1:5000"
    )
    p.add_argument("--voice-path", default="/twilio/voice", help="voice webhook path on the app")
    p.add_argument("--status-path", default="/twilio/status", help="status callback path")
    p.add_argument("--number", default="+15005550006", help="the account's phone number")
    p.add_argument("--account-sid", default=None, help="AC... (random if omitted)")
    p.add_argument("--auth-token", default=None, help="signs webhooks (random if omitted)")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument(
        "--port",
        type=int,
        default=int(os.environ.get("CC_EMULATOR_PORT", "0")),
        help="REST API and dial pad port (default CC_EMULATOR_PORT, else any free port)",
    )
    p.add_argument("--time-scale", type=float, default=1.0, help="emulated seconds per second")
    p.add_argument(
        "--traffic",
        type=float,
        default=None,
        metavar="RATE",
        help="scripted inbound calls per minute (Poisson)",
    )
    p.add_argument("--traffic-max", type=int, default=None, help="stop after this many calls")
    p.add_argument("--seed", type=int, default=0, help="traffic random seed")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    stop = threading.Event()
    # Installed before anything is printed, so a supervisor may stop us as soon as we speak.
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    app = args.app_url.rstrip("/")
    emulator = Emulator(
        args.account_sid,
        args.auth_token,
        time_scale=args.time_scale,
        host=args.host,
        port=args.port,
    ).start()
    emulator.configure_number(
        args.number, app + args.voice_path, status_callback=app + args.status_path
    )
    print(f"Twilio emulator REST API: {emulator.base_url}", flush=True)
    print(f"dial pad: {emulator.base_url}/dialpad", flush=True)
    print(
        f"account {emulator.account_sid}; number {args.number} -> {app + args.voice_path}",
        flush=True,
    )
    traffic = None
    if args.traffic:
        traffic = TrafficGenerator(
            emulator.carrier, args.number, args.traffic, seed=args.seed, max_calls=args.traffic_max
        ).start()
        print(f"traffic: {args.traffic:g} calls/min", flush=True)
    try:
        stop.wait()
    except KeyboardInterrupt:
        pass
    finally:
        if traffic is not None:
            traffic.stop()
        emulator.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
