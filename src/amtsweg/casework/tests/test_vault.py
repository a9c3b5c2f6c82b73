"""The vault: per-authority data keys wrapped by the KEK, sealed values bound to Authority and purpose,
rotation, KEK re-wrapping and the keyed name hash."""

from __future__ import annotations

import base64

import pytest

from amtsweg.accounts.tests.factories import AuthorityFactory
from amtsweg.casework import vault
from amtsweg.casework.models import DataKey
from amtsweg.core.actors import SYSTEM

pytestmark = pytest.mark.django_db
KEK = base64.urlsafe_b64encode(b"K" * 32).decode()


@pytest.fixture(autouse=True)
def _configured_kek(settings):
    settings.AMTSWEG_CASEWORK_KEK = KEK
    vault.forget_cached_keys()
    yield
    vault.forget_cached_keys()


def test_seal_and_open_round_trip_and_nothing_in_clear_in_the_database():
    authority = AuthorityFactory()
    sealed = vault.seal(authority, b"Erika Mustermann, Hund Bello", purpose="case.application")
    assert b"Erika" not in sealed
    assert vault.open(authority, sealed, purpose="case.application") == b"Erika Mustermann, Hund Bello"
    assert vault.open(authority.pk, sealed) == b"Erika Mustermann, Hund Bello"
    row = DataKey.objects.get(authority=authority)
    assert row.kek_id == vault.kek().key_id and len(bytes(row.wrapped)) == 12 + 32 + 16  # wrapped, not the key


def test_a_value_opens_only_for_its_authority_and_purpose_and_untampered():
    a, b = AuthorityFactory(), AuthorityFactory()
    sealed = vault.seal(a, b"geheim", purpose="case.note")
    with pytest.raises(vault.VaultError):
        vault.open(b, sealed)  # b has no such key at all
    vault.seal(b, b"x", purpose="case.note")
    with pytest.raises(vault.VaultError):
        vault.open(b, sealed)
    with pytest.raises(vault.VaultError):
        vault.open(a, sealed, purpose="case.application")
    relabelled = sealed.replace(b"case.note", b"case.nota")  # purpose changed in the envelope: AD differs
    with pytest.raises(vault.VaultError):
        vault.open(a, relabelled)
    tampered = sealed[:-1] + bytes([sealed[-1] ^ 1])
    with pytest.raises(vault.VaultError):
        vault.open(a, tampered)
    for junk in (b"", b"AWV1", b"kein wert"):
        with pytest.raises(vault.VaultError):
            vault.open(a, junk)


def test_rotation_keeps_old_values_readable_and_seals_new_ones_with_the_new_key():
    authority = AuthorityFactory()
    old = vault.seal(authority, b"alt", purpose="p")
    new_id = vault.rotate_data_key(authority, actor=SYSTEM)
    new = vault.seal(authority, b"neu", purpose="p")
    assert new_id.encode() in new and new_id.encode() not in old
    assert vault.open(authority, old) == b"alt" and vault.open(authority, new) == b"neu"
    assert DataKey.objects.filter(authority=authority, retired_at__isnull=True).count() == 1
    vault.forget_cached_keys()  # another process: unwraps from the database
    assert vault.open(authority, old) == b"alt"


def test_another_kek_opens_nothing_until_the_data_keys_are_rewrapped(settings):
    authority = AuthorityFactory()
    sealed = vault.seal(authority, b"inhalt", purpose="p")
    old = vault.kek()
    settings.AMTSWEG_CASEWORK_KEK = base64.urlsafe_b64encode(b"N" * 32).decode()
    vault.forget_cached_keys()
    with pytest.raises(vault.VaultError):
        vault.open(authority, sealed)
    assert vault.rewrap_data_keys(old, vault.kek()) == 1
    vault.forget_cached_keys()
    assert vault.open(authority, sealed) == b"inhalt"


def test_embedded_mode_generates_the_kek_once_into_var(settings, tmp_path):
    settings.AMTSWEG_CASEWORK_KEK = ""
    settings.AMTSWEG_EMBEDDED = True
    settings.VAR_DIR = tmp_path
    vault.forget_cached_keys()
    first = vault.kek().key_id
    assert (tmp_path / "casework_kek").stat().st_mode & 0o077 == 0
    vault.forget_cached_keys()
    assert vault.kek().key_id == first


def test_the_kek_follows_the_installation_it_runs_in(settings, tmp_path):
    """A KEK loaded once under another VAR_DIR is not the one used after returning: CI's restore drill found
    its backup's keys wrapped with a KEK another test had loaded from a temporary VAR_DIR."""
    settings.AMTSWEG_CASEWORK_KEK = ""
    settings.AMTSWEG_EMBEDDED = True
    (tmp_path / "here").mkdir()
    (tmp_path / "elsewhere").mkdir()
    settings.VAR_DIR = tmp_path / "here"
    here = vault.kek().key_id
    settings.VAR_DIR = tmp_path / "elsewhere"
    elsewhere = vault.kek().key_id
    settings.VAR_DIR = tmp_path / "here"
    assert vault.kek().key_id == here != elsewhere


def test_production_without_a_kek_refuses_instead_of_generating(settings, tmp_path):
    from django.core.exceptions import ImproperlyConfigured

    settings.AMTSWEG_CASEWORK_KEK = ""
    settings.AMTSWEG_EMBEDDED = False
    settings.VAR_DIR = tmp_path
    vault.forget_cached_keys()
    with pytest.raises(ImproperlyConfigured):
        vault.kek()
    assert not (tmp_path / "casework_kek").exists()


def test_name_hash_is_exact_normalised_and_per_authority():
    a, b = AuthorityFactory(), AuthorityFactory()
    assert vault.name_hash(a, "Erika  Mustermann") == vault.name_hash(a, " erika mustermann ")
    assert vault.name_hash(a, "Straße") == vault.name_hash(a, "STRASSE")
    assert vault.name_hash(a, "Erika Mustermann") != vault.name_hash(a, "Erika Musterfrau")
    assert vault.name_hash(a, "Erika Mustermann") != vault.name_hash(b, "Erika Mustermann")
    assert vault.name_hash(a, "   ") == ""
    assert len(vault.name_hash(a, "x")) == 64


@pytest.mark.django_db(transaction=True)
def test_a_data_key_of_a_rolled_back_transaction_is_never_used_again():
    """An ingest that fails after sealing rolls its new data key back; the process must not go on sealing
    under that key (it would exist nowhere but in this process's memory). CI found it in the restore drill."""
    from django.db import transaction

    authority = AuthorityFactory()
    with pytest.raises(RuntimeError), transaction.atomic():
        vault.seal(authority, b"verworfen", purpose="case.note")
        raise RuntimeError("the ingest fails after sealing")
    assert not DataKey.objects.filter(authority=authority).exists()
    sealed = vault.seal(authority, b"Inhalt", purpose="case.note")
    vault.forget_cached_keys()  # another process, or this one after a restart
    assert vault.open(authority, sealed, purpose="case.note") == b"Inhalt"
