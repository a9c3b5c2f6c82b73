"""Benchmark: the citizen's Postfach and the case worker's Bescheid, on a throw-away PostgreSQL database.

Run from the repository root: `.venv/bin/python benchmarks/postfach.py [--applications N] [--messages N]`.
Prints:

* `meine_antraege_p95_ms`: "Meine Anträge" (`/postfach/`) for a logged-in citizen with N applications, each on
  Amtsweg-Sachbearbeitung (every row's plain-German state asks the back office), through Django's test client;
* `status_page_p95_ms`: the applicant's status page of one application with M messages and a Bescheid (opens
  every sealed message and the notice, verifies the notice's signature);
* `notice_issue_ms`: one Bescheid made and delivered (render from the template, PDF, ES256 detached JWS,
  seal, decide, store), median;
* `answer_with_upload_ms`: an applicant's answer to a Rückfrage with a 1 MB PDF (sniff, seal, store, state
  back to in Bearbeitung), median.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from backoffice import PostgresDatabase, _p95  # noqa: E402 - the sibling benchmark's helpers

ROOT = Path(__file__).resolve().parent.parent


def _setup(database_url: str, var_dir: str) -> None:
    os.environ.update({"DATABASE_URL": database_url, "AMTSWEG_VAR_DIR": var_dir, "LOG_LEVEL": "WARNING",
                       "AMTSWEG_EMBEDDED": "1", "MEDIA_ROOT": str(Path(var_dir) / "media"),
                       "DJANGO_SETTINGS_MODULE": "amtsweg.settings"})
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def _time(fn, repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        out.append((time.perf_counter() - started) * 1000)
    return out


def run(applications: int, messages_per_case: int) -> dict[str, float]:
    from django.conf import settings
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()
    settings.ALLOWED_HOSTS = ["testserver"]
    settings.AMTSWEG_SUBMISSION_INTAKE = "amtsweg.submissions.intake.accept_form_submission"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    from amtsweg.accounts.tests.factories import UserFactory
    from amtsweg.assistants.tests.factories import FormVersionFactory
    from amtsweg.casework.models import Case
    from amtsweg.casework.tests.factories import on_casework
    from amtsweg.core.actors import SYSTEM
    from amtsweg.delivery import services as outbox
    from amtsweg.geo.tests.factories import PostcodeAreaFactory
    from amtsweg.postfach import messages, notices
    from amtsweg.postfach.tests.factories import apply, login_citizen
    from amtsweg.routing.tests.factories import ResponsibilityFactory
    from amtsweg.submissions import status

    FormVersionFactory(published=True, form__slug="testantrag", form__leika_key="99102013000000")
    responsibility = ResponsibilityFactory(leika_key="99102013000000")
    PostcodeAreaFactory(postcode="66111", municipality=responsibility.authority.municipality)
    on_casework(responsibility)
    worker = UserFactory(authority=responsibility.destination.authority)
    citizen = Client()
    login_citizen(citizen, subject="benchmark")
    submissions = [apply(citizen) for _ in range(applications)]
    outbox.run_until_idle()
    cases = list(Case.objects.order_by("received_at"))
    template = notices.save_template(cases[0].authority, actor=worker, leika_key=cases[0].leika_key,
                                     name="Standard", title="Bescheid über $leistung",
                                     body="Guten Tag $antragsteller,\nIhr Antrag $vorgangsnummer ist $entscheidung.")
    figures: dict[str, float] = {}
    citizen.get("/postfach/")  # warm-up
    figures["meine_antraege_applications"] = applications
    figures["meine_antraege_p95_ms"] = round(_p95(_time(lambda: citizen.get("/postfach/"), 30)), 1)

    first = cases[0]
    for i in range(messages_per_case):
        messages.send_message(first, actor=worker, subject=f"Nachricht {i}", text="Text " * 50)
    issue_times = []
    for case in cases[1:11]:
        started = time.perf_counter()
        notices.issue(case, template, Case.Decision.APPROVED, actor=worker)
        issue_times.append((time.perf_counter() - started) * 1000)
    figures["notice_issue_ms"] = round(statistics.median(issue_times), 1)
    notices.issue(first, template, Case.Decision.APPROVED, actor=worker)
    status_url = status.status_path(submissions[0].public_reference)
    anonymous = Client()
    anonymous.get(status_url)
    figures["status_page_messages"] = messages_per_case
    figures["status_page_p95_ms"] = round(_p95(_time(lambda: anonymous.get(status_url), 30)), 1)

    pdf = b"%PDF-1.4\n" + b"0" * (1024 * 1024 - 20) + b"\n%%EOF"
    answer_times = []
    for case in cases[11:21]:
        inquiry = messages.ask(case, actor=worker, text="Bitte den Nachweis.")
        applicant = messages.Applicant(case.submission_id, "link")
        started = time.perf_counter()
        messages.answer(applicant, inquiry.pk, text="Anbei.",
                        uploads=[messages.Upload("nachweis.pdf", "application/pdf", pdf)])
        answer_times.append((time.perf_counter() - started) * 1000)
    figures["answer_with_upload_ms"] = round(statistics.median(answer_times), 1)
    del SYSTEM
    return figures


def main(argv: list[str]) -> None:
    import argparse

    parser = argparse.ArgumentParser()
    parser.add_argument("--applications", type=int, default=30)
    parser.add_argument("--messages", type=int, default=20)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="amtsweg-bench-") as tmp, PostgresDatabase("amtsweg_postfach_bench") as url:
        _setup(url, tmp)
        from amtsweg.casework.tests.factories import use_cached_keys  # noqa: F401 - keys made fresh here

        for key, value in run(max(args.applications, 21), args.messages).items():
            print(f"{key}: {value}")
        from django.db import connections

        connections.close_all()


if __name__ == "__main__":
    main(sys.argv[1:])
