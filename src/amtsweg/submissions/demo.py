"""Demo data: Submission-API credentials for routing's demo destinations and for the Land's online service.

For every destination listed in `var/demo-keys/destinations.json` (written by `amtsweg.routing.demo`),
a subscriber client "Demo-Fachverfahren: <name>" with `subscribe:destination:<id>`; its credentials go to
`var/demo-keys/<destination id>/api-client.json` next to the destination's private keys, so the reference
Fachverfahren client finds everything in one folder. The Saarland office gets a sender client
(`send:region:DE10`) in `var/demo-keys/sender-api-client.json`. Idempotent: an existing client keeps its
secret while its file exists; if the file went missing, the secret is rotated and written again.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.conf import settings

from amtsweg.accounts.models import Authority
from amtsweg.core import files
from amtsweg.routing.models import Destination
from amtsweg.submissions import oauth
from amtsweg.submissions.models import ApiClient


def _keys_dir() -> Path:
    path = Path(settings.VAR_DIR) / "demo-keys"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _ensure(name: str, kind: str, authority: Authority, scopes: list[str], path: Path) -> bool:
    """Create or refresh one client; True if a (new) secret was written."""
    client = ApiClient.objects.filter(name=name, authority=authority).first()
    if client is not None and path.exists() and client.is_active and client.scopes == scopes:
        return False
    client_id, secret = oauth.new_client_credentials()
    if client is None:
        client = ApiClient(name=name, kind=kind, authority=authority, client_id=client_id)
    client.secret_hash = oauth.hash_secret(secret)
    client.scopes, client.is_active, client.revoked_at = scopes, True, None
    client.save()
    path.parent.mkdir(parents=True, exist_ok=True)
    files.write_private(path, json.dumps({
        "tokenUrl": f"{settings.PUBLIC_BASE_URL}/token",
        "apiBaseUrl": settings.PUBLIC_BASE_URL,
        "clientId": client.client_id,
        "clientSecret": secret,
        "scope": " ".join(scopes),
    }, indent=2))
    return True


def load_demo(stdout) -> None:
    listing = _keys_dir() / "destinations.json"
    entries = json.loads(listing.read_text()) if listing.exists() else []
    written = 0
    for entry in entries:
        destination = Destination.objects.select_related("authority").filter(pk=entry["destinationId"]).first()
        if destination is None:
            continue
        written += _ensure(
            f"Demo-Fachverfahren: {destination.name}", ApiClient.Kind.SUBSCRIBER, destination.authority,
            [f"subscribe:destination:{destination.pk}"], _keys_dir() / str(destination.pk) / "api-client.json",
        )
    land_office = Authority.objects.filter(kind=Authority.Kind.LAND, area_ars="10").first()
    if land_office is not None:
        written += _ensure("Demo-Onlinedienst Saarland", ApiClient.Kind.SENDER, land_office, ["send:region:DE10"],
                           _keys_dir() / "sender-api-client.json")
    stdout.write(f"Submission-API-Demo: {len(entries)} Fachverfahren-Zugänge, {written} Geheimnisse neu geschrieben "
                 f"(in {_keys_dir()}).")
