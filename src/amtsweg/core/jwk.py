"""Public JSON Web Keys on the wire: the one serializer for every JWK and JWK set the APIs show.

Destination keys (Routing API `publicKeys`, Submission API `/v1/destinations/{id}/keys/{kid}`) and the
platform's signing key (`/.well-known/jwks.json`, `/routing-api/v2/.well-known/jwks.json`) all go out through
`JWKSerializer`: it names the public members (RFC 7517 §4, RFC 7518 §6.3.1) and nothing else, so a private
member (`d`, `p`, …) can never reach a response even if one were stored. `PUBLIC_MEMBERS` is the same list
for code that filters a key before storing it (`routing.keys`).
"""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

PUBLIC_MEMBERS = ("kty", "kid", "alg", "use", "key_ops", "n", "e", "x5c")


class JWKSerializer(serializers.Serializer):
    kty = serializers.CharField()
    kid = serializers.CharField()
    alg = serializers.CharField()
    use = serializers.CharField(required=False)
    key_ops = serializers.ListField(child=serializers.CharField())
    n = serializers.CharField()
    e = serializers.CharField()
    x5c = serializers.ListField(child=serializers.CharField(), required=False)


class JWKSSerializer(serializers.Serializer):
    keys = JWKSerializer(many=True)


def public_jwk(jwk: dict[str, Any], **members: Any) -> dict[str, Any]:
    """The public members of `jwk` (plus `members`, e.g. the stored `kid`), as the APIs show them."""
    return dict(JWKSerializer({**jwk, **members}).data)
