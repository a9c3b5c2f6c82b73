"""The acting user is an explicit, required argument of every service function (issue 13, item 10).

`None` used to mean "the system, full access" (`can_act_for(None, …)` was True), so a forgotten argument
silently granted everything. Now the platform itself is the named actor `SYSTEM`, and None is refused.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest

import amtsweg
from amtsweg.accounts.models import AuditEntry, Authority
from amtsweg.accounts.tests.factories import AuthorityFactory, UserFactory
from amtsweg.core.actors import SYSTEM
from amtsweg.core.tenancy import can_act_for, can_manage_area
from amtsweg.routing import services as routing
from amtsweg.routing.importer import import_responsibilities
from amtsweg.routing.models import ResponsibilityChange
from amtsweg.routing.tests.factories import DestinationFactory

ACTOR_NAMES = {"actor", "user", "by", "created_by", "acting_user"}


def service_modules():
    """Every app's domain functions: `*/services.py`, the importers and routing's resolution."""
    names = []
    for app in (m for m in pkgutil.iter_modules(amtsweg.__path__) if m.ispkg):
        for module in ("services", "importer"):
            name = f"amtsweg.{app.name}.{module}"
            if importlib.util.find_spec(name) is not None:
                names.append(name)
    names.append("amtsweg.routing.resolution")
    return [importlib.import_module(name) for name in names]


def public_functions(module):
    for name, function in inspect.getmembers(module, inspect.isfunction):
        if function.__module__ == module.__name__ and not name.startswith("_"):
            yield name, function


def test_no_service_function_lets_the_actor_default_to_anything():
    found, optional = 0, []
    for module in service_modules():
        for name, function in public_functions(module):
            for parameter in inspect.signature(function).parameters.values():
                if parameter.name in ACTOR_NAMES:
                    found += 1
                    if parameter.default is not inspect.Parameter.empty:
                        optional.append(f"{module.__name__}.{name}({parameter.name}={parameter.default!r})")
    assert found > 20  # the walk really sees the service functions
    assert optional == []


@pytest.mark.django_db
def test_calling_a_service_without_an_actor_fails_and_changes_nothing():
    destination = DestinationFactory()
    with pytest.raises(TypeError):
        routing.update_destination(destination, name="Ohne Akteur")  # the argument is required …
    with pytest.raises(TypeError, match="SYSTEM"):
        routing.update_destination(destination, actor=None, name="Ohne Akteur")  # … and None is no actor
    with pytest.raises(TypeError):
        import_responsibilities(b"leika_key,area_ars,destination_id\n", actor=None)
    destination.refresh_from_db()
    assert destination.name != "Ohne Akteur" and not AuditEntry.objects.filter(action="destination.changed").exists()


@pytest.mark.django_db
def test_the_permission_checks_refuse_none_and_let_the_system_act():
    authority = AuthorityFactory()
    with pytest.raises(TypeError):
        can_act_for(None, authority)
    with pytest.raises(TypeError):
        can_manage_area(None, authority.area_ars)
    assert can_act_for(SYSTEM, authority) and can_manage_area(SYSTEM, authority.area_ars)
    # The system reads nothing through the tenancy querysets: jobs query what they need explicitly.
    assert not Authority.objects.visible_to(SYSTEM).exists()
    assert not can_act_for(UserFactory(citizen=True), authority)


@pytest.mark.django_db
def test_the_system_is_recorded_in_the_audit_as_the_system():
    destination = DestinationFactory()
    routing.update_destination(destination, actor=SYSTEM, name="Vom System umbenannt")
    entry = AuditEntry.objects.get(action="destination.changed")
    assert entry.by_system and entry.actor is None and entry.actor_username == ""
    staff = UserFactory(authority=destination.authority)
    routing.update_destination(destination, actor=staff, name="Von Hand umbenannt")
    entry = AuditEntry.objects.filter(action="destination.changed").latest("pk")
    assert not entry.by_system and entry.actor == staff and entry.actor_username == staff.username


@pytest.mark.django_db
def test_a_command_acts_as_the_system(tmp_path):
    from django.core.management import call_command

    destination = DestinationFactory()
    csv = tmp_path / "zustaendigkeiten.csv"
    csv.write_text(f"leika_key,area_ars,destination_id\n99102013000000,{destination.authority.area_ars},"
                   f"{destination.pk}\n")
    call_command("import_responsibilities", str(csv))
    change = ResponsibilityChange.objects.get()
    assert change.action == ResponsibilityChange.Action.IMPORTED and change.user is None
