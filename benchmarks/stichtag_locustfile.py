"""Locust users of the deadline-day benchmark (`benchmarks/stichtag.py` starts locust with this file).

Two kinds of users, both through the load balancer only:

- `Citizen` walks the real Hundesteuer assistant as a browser does: GET each page, POST the form with the
  CSRF token read from that page, follow the redirect to the next step, until the receipt page shows the
  public reference (AW-…). Static files are not fetched (a browser has them cached after the first page).
- `ApiSender` is an online service sending through the FIT-Connect Submission API: token once, then per
  application announce (POST /v1/submissions), then PUT the encrypted metadata and data (JWE for the
  destination's published encryption key, joserfc as in tests/test_interop_jose.py).

Every request and every acknowledged application is appended as one JSON line to the file named by
`STICHTAG_EVENTS` (time, name, duration, error); the orchestrator computes the figures from it, so the
counting does not depend on locust's own statistics. Configuration from the environment: `STICHTAG_EVENTS`,
`STICHTAG_SENDER` (the sender client's JSON file), `STICHTAG_DESTINATION`, `STICHTAG_CITIZEN_WEIGHT`,
`STICHTAG_SENDER_WEIGHT`, `STICHTAG_THINK_S` (a citizen's pause between pages).
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import random
import re
import sys
import threading
import time
from pathlib import Path

from locust import FastHttpUser, between, events, task
from locust.exception import StopUser

sys.path.insert(0, str(Path(__file__).resolve().parent))
from hundesteuer_steps import steps  # noqa: E402 - the folder is put first above

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
REFERENCE = re.compile(r"AW-[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}")
SERVICE = {"name": "Hundesteuer", "identifier": "urn:de:fim:leika:leistung:99102013000000"}
THINK_S = float(os.environ.get("STICHTAG_THINK_S", "0.3"))

_lock = threading.Lock()
_events_file = open(os.environ.get("STICHTAG_EVENTS", os.devnull), "a", buffering=1)  # noqa: SIM115 - whole run


def record(**line) -> None:
    with _lock:
        _events_file.write(json.dumps(line) + "\n")


@events.request.add_listener
def _on_request(request_type, name, response_time, response_length, exception=None, context=None, **kwargs):
    response = kwargs.get("response")
    server = response.headers.get("X-Served-By") if response is not None and response.headers else None
    record(kind="request", t=time.time(), name=name, ms=round(response_time, 1), page=name.startswith("page "),
           server=server,
           error=None if exception is None else f"{type(exception).__name__}: {str(exception)[:120]}")


def _why(response) -> str:
    """The connection error behind an answer without status (HTTP 0), e.g. a connection cut mid-request."""
    error = getattr(response, "error", None)
    return f" ({type(error).__name__})" if response.status_code == 0 and error is not None else ""


class FlowBroken(Exception):
    """A step did not answer as a browser expects; the application is abandoned (counted as an error)."""


class Citizen(FastHttpUser):
    weight = int(os.environ.get("STICHTAG_CITIZEN_WEIGHT", "5"))
    wait_time = between(THINK_S / 2, THINK_S * 1.5)

    def _page(self, path: str, name: str) -> str:
        with self.client.get(path, name=f"page {name}", catch_response=True) as response:
            match = CSRF.search(response.text or "") if response.status_code == 200 else None
            if match is None:
                response.failure(f"no form on {name} (HTTP {response.status_code}){_why(response)}")
                raise FlowBroken(name)
            return match.group(1)

    def _post(self, path: str, name: str, data: dict) -> str:
        with self.client.post(path, data=data, name=f"page {name} (senden)", allow_redirects=False,
                              catch_response=True) as response:
            location = response.headers.get("Location") if response.status_code == 302 else None
            if not location:
                response.failure(f"{name}: HTTP {response.status_code} instead of the next step{_why(response)}")
                raise FlowBroken(name)
            return location

    @task
    def apply(self) -> None:
        n = random.randrange(10**9)
        try:
            token = self._page("/antrag/hundesteuer/", "start")
            self.wait()
            path = self._post("/antrag/hundesteuer/", "start", {"csrfmiddlewaretoken": token})
            for name, data in steps(datetime.date.today(), n):
                token = self._page(path, name)
                self.wait()
                path = self._post(path, name, {"csrfmiddlewaretoken": token, **data})
            with self.client.get(path, name="page eingang", catch_response=True) as response:
                match = REFERENCE.search(response.text or "") if response.status_code == 200 else None
                if match is None:
                    response.failure(f"receipt without reference (HTTP {response.status_code})")
                    return
            # The application counts from the moment the citizen sees its reference on the receipt page.
            record(kind="application", t=time.time(), via="form", reference=match.group(0))
        except FlowBroken:
            record(kind="abandoned", t=time.time(), via="form")


def _sha512(data: bytes) -> str:
    return hashlib.sha512(data).hexdigest()


class ApiSender(FastHttpUser):
    weight = int(os.environ.get("STICHTAG_SENDER_WEIGHT", "1"))
    wait_time = between(0.05, 0.15)

    def on_start(self) -> None:
        from joserfc.jwk import RSAKey

        credentials = json.loads(open(os.environ["STICHTAG_SENDER"]).read())  # noqa: SIM115, PTH123
        self.destination = os.environ["STICHTAG_DESTINATION"]
        for _attempt in range(30):  # a restarted web host may refuse the first try; the token is only once
            response = self.client.post("/token", name="api token", data={
                "grant_type": "client_credentials", "client_id": credentials["clientId"],
                "client_secret": credentials["clientSecret"], "scope": credentials["scope"]})
            if response.status_code == 200:
                break
            time.sleep(1)
        else:
            raise StopUser()
        self.auth = {"Authorization": f"Bearer {response.json()['access_token']}"}
        destination = self.client.get(f"/v1/destinations/{self.destination}", headers=self.auth,
                                      name="api destination").json()
        kid = destination["encryptionKid"]
        key = self.client.get(f"/v1/destinations/{self.destination}/keys/{kid}", headers=self.auth,
                              name="api key").json()
        self.kid = kid
        self.key = RSAKey.import_key({k: key[k] for k in ("kty", "n", "e")})

    def _seal(self, data: bytes, cty: str) -> str:
        from joserfc import jwe

        header = {"alg": "RSA-OAEP-256", "enc": "A256GCM", "kid": self.kid, "cty": cty}
        return jwe.encrypt_compact(header, data, self.key, algorithms=["RSA-OAEP-256", "A256GCM"])

    @task
    def send(self) -> None:
        headers = self.auth
        with self.client.post("/v1/submissions", json={"destinationId": self.destination, "serviceType": SERVICE,
                                                       "announcedAttachments": []},
                              headers=headers, name="api announce", catch_response=True) as response:
            if response.status_code != 201:
                response.failure(f"announce: HTTP {response.status_code}{_why(response)}")
                return
            submission_id = response.json()["submissionId"]
        data = json.dumps({"vorname": "Erika", "familienname": f"Sender{random.randrange(10**9)}",
                           "hund_name": "Bello"}).encode()
        metadata = {
            "$schema": "https://schema.fitko.de/fit-connect/metadata/1.0.0/metadata.schema.json",
            "contentStructure": {
                "data": {"hash": {"type": "sha512", "content": _sha512(data)},
                         "submissionSchema": {"schemaUri": "urn:amtsweg:form:any:v1", "mimeType": "application/json"}},
                "attachments": [],
            },
        }
        body = {"encryptedMetadata": self._seal(json.dumps(metadata).encode(), "application/json"),
                "encryptedData": self._seal(data, "application/json")}
        with self.client.put(f"/v1/submissions/{submission_id}", json=body, headers=headers, name="api submit",
                             catch_response=True) as response:
            if response.status_code != 202:
                response.failure(f"submit: HTTP {response.status_code}{_why(response)}")
                return
        record(kind="application", t=time.time(), via="api", submission=submission_id)
