"""Two simultaneous submits of one draft (double return from the pay page): exactly one hand-over.

Row locks need a real server database; SQLite serialises writers anyway (IMMEDIATE transactions), so this
test runs on PostgreSQL only.
"""

import threading

import pytest
from django.db import connection, connections

from amtsweg.assistants import services
from amtsweg.assistants.models import Draft, Receipt

from .flows import complete_until_summary

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are tested on PostgreSQL")
def test_simultaneous_submits_hand_over_once(client, published, postcode, test_intake):
    complete_until_summary(client)
    draft_id = Draft.objects.get().id
    barrier = threading.Barrier(4)
    results, errors = [], []

    def submit():
        try:
            barrier.wait()
            results.append(services.submit_draft(draft_id).pk)
        except Exception as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert len(set(results)) == 1 and len(test_intake) == 1
    assert Receipt.objects.count() == 1 and not Draft.objects.exists()
