"""The Routing API, compatible with FIT-Connect's Routingdienst API 2.0 (`/routing-api/v2/routes`, `/areas`, `/info`).

Same parameter names (`leikaKey`, `ars`, `ags`, `areaId`, `areaSearchexpression`, `offset`, `limit`; plus
our `postcode`), response fields and RFC 9457 problem documents (`amtsweg.core.problems`), so an existing
FIT-Connect routing client works when pointed at Amtsweg. Every route carries `destinationParameters`
(public encryption key set, `encryptionKid`, submission URL, channels, status, metadata versions) and
`destinationSignature`, a compact JWS (PS512) by the platform key whose payload holds the destination id and exactly
these parameters; the key is published at `/routing-api/v2/.well-known/jwks.json`.

Read-only, no login, rate-limited per client IP (fixed window in the Django cache; 429 with a problem
document and the RateLimit-* headers the spec names).

Modules: `base` (problem types, rate limit, the view base class, paging), `serializers` (the OpenAPI
document and the output), `routes` (route documents and `/routes`), `areas` (`/areas`), `technical`
(`/info`, the JWKS), `staff` (the staff JSON API for a Kommune's own destinations).
"""
