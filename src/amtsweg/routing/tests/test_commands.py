"""The Land's terminal commands for bulk loads."""

import json

import pytest
from django.core.management import CommandError, call_command

from amtsweg.routing.models import Destination, Responsibility
from amtsweg.routing.tests.factories import public_jwk

pytestmark = pytest.mark.django_db


def test_load_destinations_and_import_responsibilities(offices, tmp_path, capsys):
    entries = [{"authorityArs": "100410519519", "name": "Standesamt Völklingen",
                "encryptionKey": public_jwk("encryption", "cmd-key-0001")}]
    (tmp_path / "d.json").write_text(json.dumps(entries))
    call_command("load_destinations", str(tmp_path / "d.json"), secrets=tmp_path / "s.json")
    destination = Destination.objects.get(name="Standesamt Völklingen")
    assert json.loads((tmp_path / "s.json").read_text()) == {str(destination.pk): destination.callback_secret}
    assert destination.callback_secret not in capsys.readouterr().out

    csv = tmp_path / "z.csv"
    csv.write_text(f"leika_key,area_ars,destination_id\n99115004001005,100410519519,{destination.pk}\n")
    call_command("import_responsibilities", str(csv), dry_run=True)
    assert not Responsibility.objects.exists()
    call_command("import_responsibilities", str(csv))
    assert Responsibility.objects.get().destination == destination


def test_errors_abort_with_the_line(offices, tmp_path, capsys):
    csv = tmp_path / "z.csv"
    csv.write_text("leika_key,area_ars,destination_id\n99115004001005,999,x\n")
    with pytest.raises(CommandError):
        call_command("import_responsibilities", str(csv))
    assert "Zeile 2" in capsys.readouterr().err
    (tmp_path / "d.json").write_text("[{\"name\": \"x\"}]")
    with pytest.raises(CommandError):
        call_command("load_destinations", str(tmp_path / "d.json"))
