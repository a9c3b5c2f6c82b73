"""Fee-bearing forms against the real payment app and its embedded test provider over HTTP (live server).

Pay before hand-over; on return the status is asked server-side; reloads and double returns submit once.
"""

import re

import httpx
import pytest

from amtsweg.assistants.models import Draft, Receipt

from .factories import FormDefinitionFactory, FormVersionFactory

pytestmark = pytest.mark.django_db(transaction=True)


class Browser:
    """A citizen's browser without JavaScript: keeps cookies, posts forms with their CSRF token."""

    def __init__(self, base: str):
        self.base = base
        self.client = httpx.Client(follow_redirects=False, timeout=30)

    def url(self, path: str) -> str:
        return path if path.startswith("http") else self.base + path

    def get(self, path: str) -> httpx.Response:
        return self.client.get(self.url(path))

    def post(self, path: str, data: dict) -> httpx.Response:
        page = self.get(path)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        return self.client.post(self.url(path), data={"csrfmiddlewaretoken": token, **data},
                                headers={"Referer": self.url(path)})


@pytest.fixture
def payment_setup(settings, live_server, test_intake):
    from amtsweg.geo.tests.factories import PostcodeAreaFactory

    settings.AMTSWEG_TEST_PAYMENT_PROVIDER = True
    settings.AMTSWEG_PAYMENT_PROVIDER = "testbezahldienst"
    settings.AMTSWEG_TESTBEZAHLDIENST_URL = f"{live_server.url}/testbezahldienst"
    settings.AMTSWEG_TESTBEZAHLDIENST_SECRET = "test-secret-fuer-den-testbezahldienst"
    settings.AMTSWEG_TESTBEZAHLDIENST_NOTIFY = True
    PostcodeAreaFactory(postcode="66111", municipality__name="Saarbrücken")
    FormVersionFactory(published=True, form=FormDefinitionFactory(slug="mit-gebuehr", with_fee=True))
    browser = Browser(live_server.url)
    yield browser
    browser.client.close()


def fill_in(browser: Browser) -> str:
    place = browser.post("/antrag/mit-gebuehr/", {}).headers["location"]
    step = browser.post(place, {"postcode": "66111", "action": "next"}).headers["location"]
    step = browser.post(step, {"given_name": "Erika", "family_name": "Muster", "birth_date": "01.02.1980",
                               "address-street": "Markt", "address-house_number": "2", "address-postcode": "66111",
                               "address-place": "Saarbrücken", "action": "next"}).headers["location"]
    step = browser.post(step, {"has_pet": "nein", "colour": "rot", "action": "next"}).headers["location"]
    return browser.post(step, {"action": "next"}).headers["location"]


def pay(browser: Browser, pay_url: str, choice: str) -> httpx.Response:
    """Choose on the provider's page, follow its return to the platform, then to the assistant."""
    answer = browser.post(pay_url, {"auswahl": choice})
    back = browser.get(answer.headers["location"])
    return browser.get(back.headers["location"])


def test_paid_application_is_submitted_once(payment_setup, test_intake):
    browser = payment_setup
    summary = fill_in(browser)
    assert "10,00 €" in browser.get(summary).text
    to_pay = browser.post(summary, {"declaration": "yes"})
    pay_url = to_pay.headers["location"]
    assert "/testbezahldienst/bezahlen/" in pay_url
    assert not test_intake  # nothing is handed over before the payment
    result = pay(browser, pay_url, "bezahlen")
    receipt = Receipt.objects.get()
    assert result.headers["location"].endswith(f"/antrag/eingang/{receipt.id}/")
    (payload,) = test_intake
    assert payload.payment["status"] == "paid" and payload.payment["amount_cents"] == 1000
    assert payload.leika_key == "99115004001005"
    page = browser.get(result.headers["location"]).text
    assert "AW-TEST-0001" in page and "10,00 €" in page
    # the payment's reference is a Kassenzeichen, never mistaken for the application number: the receipt
    # names both, each for what it is (issue 16: a walk found "Zahlung AW-…" beside another AW number)
    kassenzeichen = payload.payment["reference"]
    assert re.fullmatch(r"KZ-[0-9A-F]{16}", kassenzeichen)
    assert (f"Gebühr bezahlt: 10,00 €, Kassenzeichen {kassenzeichen} (so steht die Zahlung auf Ihrem Kontoauszug; "
            "Ihre Antragsnummer ist AW-TEST-0001).") in page
    # reloading the return URL (or a late duplicate return) does not submit again
    return_url = f"/antrag/mit-gebuehr/{receipt.draft_key}/zahlung/"
    for _ in range(2):
        assert browser.get(return_url).headers["location"].endswith(f"/antrag/eingang/{receipt.id}/")
    assert len(test_intake) == 1 and not Draft.objects.exists()


@pytest.mark.parametrize(("choice", "message"), [("ablehnen", "Die Zahlung wurde abgelehnt"),
                                                 ("abbrechen", "Die Zahlung wurde abgebrochen")])
def test_declined_or_abandoned_payment_keeps_the_draft_and_can_be_retried(payment_setup, test_intake, choice,
                                                                         message):
    browser = payment_setup
    summary = fill_in(browser)
    pay_url = browser.post(summary, {"declaration": "yes"}).headers["location"]
    result = pay(browser, pay_url, choice)
    assert result.headers["location"].endswith("/pruefen/")
    assert message in browser.get(result.headers["location"]).text
    assert not test_intake and Draft.objects.get().status == Draft.Status.OPEN
    retry_url = browser.post(summary, {"declaration": "yes"}).headers["location"]
    pay(browser, retry_url, "bezahlen")
    assert len(test_intake) == 1 and Receipt.objects.count() == 1


def test_paid_application_is_handed_over_even_if_the_browser_never_returns(payment_setup, test_intake):
    """The provider's server-to-server notification alone completes the application (browser closed)."""
    browser = payment_setup
    summary = fill_in(browser)
    pay_url = browser.post(summary, {"declaration": "yes"}).headers["location"]
    answer = browser.post(pay_url, {"auswahl": "bezahlen"})  # paid; the provider notifies the platform
    assert answer.status_code in (302, 303)
    receipt = Receipt.objects.get()  # handed over without following the return redirect
    assert len(test_intake) == 1
    assert test_intake[0].payment["status"] == "paid"
    assert not Draft.objects.exists()
    # The late return of the browser finds the receipt and submits nothing again.
    back = browser.get(answer.headers["location"])
    browser.get(back.headers["location"])
    assert Receipt.objects.get() == receipt and len(test_intake) == 1
