"""Thin HTTP client for the subscriber side of the Submission API (OAuth 2.0 client credentials)."""

from __future__ import annotations

import time
from typing import Any

import httpx


class ApiError(RuntimeError):
    pass


class SubmissionApi:
    def __init__(self, base_url: str, client_id: str, client_secret: str, *, timeout: float = 30.0):
        self.base_url = base_url.rstrip("/")
        self.client_id = client_id
        self.client_secret = client_secret
        self.http = httpx.Client(base_url=self.base_url, timeout=timeout)
        self._token: str | None = None
        self._token_expires = 0.0
        self.scopes: list[str] = []

    def close(self) -> None:
        self.http.close()

    def token(self) -> str:
        """A bearer token, renewed a minute before it expires."""
        if self._token and time.time() < self._token_expires - 60:
            return self._token
        response = self.http.post(
            "/token",
            data={"grant_type": "client_credentials", "client_id": self.client_id, "client_secret": self.client_secret},
        )
        if response.status_code != 200:
            raise ApiError(f"token request failed: HTTP {response.status_code} {response.text[:200]}")
        body = response.json()
        self._token = body["access_token"]
        self._token_expires = time.time() + float(body.get("expires_in", 300))
        self.scopes = str(body.get("scope", "")).split()
        return self._token

    def destination_ids(self) -> list[str]:
        """The destinations this client may subscribe to, read from its token's scopes."""
        self.token()
        prefix = "subscribe:destination:"
        return [s[len(prefix):] for s in self.scopes if s.startswith(prefix)]

    def _request(self, method: str, path: str, **kwargs) -> httpx.Response:
        headers = kwargs.pop("headers", {}) | {"Authorization": f"Bearer {self.token()}"}
        response = self.http.request(method, path, headers=headers, **kwargs)
        if response.status_code == 401:  # token revoked or expired early: renew once
            self._token = None
            headers["Authorization"] = f"Bearer {self.token()}"
            response = self.http.request(method, path, headers=headers, **kwargs)
        return response

    def _json(self, path: str, **params) -> Any:
        response = self._request("GET", path, params=params or None)
        if response.status_code != 200:
            raise ApiError(f"GET {path}: HTTP {response.status_code}")
        return response.json()

    def waiting_submissions(self, destination_id: str) -> list[dict[str, str]]:
        """All submissions waiting for pickup (pages of up to 500)."""
        found: list[dict[str, str]] = []
        offset = 0
        while True:
            page = self._json("/v1/submissions", destinationId=destination_id, limit=500, offset=offset)
            found.extend(page.get("submissions", []))
            offset += len(page.get("submissions", []))
            if not page.get("submissions") or offset >= page.get("totalCount", 0):
                return found

    def submission(self, submission_id: str) -> dict[str, Any]:
        return self._json(f"/v1/submissions/{submission_id}")

    def attachment(self, submission_id: str, attachment_id: str) -> str:
        response = self._request("GET", f"/v1/submissions/{submission_id}/attachments/{attachment_id}")
        if response.status_code != 200:
            raise ApiError(f"attachment {attachment_id}: HTTP {response.status_code}")
        return response.text

    def event_log(self, case_id: str) -> list[str]:
        return self._json(f"/v1/cases/{case_id}/events", limit=500).get("eventLog", [])

    def platform_jwks(self) -> dict[str, Any]:
        response = self.http.get("/.well-known/jwks.json")
        if response.status_code != 200:
            raise ApiError(f"JWKS: HTTP {response.status_code}")
        return response.json()

    def post_event(self, case_id: str, token: str) -> int:
        response = self._request(
            "POST", f"/v1/cases/{case_id}/events", content=token, headers={"Content-Type": "application/jose"}
        )
        if response.status_code not in (200, 201, 202, 204, 409):
            raise ApiError(f"posting the event failed: HTTP {response.status_code} {response.text[:300]}")
        return response.status_code
