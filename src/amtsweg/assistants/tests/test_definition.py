import json

import pytest

from amtsweg.assistants import forms
from amtsweg.assistants.definition import DefinitionError, check_definition
from amtsweg.assistants.models import FormVersion, PublishedVersionError

from .factories import FormDefinitionFactory, FormVersionFactory, sample_definition


def test_sample_definition_is_valid():
    check_definition(sample_definition())


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda d: d.pop("steps"), "'steps' is a required property"),
        (lambda d: d["steps"][0]["fieldsets"][0]["fields"][0].update(type="colour"),
         "/steps/0/fieldsets/0/fields/0/type"),
        (lambda d: d["steps"][1]["fieldsets"][0]["fields"][2].pop("codelist"), "'codelist' is a required property"),
        (lambda d: d["steps"][0]["fieldsets"][0]["fields"][1].update(id="given_name"),
         "Feld „given_name“ kommt doppelt"),
        (lambda d: d["steps"][1]["fieldsets"][0]["fields"][1].update(visible_if={"field": "nope", "equals": True}),
         "unbekanntes Feld „nope“"),
        (lambda d: d["steps"][1]["fieldsets"][0]["fields"][2].update(codelist="sizes"), "Codeliste „sizes“ fehlt"),
        (lambda d: d["steps"][1]["rules"][0].update(other="missing"), "/steps/1/rules/0/other"),
        (lambda d: d["steps"][0]["fieldsets"][0]["fields"][2]["validation"].update(max_date="tomorrow"),
         "/steps/0/fieldsets/0/fields/2/validation/max_date"),
        (lambda d: d["title"].pop("de"), "'de' is a required property"),
        (lambda d: d["codelists"]["colours"].append({"code": "rot", "label": {"de": "Rot"}}), "nicht eindeutig"),
    ],
)
def test_invalid_definitions_are_refused_with_path(mutate, expected):
    definition = sample_definition()
    mutate(definition)
    with pytest.raises(DefinitionError) as exc:
        check_definition(definition)
    assert expected in str(exc.value)


@pytest.mark.django_db
def test_published_version_is_immutable_in_model_and_queryset():
    version = FormVersionFactory(published=True)
    version.definition["title"]["de"] = "Geändert"
    with pytest.raises(PublishedVersionError):
        version.save()
    with pytest.raises(PublishedVersionError):
        FormVersion.objects.filter(pk=version.pk).update(definition={})
    with pytest.raises(PublishedVersionError):
        version.delete()
    with pytest.raises(PublishedVersionError):
        FormVersion.objects.filter(pk=version.pk).delete()
    with pytest.raises(PublishedVersionError):
        forms.update_draft_version(version, sample_definition())
    version.refresh_from_db()
    assert version.definition["title"]["de"] == "Testantrag"


@pytest.mark.django_db
def test_unpublished_version_can_change_then_publish_freezes_it():
    version = FormVersionFactory()
    changed = sample_definition()
    changed["title"]["de"] = "Neu"
    forms.update_draft_version(version, changed)
    forms.publish(version)
    assert FormVersion.objects.get(pk=version.pk).definition["title"]["de"] == "Neu"
    with pytest.raises(PublishedVersionError):
        forms.update_draft_version(version, sample_definition())


@pytest.mark.django_db
def test_add_version_numbers_versions_and_validates():
    form = FormDefinitionFactory()
    assert forms.add_version(form, sample_definition()).number == 1
    assert forms.add_version(form, sample_definition()).number == 2
    with pytest.raises(DefinitionError):
        forms.add_version(form, {"schema_version": 1})


@pytest.mark.django_db
def test_export_import_round_trip_is_idempotent():
    version = FormVersionFactory(published=True, form__fee_cents=1000)
    exported = forms.export_form_json(version.form)
    data = json.loads(exported)
    data["form"]["slug"] = "kopie"
    imported = forms.import_form(json.dumps(data), publish_now=True)
    assert imported.form.slug == "kopie" and imported.form.fee_cents == 1000 and imported.is_published
    assert imported.definition == version.definition
    again = forms.import_form(json.dumps(data))
    assert again.pk == imported.pk and imported.form.versions.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ("{nope", "kein gültiges JSON"),
        ('{"format": "other"}', "kein Amtsweg-Formularexport"),
        ('{"format": "amtsweg-form/1", "form": {"slug": "x", "leika_key": "1"}, "version": {"definition": {}}}',
         "14 Ziffern"),
        # 14 digits that routing (FIT-Connect ^99\d{12}$) refuses: the import took them, and the published form's
        # applications could never be routed
        ('{"format": "amtsweg-form/1", "form": {"slug": "x", "leika_key": "12345678901234"},'
         ' "version": {"definition": {}}}', "beginnt mit 99"),
        ('{"format": "amtsweg-form/1", "form": {"slug": "x", "leika_key": "99١٠٢٠١٣٠٠٠٠٠٠"},'
         ' "version": {"definition": {}}}', "beginnt mit 99"),
        ('{"format": "amtsweg-form/1", "form": {"slug": "x", "leika_key": "99102013000000"},'
         ' "version": {"definition": {"schema_version": 1}}}', "Formulardefinition ist ungültig"),
    ],
)
def test_import_refuses_bad_files(payload, message):
    with pytest.raises(forms.FormImportError) as exc:
        forms.import_form(payload)
    assert message in str(exc.value)
