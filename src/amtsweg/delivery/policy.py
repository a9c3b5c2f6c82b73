"""Retry policy: exponential back-off with full jitter, bounded by a retry horizon.

Jitter spreads the retries of many messages that failed together (the Fachverfahren was down), so they
do not all hit it again in the same second when it comes back.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from amtsweg.delivery import conf


@dataclass(frozen=True)
class RetryPolicy:
    base_seconds: float
    max_seconds: float
    horizon: timedelta

    @classmethod
    def from_settings(cls) -> RetryPolicy:
        return cls(
            base_seconds=conf.value("BACKOFF_BASE_SECONDS"),
            max_seconds=conf.value("BACKOFF_MAX_SECONDS"),
            horizon=timedelta(hours=conf.value("RETRY_HORIZON_HOURS")),
        )

    def delay(self, attempts: int, rng: random.Random | None = None) -> timedelta:
        """Wait before the next attempt after `attempts` failed ones: uniform in [cap/2, cap]."""
        cap = min(self.max_seconds, self.base_seconds * 2 ** max(attempts - 1, 0))
        rnd = (rng or random).uniform(0.5, 1.0)
        return timedelta(seconds=cap * rnd)

    def next_attempt(self, *, attempts: int, first_attempt_at: datetime, now: datetime) -> datetime | None:
        """When to try again, or None when the retry horizon is over (the message is dead)."""
        if now - first_attempt_at >= self.horizon:
            return None
        return now + self.delay(attempts)
