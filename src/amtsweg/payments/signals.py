from django.dispatch import Signal

# Sent exactly once per status change, inside the transaction that holds the row lock
# (kwargs: transaction, from_status, to_status, source). Receivers may submit an application on "paid":
# the lock guarantees that a double callback or a reloaded return page never sends it twice.
payment_status_changed = Signal()
