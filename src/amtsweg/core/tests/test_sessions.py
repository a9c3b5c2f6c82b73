"""Sessions read through the shared cache (amtsweg.core.sessions, issue 18)."""

import os
import subprocess
import sys
from unittest import mock

import pytest
from django.contrib.sessions.models import Session
from django.core.cache import cache, caches

from amtsweg.core.sessions import SessionStore


@pytest.mark.django_db
def test_a_session_is_stored_in_the_database_and_read_from_the_cache(django_assert_num_queries):
    store = SessionStore()
    store["assistants_drafts"] = ["d1"]
    store.save()
    assert Session.objects.filter(session_key=store.session_key).exists()  # the source of truth
    with django_assert_num_queries(0):
        assert SessionStore(store.session_key)["assistants_drafts"] == ["d1"]


@pytest.mark.django_db
def test_a_lost_cache_entry_is_read_from_the_database():
    store = SessionStore()
    store["assistants_drafts"] = ["d1"]
    store.save()
    cache.clear()  # Redis restarted
    assert SessionStore(store.session_key)["assistants_drafts"] == ["d1"]


@pytest.mark.django_db
def test_an_ended_session_is_gone_from_the_cache_too():
    store = SessionStore()
    store["identity"] = {"given_name": "Erika"}
    store.save()
    key = store.session_key
    store.flush()  # logout
    assert dict(SessionStore(key).items()) == {}


@pytest.mark.django_db
def test_new_visitors_get_a_session_while_the_cache_is_unreachable():
    known = SessionStore()
    known.save()
    backend = type(caches["default"])
    with mock.patch.object(backend, "has_key", side_effect=ConnectionError("redis down")), \
            mock.patch.object(backend, "get", side_effect=ConnectionError("redis down")), \
            mock.patch.object(backend, "set", side_effect=ConnectionError("redis down")):
        assert SessionStore().exists(known.session_key)  # the database answers
        assert not SessionStore().exists("no-such-session-key-0123456789abcdef")
        store = SessionStore()
        store["assistants_drafts"] = ["d2"]
        store.save()  # a new key, checked against the database only
        assert SessionStore(store.session_key)["assistants_drafts"] == ["d2"]


def _session_engine(tmp_path, **env) -> str:
    code = "from amtsweg import settings as s; print(s.SESSION_ENGINE)"
    clean = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    result = subprocess.run([sys.executable, "-c", code], env={**clean, "AMTSWEG_VAR_DIR": str(tmp_path), **env},
                            capture_output=True, text=True, check=True, timeout=60)
    return result.stdout.strip().splitlines()[-1]


def test_sessions_go_through_the_cache_only_when_it_is_shared(tmp_path):
    assert _session_engine(tmp_path, REDIS_URL="redis://127.0.0.1:6379/0") == "amtsweg.core.sessions"
    # the per-process memory cache could serve a session another process changed or ended
    assert _session_engine(tmp_path) == "django.contrib.sessions.backends.db"
