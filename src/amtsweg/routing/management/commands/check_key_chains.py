"""`amtsweg check-key-chains`: the destination keys in use whose certificate chain (x5c) is missing or no
longer valid (expired, or not leading to a trust anchor of `AMTSWEG_PKI_TRUST_ANCHORS_FILE`).

The migration path for keys registered before chains were required (README, "Keys and certificates"): they
stay in use, so no application on its way is lost, but outside embedded mode this command fails (exit 1)
while any remain, so an upgrade pipeline or monitoring tells the operator which Kommunen must register their
key again with its chain. In embedded mode (demo) it only reports. Expired keys (past their grace period)
are not listed: they are used for nothing.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q
from django.utils import timezone

from amtsweg.routing.keys import chain_defects
from amtsweg.routing.models import DestinationKey


class Command(BaseCommand):
    help = ("Listet Schlüssel ohne gültige Zertifikatskette (x5c). / Lists destination keys without a valid "
            "certificate chain.")

    def handle(self, *args, **options):
        now = timezone.now()
        in_use = (DestinationKey.objects.select_related("destination__authority")
                  .filter(Q(retired_at__isnull=True) | Q(valid_until__gt=now))
                  .order_by("destination__authority__name", "destination__name", "purpose", "kid"))
        found = 0
        for key in in_use.iterator(chunk_size=500):
            defects = chain_defects(key.jwk, now=now)
            if defects:
                found += 1
                reasons = " ".join(message for _code, message in defects)
                self.stdout.write(f"{key.destination.authority.name}\t{key.destination.name}\t{key.destination_id}"
                                  f"\t{key.purpose}\t{key.kid}\t{reasons}")
        if found and not settings.AMTSWEG_EMBEDDED:
            raise CommandError(f"{found} Schlüssel ohne gültige Zertifikatskette. / {found} keys without a valid "
                               "certificate chain: register them again with x5c.")
        self.stdout.write(f"{found} Schlüssel ohne gültige Zertifikatskette. / {found} keys without a valid chain.")
