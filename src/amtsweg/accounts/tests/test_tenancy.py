"""The queryset layer scopes every role correctly (`visible_to` / `editable_by`)."""

import pytest
from django.contrib.auth.models import AnonymousUser

from amtsweg.accounts.models import Authority, User
from amtsweg.accounts.tests.factories import AuthorityFactory, UserFactory
from amtsweg.core.tenancy import LandAccess


@pytest.fixture
def tenants(kommune_a, kommune_b, other_land_kommune):
    land_office = AuthorityFactory(land_office=True)  # Saarland (10), like kommune_a and kommune_b
    return {
        "a": kommune_a,
        "b": kommune_b,
        "other": other_land_kommune,
        "land_office": land_office,
        "staff_a": UserFactory(authority=kommune_a),
        "admin_a": UserFactory(authority=kommune_a, kommune_admin=True),
        "staff_b": UserFactory(authority=kommune_b),
        "operator": UserFactory(land_operator=True, authority=land_office),
        "other_admin": UserFactory(authority=other_land_kommune, kommune_admin=True),
        "citizen": UserFactory(citizen=True),
        "root": UserFactory(is_superuser=True, authority=None, role=User.Role.LAND_OPERATOR),
    }


def ids(qs):
    return set(qs.values_list("pk", flat=True))


@pytest.mark.django_db
def test_kommune_staff_and_admins_see_only_their_authority(tenants):
    for who in ("staff_a", "admin_a"):
        assert ids(Authority.objects.visible_to(tenants[who])) == {tenants["a"].pk}
        assert ids(User.objects.visible_to(tenants[who])) == {tenants["staff_a"].pk, tenants["admin_a"].pk}


@pytest.mark.django_db
def test_only_admins_of_the_authority_may_change_it(tenants):
    assert ids(Authority.objects.editable_by(tenants["staff_a"])) == set()
    assert ids(User.objects.editable_by(tenants["staff_a"])) == set()
    assert ids(Authority.objects.editable_by(tenants["admin_a"])) == {tenants["a"].pk}
    assert tenants["b"].pk not in ids(Authority.objects.editable_by(tenants["admin_a"]))


@pytest.mark.django_db
def test_land_operators_see_and_change_their_land_only(tenants):
    operator = tenants["operator"]
    saarland = {tenants["a"].pk, tenants["b"].pk, tenants["land_office"].pk}
    assert ids(Authority.objects.visible_to(operator)) == saarland
    assert ids(Authority.objects.editable_by(operator)) == saarland  # contact data (LandAccess.WRITE)
    # A Kommune's accounts are the Kommune's: the Land sees and changes only its own offices' accounts.
    assert ids(User.objects.visible_to(operator)) == {operator.pk}
    assert ids(User.objects.editable_by(operator)) == {operator.pk}


@pytest.mark.django_db
def test_land_access_is_per_model_and_land_owned_rows_are_the_operators(tenants, monkeypatch):
    operator = tenants["operator"]
    second_office = AuthorityFactory(land_office=True, name="Landesverwaltungsamt")  # another office of the Land
    land_owned = {tenants["land_office"].pk, second_office.pk}
    monkeypatch.setattr(Authority, "tenant_land_access", LandAccess.READ)
    assert tenants["a"].pk in ids(Authority.objects.visible_to(operator))
    assert ids(Authority.objects.editable_by(operator)) == land_owned
    monkeypatch.setattr(Authority, "tenant_land_access", LandAccess.NONE)
    assert ids(Authority.objects.visible_to(operator)) == land_owned
    assert ids(Authority.objects.acting_for(operator)) == land_owned
    assert ids(Authority.objects.acting_for(tenants["admin_a"])) == {tenants["a"].pk}


@pytest.mark.django_db
def test_a_model_that_does_not_say_keeps_the_land_out(tenants, monkeypatch):
    """The safe default: a tenant model without `tenant_land_access` is closed to Land operators."""
    monkeypatch.delattr(Authority, "tenant_land_access")
    assert ids(Authority.objects.visible_to(tenants["operator"])) == {tenants["land_office"].pk}
    assert ids(Authority.objects.visible_to(tenants["admin_a"])) == {tenants["a"].pk}


