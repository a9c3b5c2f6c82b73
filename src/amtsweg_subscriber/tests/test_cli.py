"""The reference client takes its secrets from the environment or from files, never only from the command
line, which every user of the machine can read (`ps`, /proc/<pid>/cmdline)."""

from __future__ import annotations

import logging

import pytest

from amtsweg_subscriber import cli

BASE = ["--base-url", "http://127.0.0.1:1", "--client-id", "fv", "--private-key", "decrypt.jwk.json",
        "--signing-key", "sign.jwk.json", "--poll", "--once"]


@pytest.fixture
def api_secrets(monkeypatch, tmp_path):
    """Run `main` up to the API client and return the secrets it was given (no keys, no network)."""
    seen: list[str] = []

    class Api:
        def __init__(self, base_url, client_id, client_secret):
            seen.append(client_secret)

    class Receiver:
        def __init__(self, *args, **kwargs):
            pass

        def poll_once(self):
            return []

    monkeypatch.setattr(cli, "SubmissionApi", Api)
    monkeypatch.setattr(cli, "Receiver", Receiver)
    monkeypatch.setattr(cli.crypto, "load_key", lambda path: None)
    monkeypatch.delenv("AMTSWEG_CLIENT_SECRET", raising=False)
    return seen


def test_the_client_secret_comes_from_the_environment(api_secrets, monkeypatch, tmp_path):
    monkeypatch.setenv("AMTSWEG_CLIENT_SECRET", "aus-der-umgebung")
    assert cli.main([*BASE, "--out", str(tmp_path)]) == 0
    assert api_secrets == ["aus-der-umgebung"]


def test_the_client_secret_comes_from_a_file(api_secrets, tmp_path):
    (tmp_path / "secret").write_text("aus-der-datei\n")
    assert cli.main([*BASE, "--out", str(tmp_path), "--client-secret-file", str(tmp_path / "secret")]) == 0
    assert api_secrets == ["aus-der-datei"]


def test_a_secret_on_the_command_line_still_works_with_a_warning(api_secrets, tmp_path, caplog):
    with caplog.at_level(logging.WARNING, logger="amtsweg_subscriber"):
        assert cli.main([*BASE, "--out", str(tmp_path), "--client-secret", "sichtbar"]) == 0
    assert api_secrets == ["sichtbar"]
    assert "visible to other users" in caplog.text and "sichtbar" not in caplog.text


@pytest.mark.parametrize("extra", [
    [],  # none at all
    ["--client-secret", "a", "--client-secret-file", "f"],  # two sources
    ["--client-secret-file", "/nonexistent/secret"],  # unreadable
])
def test_a_missing_ambiguous_or_unreadable_secret_stops_the_start(api_secrets, tmp_path, extra):
    with pytest.raises(SystemExit) as exited:
        cli.main([*BASE, "--out", str(tmp_path), *extra])
    assert exited.value.code == 2 and api_secrets == []


def test_the_callback_secret_comes_from_a_file_too(monkeypatch, tmp_path, api_secrets):
    handlers: list[str] = []
    monkeypatch.setattr(cli, "make_handler", lambda receiver, secret, spool: handlers.append(secret) or None)

    class Server:
        def __init__(self, address, handler):
            self.server_address = ("127.0.0.1", 1)

        def serve_forever(self):
            raise KeyboardInterrupt

        def server_close(self):
            pass

    monkeypatch.setattr(cli, "ThreadingHTTPServer", Server)
    monkeypatch.setenv("AMTSWEG_CLIENT_SECRET", "x")
    (tmp_path / "callback").write_text("rueckruf-geheimnis\n")
    listen = [a for a in BASE if a not in ("--poll", "--once")]
    assert cli.main([*listen, "--out", str(tmp_path), "--listen", "127.0.0.1:0", "--interval", "0",
                     "--callback-secret-file", str(tmp_path / "callback")]) == 0
    assert handlers == ["rueckruf-geheimnis"]


def test_spool_workers_decrypt_and_accept_several_stored_submissions_at_once(capsys):
    """With --spool-workers 4, four stored submissions are in progress at the same time (a barrier of four
    parties only opens then; one at a time, the first would wait for the others until the timeout)."""
    import threading
    from types import SimpleNamespace

    barrier = threading.Barrier(4, timeout=5)
    stop = threading.Event()

    class Receiver:
        def __init__(self):
            self.batches = [[f"id-{n}" for n in range(4)]]

        def spooled_ids(self):
            return self.batches.pop() if self.batches else []

        def process(self, submission_id):
            try:
                barrier.wait()  # one at a time: BrokenBarrierError after the timeout, nothing accepted
                return SimpleNamespace(submission_id=submission_id, status="accepted", detail="")
            finally:
                stop.set()

    cli.process_spool_forever(Receiver(), stop, workers=4)
    lines = capsys.readouterr().out.splitlines()
    assert sorted(lines) == sorted(f'{{"submissionId": "id-{n}", "status": "accepted", "detail": ""}}'
                                   for n in range(4))
