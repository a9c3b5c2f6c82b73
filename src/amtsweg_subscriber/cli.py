"""`amtsweg-subscriber`: poll the Submission API or listen for signed callbacks.

    AMTSWEG_CLIENT_SECRET=… amtsweg-subscriber --base-url https://amtsweg.example --client-id … \\
        --private-key decrypt.jwk.json --signing-key sign.jwk.json --out ./antraege --poll
    amtsweg-subscriber … --client-secret-file /etc/fv/client-secret \\
        --listen 127.0.0.1:8088 --callback-secret-file /etc/fv/callback-secret

Secrets come from the environment (AMTSWEG_CLIENT_SECRET, AMTSWEG_CALLBACK_SECRET) or from files
(--client-secret-file, --callback-secret-file; readable by the service account only): a command line is
visible to every user of the machine (`ps`, /proc/<pid>/cmdline). --client-secret and --callback-secret on
the command line still work, for tests, with a warning. The private keys are always files.

In listen mode every callback is answered only after its submissions are processed, so a failure makes
the platform retry; on start (and every --interval seconds) it also polls, so nothing waits for a
callback that was lost.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor, wait
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from amtsweg_subscriber import crypto
from amtsweg_subscriber.api import SubmissionApi
from amtsweg_subscriber.receiver import Receiver

logger = logging.getLogger("amtsweg_subscriber")
MAX_CALLBACK_BYTES = 1024 * 1024


def make_handler(receiver: Receiver, secret: str, spool: bool = False):
    # Spool mode fetches a callback's submissions in parallel: one pool for all callbacks instead of
    # starting (and joining) threads for every callback.
    pool = ThreadPoolExecutor(max_workers=8, thread_name_prefix="receive") if spool else None

    class CallbackHandler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, fmt, *args):  # keep stdout for results
            logger.debug(fmt, *args)

        def _answer(self, status: int, body: dict) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self):  # noqa: N802 (http.server's naming)
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_CALLBACK_BYTES:
                return self._answer(413, {"error": "too large"})
            body = self.rfile.read(length)
            if not crypto.verify_callback(
                secret, self.headers.get("callback-authentication"), self.headers.get("callback-timestamp"), body
            ):
                return self._answer(401, {"error": "invalid callback signature or timestamp"})
            try:
                payload = json.loads(body)
                ids = payload.get("submissionIds") or [s["submissionId"] for s in payload.get("submissions", [])]
            except (ValueError, KeyError, TypeError, AttributeError):
                return self._answer(400, {"error": "malformed callback"})
            try:
                if pool is not None:
                    futures = [pool.submit(receiver.receive, str(i)) for i in ids]
                    wait(futures)  # all finished before answering, also when one failed
                    outcomes = [future.result() for future in futures]
                else:
                    outcomes = [receiver.process(str(i)) for i in ids]
            except Exception as exc:  # fetching failed: let the platform retry the callback
                logger.warning("callback processing failed: %s", exc)
                return self._answer(503, {"error": "processing failed, retry later"})
            for outcome in outcomes:
                _report(outcome)
            if any(o.status == "skipped" for o in outcomes):
                # Not processed (event log not verifiable yet, or busy): the platform shall call again.
                return self._answer(503, {"error": "not all submissions processed, retry later"})
            return self._answer(200, {"processed": [o.submission_id for o in outcomes]})

    return CallbackHandler


_print_lock = threading.Lock()


def _report(outcome) -> None:
    """One JSON line per outcome on stdout (callbacks run in parallel threads: one line at a time)."""
    line = json.dumps({"submissionId": outcome.submission_id, "status": outcome.status, "detail": outcome.detail})
    with _print_lock:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()


def process_spool_forever(receiver: Receiver, stop: threading.Event, workers: int = 1) -> None:
    """Decrypt, check, write and accept what the callbacks stored (spool mode), `workers` at a time.

    One submission costs a few round trips to the platform (submission, event log, accept) and little CPU
    here, so on a busy day one at a time falls behind the intake; several threads keep up. The receiver
    already takes parallel callbacks, and it skips a submission another thread is working on."""

    def one(submission_id: str) -> None:
        try:
            _report(receiver.process(submission_id))
        except Exception as exc:
            logger.warning("processing %s failed, will retry: %s", submission_id, exc)

    with ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="spool") as pool:
        while not stop.is_set():
            ids = receiver.spooled_ids()
            list(pool.map(one, ids))
            if not ids:
                stop.wait(0.2)


def poll_forever(receiver: Receiver, interval: float, stop: threading.Event, spool: bool = False) -> None:
    while not stop.is_set():
        try:
            for outcome in receiver.poll_once(spool=spool):
                _report(outcome)
        except Exception as exc:  # the platform may be restarting: keep going
            logger.warning("poll failed: %s", exc)
        stop.wait(interval)


def secret(parser: argparse.ArgumentParser, args: argparse.Namespace, name: str, variable: str) -> str | None:
    """The secret `name` from its file (`--…-file`), the command line or the environment variable, in that
    order; more than one source is refused (which one would win is not obvious to whoever runs it)."""
    option = "--" + name.replace("_", "-")
    given, file = getattr(args, name), getattr(args, name + "_file")
    if given is not None and file is not None:
        parser.error(f"{option} and {option}-file exclude each other")
    if file is not None:
        try:
            return file.read_text(encoding="utf-8").strip() or None
        except OSError as exc:
            parser.error(f"{option}-file: {exc.strerror}: {file}")
    if given is not None:
        logger.warning("%s on the command line is visible to other users of this machine (ps); "
                       "use %s or %s-file", option, variable, option)
        return given
    return os.environ.get(variable) or None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="amtsweg-subscriber", description=__doc__.split("\n")[0])
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--client-id", required=True)
    parser.add_argument("--client-secret", help="visible to other users (ps): prefer the environment or a file")
    parser.add_argument("--client-secret-file", type=Path, help="file holding the API client's secret")
    parser.add_argument("--private-key", required=True, help="JWK (JSON) of the destination's decryption key")
    parser.add_argument("--signing-key", required=True, help="JWK (JSON) of the key that signs accept/reject")
    parser.add_argument("--out", required=True, help="folder for the applications")
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--poll", action="store_true", help="poll for waiting submissions")
    mode.add_argument("--listen", metavar="HOST:PORT", help="receive callbacks (port 0 picks a free one)")
    parser.add_argument("--callback-secret", help="visible to other users (ps): prefer the environment or a file")
    parser.add_argument("--callback-secret-file", type=Path, help="file holding the callback secret")
    parser.add_argument("--interval", type=float, default=30.0,
                        help="seconds between polls (listen mode: 0 = rely on callbacks only)")
    parser.add_argument("--once", action="store_true", help="poll once and exit")
    parser.add_argument("--spool", action="store_true",
                        help="listen mode: confirm a callback once the encrypted submission is stored; "
                        "decrypt and accept in the background")
    parser.add_argument("--spool-workers", type=int, default=1, metavar="N",
                        help="with --spool: decrypt and accept N stored submissions at once (default 1)")
    parser.add_argument("--spool-only", action="store_true",
                        help="with --spool: only store; a separate `--poll` run decrypts and accepts")
    parser.add_argument("--stale-tmp-seconds", type=float, default=3600.0,
                        help="remove temporary files an interrupted run left once unchanged this long")
    parser.add_argument("--data-schema", action="append", default=[], metavar="URI=FILE",
                        help="check data naming this schemaUri against FILE (JSON Schema or XSD); repeatable")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, stream=sys.stderr)
    client_secret = secret(parser, args, "client_secret", "AMTSWEG_CLIENT_SECRET")
    if not client_secret:
        parser.error("the client secret is required: AMTSWEG_CLIENT_SECRET or --client-secret-file")

    data_schemas = {}
    for entry in args.data_schema:
        uri, _, file = entry.rpartition("=")
        if not uri or not Path(file).is_file():
            parser.error(f"--data-schema {entry!r}: expected URI=FILE with an existing file")
        data_schemas[uri] = Path(file)
    api = SubmissionApi(args.base_url, args.client_id, client_secret)
    receiver = Receiver(api, crypto.load_key(args.private_key), crypto.load_key(args.signing_key), Path(args.out),
                        stale_tmp_seconds=args.stale_tmp_seconds, data_schemas=data_schemas)
    if args.poll:
        if args.once:
            for outcome in receiver.poll_once():
                _report(outcome)
            return 0
        poll_forever(receiver, args.interval, threading.Event())
        return 0

    callback_secret = secret(parser, args, "callback_secret", "AMTSWEG_CALLBACK_SECRET")
    if not callback_secret:
        parser.error("--listen needs the callback secret: AMTSWEG_CALLBACK_SECRET or --callback-secret-file")
    host, _, port = args.listen.rpartition(":")
    handler = make_handler(receiver, callback_secret, args.spool or args.spool_only)
    server = ThreadingHTTPServer((host or "127.0.0.1", int(port)), handler)
    server.daemon_threads = True
    print(json.dumps({"listening": f"http://{server.server_address[0]}:{server.server_address[1]}/"}), flush=True)
    stop = threading.Event()
    if args.interval > 0:
        threading.Thread(target=poll_forever, args=(receiver, args.interval, stop, args.spool), daemon=True).start()
    if args.spool and not args.spool_only:
        threading.Thread(target=process_spool_forever, args=(receiver, stop, args.spool_workers),
                         daemon=True).start()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        server.server_close()
        time.sleep(0)
    return 0


if __name__ == "__main__":
    sys.exit(main())
