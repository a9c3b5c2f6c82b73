"""The administrator's pages of the back office: teams (create, rename, members, services) and the settings per
service (team, Bearbeitungsfrist, Aufbewahrungsfrist); German errors that keep the input; tenancy (issue 14)."""

from __future__ import annotations

import pytest
from django.test import Client

from amtsweg.accounts.models import AuditEntry
from amtsweg.accounts.testing import login_staff
from amtsweg.accounts.tests.factories import AuthorityFactory, UserFactory
from amtsweg.casework.models import ServiceDeadline, Team
from amtsweg.casework.tests.factories import TeamFactory, on_casework, received_case
from amtsweg.catalogue.models import PublicService

pytestmark = pytest.mark.django_db
BASE = "/verwaltung/sachbearbeitung/"


@pytest.fixture
def admin(responsibility):
    PublicService.objects.get_or_create(key=responsibility.leika_key, defaults={"name": "Hundesteuer Anmeldung"})
    return UserFactory(authority=responsibility.destination.authority, kommune_admin=True)


def _client(user) -> Client:
    client = Client()
    login_staff(client, user)
    return client


def test_the_admin_creates_a_team_and_gives_it_members_and_a_service(responsibility, admin):
    authority = responsibility.destination.authority
    sabine = UserFactory(authority=authority, first_name="Sabine", last_name="Sachbearbeiterin")
    client = _client(admin)
    created = client.post(BASE + "teams/", {"name": "  Steuern  "})
    team = Team.objects.get(authority=authority)
    assert team.name == "Steuern" and created["Location"] == f"{BASE}teams/{team.pk}/"
    page = client.get(created["Location"]).content.decode()
    assert "Sabine Sachbearbeiterin" in page and "Hundesteuer Anmeldung" in page
    saved = client.post(created["Location"], {"name": "Steuern und Abgaben", "mitglieder": [sabine.pk],
                                              "leistungen": [responsibility.leika_key]})
    assert saved.status_code == 302
    team.refresh_from_db()
    assert team.name == "Steuern und Abgaben" and list(team.members.all()) == [sabine]
    assert ServiceDeadline.objects.get(authority=authority, leika_key=responsibility.leika_key).team == team
    listing = client.get(BASE + "teams/").content.decode()
    assert "Steuern und Abgaben" in listing and "Sabine Sachbearbeiterin" in listing
    assert set(AuditEntry.objects.filter(action__startswith="casework.team").values_list("action", flat=True)) == \
        {"casework.team_created", "casework.team_changed"}
    # a new application of the service goes to the team
    on_casework(responsibility)
    assert received_case(responsibility).team == team


def test_team_input_errors_are_german_and_keep_what_was_typed(responsibility, admin):
    client = _client(admin)
    empty = client.post(BASE + "teams/", {"name": "   "})
    assert empty.status_code == 400 and "Bitte geben Sie dem Team einen Namen." in empty.content.decode()
    long_name = "Ordnungsamt " * 10
    too_long = client.post(BASE + "teams/", {"name": long_name}).content.decode()
    assert "höchstens 100 Zeichen" in too_long and long_name.strip()[:50] in too_long
    client.post(BASE + "teams/", {"name": "Steuern"})
    twice = _client(admin).post(BASE + "teams/", {"name": "Steuern"})  # a name taken (in another session)
    assert twice.status_code == 400 and "Ein Team „Steuern“ gibt es schon." in twice.content.decode()
    assert Team.objects.count() == 1
    team = Team.objects.get()
    stranger = UserFactory()  # another Kommune's account
    foreign = client.post(f"{BASE}teams/{team.pk}/", {"name": "Steuern neu", "mitglieder": [stranger.pk],
                                                      "leistungen": ["99999999999999"]})
    body = foreign.content.decode()
    assert foreign.status_code == 400 and "Diese Person gibt es in Ihrer Behörde nicht" in body
    assert "Diese Leistung bearbeitet Ihre Behörde nicht" in body and 'value="Steuern neu"' in body
    assert Team.objects.get().name == "Steuern" and not team.members.exists()


def test_a_service_moves_to_the_team_that_takes_it(responsibility, admin):
    authority = responsibility.destination.authority
    first, second = TeamFactory(authority=authority, name="A"), TeamFactory(authority=authority, name="B")
    client = _client(admin)
    client.post(f"{BASE}teams/{first.pk}/", {"name": "A", "leistungen": [responsibility.leika_key]})
    page = client.get(f"{BASE}teams/{second.pk}/").content.decode()
    assert "bisher: A" in page
    client.post(f"{BASE}teams/{second.pk}/", {"name": "B", "leistungen": [responsibility.leika_key]})
    assert ServiceDeadline.objects.get(leika_key=responsibility.leika_key).team == second
    client.post(f"{BASE}teams/{second.pk}/", {"name": "B"})  # taken off: no team, settings kept
    assert ServiceDeadline.objects.get(leika_key=responsibility.leika_key).team is None


