"""The queryset layer scopes every role correctly (`visible_to` / `editable_by`)."""

import pytest
from django.contrib.auth.models import AnonymousUser

from amtsweg.accounts.models import Authority, User
from amtsweg.accounts.tests.factories import AuthorityFactory, UserFactory
from amtsweg.core.tenancy import LandAccess


@pytest.fixture
def world(kommune_a, kommune_b, other_land_kommune):
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
def test_kommune_staff_and_admins_see_only_their_authority(world):
    for who in ("staff_a", "admin_a"):
        assert ids(Authority.objects.visible_to(world[who])) == {world["a"].pk}
        assert ids(User.objects.visible_to(world[who])) == {world["staff_a"].pk, world["admin_a"].pk}


@pytest.mark.django_db
def test_only_admins_of_the_authority_may_change_it(world):
    assert ids(Authority.objects.editable_by(world["staff_a"])) == set()
    assert ids(User.objects.editable_by(world["staff_a"])) == set()
    assert ids(Authority.objects.editable_by(world["admin_a"])) == {world["a"].pk}
    assert world["b"].pk not in ids(Authority.objects.editable_by(world["admin_a"]))


@pytest.mark.django_db
def test_land_operators_see_and_change_their_land_only(world):
    operator = world["operator"]
    saarland = {world["a"].pk, world["b"].pk, world["land_office"].pk}
    assert ids(Authority.objects.visible_to(operator)) == saarland
    assert ids(Authority.objects.editable_by(operator)) == saarland
    visible_users = ids(User.objects.visible_to(operator))
    assert world["staff_b"].pk in visible_users and world["other_admin"].pk not in visible_users
    assert world["citizen"].pk not in visible_users


@pytest.mark.django_db
def test_models_can_keep_land_operators_out_or_read_only(world, monkeypatch):
    operator = world["operator"]
    monkeypatch.setattr(Authority, "tenant_land_access", LandAccess.READ, raising=False)
    assert world["a"].pk in ids(Authority.objects.visible_to(operator))
    assert ids(Authority.objects.editable_by(operator)) == {world["land_office"].pk}  # only its own office
    monkeypatch.setattr(Authority, "tenant_land_access", LandAccess.NONE, raising=False)
    assert ids(Authority.objects.visible_to(operator)) == {world["land_office"].pk}


@pytest.mark.django_db
def test_nobody_else_sees_anything(world):
    inactive = UserFactory(authority=world["a"], is_active=False)
    for user in (AnonymousUser(), None, world["citizen"], inactive):
        assert not Authority.objects.visible_to(user).exists()
        assert not User.objects.visible_to(user).exists()
        assert not Authority.objects.editable_by(user).exists()


@pytest.mark.django_db
def test_superusers_see_everything(world):
    root = world["root"]
    assert ids(Authority.objects.visible_to(root)) == ids(Authority.objects.all())
    assert world["citizen"].pk in ids(User.objects.editable_by(root))


@pytest.mark.django_db
def test_editable_is_always_a_subset_of_visible(world):
    for user in world.values():
        if isinstance(user, User):
            for model in (Authority, User):
                assert ids(model.objects.editable_by(user)) <= ids(model.objects.visible_to(user))


@pytest.mark.django_db
def test_a_model_without_tenant_path_is_refused(world):
    from amtsweg.core.tenancy import TenantQuerySet
    from amtsweg.geo.models import Land

    with pytest.raises(TypeError, match="tenant_path"):
        TenantQuerySet(model=Land).visible_to(world["staff_a"])
