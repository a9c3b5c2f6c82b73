"""What reading compressed JWE parts costs a receiver (issue 15, item 2): decrypt a part as joserfc writes it
plain and with `"zip": "DEF"`, through the receivers' registry (`submissions.crypto.decrypt_jwe`, bounded
DEFLATE), and how fast a zip bomb is refused. No database: pure crypto, median of several runs.

    PYTHONPATH=src python benchmarks/jwe_receive.py
"""

from __future__ import annotations

import os
import statistics
import time

from joserfc import jwe
from joserfc.jwk import RSAKey

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "amtsweg.settings")
from amtsweg.submissions import crypto  # noqa: E402 - after the settings module is named

RUNS = int(os.environ.get("AMTSWEG_BENCH_RUNS", "5"))


def _median_ms(action) -> float:
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        action()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    private = RSAKey.generate_key(4096, parameters={"kid": "bench"})
    public = crypto.public_key(dict(private.as_dict(private=False), kid="bench"))
    # A form's data (JSON, repetitive) and an attachment-sized part of random bytes (does not compress).
    parts = {"json_1mb": b'{"feld": "Wert", "zahl": 12345}, ' * 32_000, "random_5mb": os.urandom(5 * 1024 * 1024)}
    for name, plaintext in parts.items():
        for zip_def in (False, True):
            header = {"alg": crypto.KEY_ALGORITHM, "enc": crypto.CONTENT_ALGORITHM, "kid": "bench"}
            if zip_def:
                header["zip"] = "DEF"
            token = jwe.encrypt_compact(header, plaintext, public, algorithms=[*crypto.ALGORITHMS, "DEF"])
            label = f"{name}_{'def' if zip_def else 'plain'}"
            print(f"jwe_bytes_{label}: {len(token)}")
            print(f"decrypt_ms_{label}: {_median_ms(lambda t=token: crypto.decrypt_jwe(private, t)):.1f}")
    bomb = jwe.encrypt_compact({"alg": crypto.KEY_ALGORITHM, "enc": crypto.CONTENT_ALGORITHM, "kid": "bench",
                                "zip": "DEF"}, bytes(crypto.MAX_DECOMPRESSED_BYTES + 1), public,
                               algorithms=[*crypto.ALGORITHMS, "DEF"])
    print(f"jwe_bytes_zip_bomb_200mib: {len(bomb)}")

    def refuse() -> None:
        try:
            crypto.decrypt_jwe(private, bomb)
        except crypto.DecompressedTooLarge:
            return
        raise AssertionError("the zip bomb was inflated")

    print(f"refuse_ms_zip_bomb_200mib: {_median_ms(refuse):.1f}")  # inflates to the bound (200 MiB), then refuses


if __name__ == "__main__":
    main()
