"""A citizen's way through the test form over the Django test client, for the assistant's tests and
those of other apps (status pages, receipts, privacy)."""

from django.urls import reverse

PERSON = {"given_name": "Erika", "family_name": "Mustermann", "birth_date": "12.08.1964",
          "address-street": "Rathausplatz", "address-house_number": "1", "address-postcode": "66111",
          "address-place": "Saarbrücken", "email": "erika@example.org", "action": "next"}
DETAILS = {"has_pet": "ja", "pet_name": "Bello", "colour": "blau", "count": "2", "action": "next"}
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"


def start(client, slug="testantrag") -> str:
    response = client.post(reverse("assistants:start", args=[slug]))
    assert response.status_code == 302
    return response["Location"]


def complete_until_summary(client, postcode="66111") -> str:
    place_url = start(client)
    step1 = client.post(place_url, {"postcode": postcode, "action": "next"})["Location"]
    step2 = client.post(step1, PERSON)["Location"]
    step3 = client.post(step2, DETAILS)["Location"]
    return client.post(step3, {"action": "next"})["Location"]


def submit_application(client) -> str:
    summary_url = complete_until_summary(client)
    return client.post(summary_url, {"declaration": "yes"})["Location"]
