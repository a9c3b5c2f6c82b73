"""Reference Fachverfahren client for Amtsweg (and any FIT-Connect Submission API 1.x).

Copy the pattern: get a token (client credentials), learn of submissions by polling or by signed
callbacks, fetch each one, verify the event log against the platform's JWKS, decrypt with the
destination's private key, check every hash, write the application to a folder atomically and confirm
with a signed accept event — or reject with a FIT-Connect problem type. A submission already written is
never written twice, so at-least-once notification gives exactly one file per application.

This package deliberately does not import Django or the platform: it talks to it only over HTTP.
"""
