"""Small intakes for tests only (settings.AMTSWEG_SUBMISSION_INTAKE points here in tests that use them)."""

RECEIVED: list = []


def accept(payload) -> str:
    RECEIVED.append(payload)
    return f"AW-TEST-{len(RECEIVED):04d}"


def refuse(payload) -> str:
    raise RuntimeError("intake unavailable")


def status_link(reference: str) -> str:
    """A stand-in for the submissions app's AMTSWEG_STATUS_LINK hook."""
    return f"/status/{reference}/signatur/"


def broken_status_link(reference: str) -> str:
    raise RuntimeError("status page unavailable")


class TestOffice:
    """What the test intake answers for the place step: everywhere online, one test office."""

    online = True
    message = ""

    def contact(self) -> dict:
        return {"name": "Teststelle", "street": "Teststraße 1", "postcode": "66111", "city": "Saarbrücken",
                "phone": "0681 0000", "email": "test@stelle.example", "website": ""}


def office(leika_key: str, ars: str) -> TestOffice:
    return TestOffice()
