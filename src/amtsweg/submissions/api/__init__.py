"""The Submission API, wire-compatible with FIT-Connect Submission API 1.1.x, and the OAuth token endpoint.

Paths, bodies and status codes follow `submission-api-1.1.3.yaml`; errors are RFC 9457
`application/problem+json` with FIT-Connect's problem types (`submissions.errors`, rendered by
`amtsweg.core.problems`); answers are rendered by the serializers that document them. An online service or
Fachverfahren that speaks FIT-Connect works with Amtsweg by changing its base URLs (token URL `/token`,
API base `/`).

Sender side (scope `send:region:DE<ARS>[+send:service:<urn>]`):
    POST /v1/submissions                                   announce (201)
    PUT  /v1/submissions/{id}/attachments/{attachmentId}   upload one JWE (application/jose, 204)
    PUT  /v1/submissions/{id}                              submit encryptedMetadata + encryptedData (202)
    GET  /v1/destinations/{id}, /v1/destinations/{id}/keys/{kid}
Subscriber side (scope `subscribe:destination:<id>`):
    GET  /v1/submissions?destinationId=…&offset=&limit=    waiting submissions
    GET  /v1/submissions/{id}, GET …/attachments/{attachmentId}   (first fetch marks it forwarded)
    POST /v1/cases/{caseId}/events                          accept/reject SET (application/jose, 204)
    GET  /v1/cases/{caseId}/events                          the signed event log
Both: GET /v1/info, GET /.well-known/jwks.json (platform keys for the SETs).

Every query goes through the token's grant: a client never sees another destination's data (404 for
submissions and cases it may not see, so ids are not confirmed to outsiders).

Modules: `authentication` (bearer tokens from `/token`), `parsers` (application/jose bodies), `serializers`
(validation, the OpenAPI document and the output), `base` (the view base class and schema helpers), `views`
(sender, subscriber, case events, technical), `tokens` (the OAuth 2.0 token endpoint).
"""
