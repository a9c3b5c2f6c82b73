"""`amtsweg submissions_housekeeping`: sign pending events, delete ciphertext of finished submissions,
drop expired access tokens, remove orphaned attachment files. Safe to run often (e.g. from cron)."""

from datetime import timedelta

from django.core.management.base import BaseCommand

from amtsweg.submissions import events, oauth, services


class Command(BaseCommand):
    help = "Sign pending event-log entries, purge finished submissions' ciphertext, drop expired tokens."

    def add_arguments(self, parser):
        parser.add_argument("--purge-after-days", type=int, default=7,
                            help="delete ciphertext this many days after accept/reject (default 7)")

    def handle(self, *args, **options):
        sealed = 0
        while batch := events.seal_pending(limit=500):
            sealed += batch
        purged = services.purge_finished(timedelta(days=options["purge_after_days"]))
        sealed += events.seal_pending(limit=10_000)
        tokens = oauth.purge_expired()
        orphans = services.remove_orphaned_files()
        self.stdout.write(f"signed events: {sealed}, purged submissions: {purged}, expired tokens: {tokens}, "
                          f"orphaned files: {orphans}")
