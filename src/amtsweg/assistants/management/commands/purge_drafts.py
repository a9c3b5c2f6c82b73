from django.core.management.base import BaseCommand

from amtsweg.assistants.services import RECEIPT_RETENTION_DAYS, purge_expired


class Command(BaseCommand):
    help = f"Delete expired application drafts and receipts older than {RECEIPT_RETENTION_DAYS} days (run daily)."

    def handle(self, **options):
        drafts, receipts = purge_expired()
        self.stdout.write(f"{drafts} Entwürfe/Dateien und {receipts} Eingangsbestätigungen gelöscht.")