# Every tenant model, and what a Land operator may do with the rows of its Kommunen. Changing a line here is
# a decision about the Land's reach into the Kommunen: NONE for anything that leads to applications.
LAND_ACCESS = {
    "accounts.Authority": LandAccess.WRITE,
    "accounts.User": LandAccess.NONE,
    "routing.Destination": LandAccess.READ,
    "routing.DestinationKey": LandAccess.READ,
    "routing.Responsibility": LandAccess.READ,
    "routing.ResponsibilityChange": LandAccess.READ,
    "submissions.Case": LandAccess.NONE,
    "submissions.Submission": LandAccess.NONE,
    "submissions.SubmissionAttachment": LandAccess.NONE,
    "submissions.Event": LandAccess.NONE,
    "submissions.ApiClient": LandAccess.NONE,
    "submissions.AccessToken": LandAccess.NONE,
    "delivery.OutboxMessage": LandAccess.NONE,
    "shop.Subscription": LandAccess.READ,
    "shop.AgreementAcceptance": LandAccess.READ,
    "shop.Reminder": LandAccess.READ,
    "accounts.AuditEntry": LandAccess.NONE,
    "casework.DataKey": LandAccess.NONE,
    "casework.Team": LandAccess.NONE,
    "casework.ServiceDeadline": LandAccess.NONE,
    "casework.ReceivingSystem": LandAccess.NONE,
    "casework.ReceivingKey": LandAccess.NONE,
    "casework.Case": LandAccess.NONE,
    "casework.CaseAttachment": LandAccess.NONE,
    "casework.CaseEntry": LandAccess.NONE,
    "casework.CaseDeletion": LandAccess.NONE,
    "postfach.Message": LandAccess.NONE,
    "postfach.MessageAttachment": LandAccess.NONE,
    "postfach.NoticeTemplate": LandAccess.NONE,
    "postfach.SigningKey": LandAccess.NONE,
    "postfach.Notice": LandAccess.NONE,
    # A Kommune's self-declared online services: the Land publishes them as "erklärt" beside the measurement.
    "maturity.DeclaredService": LandAccess.READ,
}


def test_every_tenant_model_declares_the_lands_access():
    from django.apps import apps

    from amtsweg.core.tenancy import TenantQuerySet

    tenant_models = {
        model._meta.label: model for model in apps.get_models()
        if isinstance(model._default_manager.all(), TenantQuerySet)
    }
    assert set(tenant_models) <= set(LAND_ACCESS), "declare tenant_land_access and add the model to LAND_ACCESS"
    for label, model in tenant_models.items():
        assert "tenant_land_access" in vars(model), f"{label} must declare tenant_land_access itself"
        assert model.tenant_land_access == LAND_ACCESS[label], label


@pytest.mark.django_db
def test_can_act_for_keeps_land_operators_to_the_lands_own_offices(tenants):
    from amtsweg.core.tenancy import can_act_for

    second_office = AuthorityFactory(land_office=True, name="Landesverwaltungsamt")
    operator = tenants["operator"]
    assert can_act_for(operator, tenants["land_office"]) and can_act_for(operator, second_office)
    assert not can_act_for(operator, tenants["a"]) and not can_act_for(operator, tenants["other"])
    assert can_act_for(tenants["admin_a"], tenants["a"]) and can_act_for(tenants["staff_a"], tenants["a"])
    assert not can_act_for(tenants["admin_a"], tenants["b"]) and not can_act_for(tenants["admin_a"], second_office)
    assert not can_act_for(tenants["citizen"], tenants["a"]) and not can_act_for(AnonymousUser(), tenants["a"])
    assert can_act_for(tenants["root"], tenants["other"])
    inactive = UserFactory(authority=tenants["a"], kommune_admin=True, is_active=False)
    assert not can_act_for(inactive, tenants["a"])


@pytest.mark.django_db
def test_nobody_else_sees_anything(tenants):
    inactive = UserFactory(authority=tenants["a"], is_active=False)
    for user in (AnonymousUser(), None, tenants["citizen"], inactive):
        assert not Authority.objects.visible_to(user).exists()
        assert not User.objects.visible_to(user).exists()
        assert not Authority.objects.editable_by(user).exists()


@pytest.mark.django_db
def test_superusers_see_everything(tenants):
    root = tenants["root"]
    assert ids(Authority.objects.visible_to(root)) == ids(Authority.objects.all())
    assert tenants["citizen"].pk in ids(User.objects.editable_by(root))


@pytest.mark.django_db
def test_editable_is_always_a_subset_of_visible(tenants):
    for user in tenants.values():
        if isinstance(user, User):
            for model in (Authority, User):
                assert ids(model.objects.editable_by(user)) <= ids(model.objects.visible_to(user))
                assert ids(model.objects.acting_for(user)) <= ids(model.objects.visible_to(user))


@pytest.mark.django_db
def test_a_model_without_tenant_path_is_refused(tenants):
    from amtsweg.core.tenancy import TenantQuerySet
    from amtsweg.geo.models import Land

    with pytest.raises(TypeError, match="tenant_path"):
        TenantQuerySet(model=Land).visible_to(tenants["staff_a"])