def test_the_admin_sets_deadline_retention_and_team_per_service(responsibility, admin):
    authority = responsibility.destination.authority
    team = TeamFactory(authority=authority, name="Steuern")
    client = _client(admin)
    listing = client.get(BASE + "leistungen/").content.decode()
    assert "Hundesteuer Anmeldung" in listing and "30 Tage" in listing and "3650 Tage" in listing
    url = f"{BASE}leistungen/{responsibility.leika_key}/"
    assert client.get(url).status_code == 200
    saved = client.post(url, {"bearbeitungsfrist": "14", "aufbewahrungsfrist": "1825", "team": team.pk})
    assert saved.status_code == 302
    row = ServiceDeadline.objects.get(authority=authority, leika_key=responsibility.leika_key)
    assert (row.processing_days, row.retention_days, row.team) == (14, 1825, team)
    entry = AuditEntry.objects.get(action="casework.service_settings_changed")
    assert entry.details["to"] == {"processing_days": 14, "retention_days": 1825, "team": team.pk}
    on_casework(responsibility)
    case = received_case(responsibility)
    assert (case.deadline - case.received_at.date()).days in (14, 15)  # 15 when received just before midnight


@pytest.mark.parametrize(("processing", "retention", "message"), [
    ("", "3650", "Bitte geben Sie die Anzahl der Tage an."),
    ("30 Tage", "3650", "Bitte geben Sie eine ganze Zahl von Tagen an, z. B. 30."),
    ("0", "3650", "Bitte mindestens 1 Tage."),
    ("30", "7", "Bitte mindestens 45 Tage."),
    ("30", "999999", "Bitte höchstens 36500 Tage."),
    ("1000", "3650", "Bitte höchstens 730 Tage."),
])
def test_wrong_days_are_refused_in_german_and_the_input_stays(responsibility, admin, processing, retention,
                                                              message):
    url = f"{BASE}leistungen/{responsibility.leika_key}/"
    response = _client(admin).post(url, {"bearbeitungsfrist": processing, "aufbewahrungsfrist": retention})
    body = response.content.decode()
    assert response.status_code == 400 and message in body
    assert f'value="{retention}"' in body and 'aria-invalid="true"' in body
    assert not ServiceDeadline.objects.exists()


def test_other_kommunen_the_land_and_staff_without_the_admin_role_get_nothing(responsibility, admin):
    authority = responsibility.destination.authority
    team = TeamFactory(authority=authority, name="Kfz-Steuer")
    other_admin = UserFactory(authority=AuthorityFactory(), kommune_admin=True)
    land = UserFactory(land_operator=True, authority=AuthorityFactory(land_office=True))
    for outsider in (other_admin, land):
        client = _client(outsider)
        assert client.get(f"{BASE}teams/{team.pk}/").status_code == 404
        assert client.post(f"{BASE}teams/{team.pk}/", {"name": "Übernommen"}).status_code == 404
        assert client.get(f"{BASE}leistungen/{responsibility.leika_key}/").status_code == 404
        assert "Kfz-Steuer" not in client.get(BASE + "teams/").content.decode()
        assert responsibility.leika_key not in client.get(BASE + "leistungen/").content.decode()
    staff = _client(UserFactory(authority=authority))
    assert staff.get(BASE + "teams/").status_code == 403
    assert staff.post(f"{BASE}teams/{team.pk}/", {"name": "Übernommen"}).status_code == 403
    assert staff.get(BASE + "leistungen/").status_code == 403
    assert Team.objects.get(pk=team.pk).name == "Kfz-Steuer"


def test_creating_a_team_twice_shows_the_team_instead_of_a_duplicate_error(responsibility, admin):
    """Issue 14: a double submit of "Team anlegen" answered "Ein Team … gibt es schon"; the repeated POST now
    leads to the team this session just made."""
    authority = responsibility.destination.authority
    client = _client(admin)
    first = client.post(BASE + "teams/", {"name": "Steuern"})
    again = client.post(BASE + "teams/", {"name": " Steuern "}, follow=True)
    team = Team.objects.get(authority=authority)
    assert again.redirect_chain[-1][0] == first["Location"] == f"{BASE}teams/{team.pk}/"
    assert "ist bereits angelegt" in again.content.decode()
    assert Team.objects.filter(authority=authority).count() == 1
