"""Payment provider plugins; importing this package registers them."""

from amtsweg.payments.providers import testbezahldienst  # noqa: F401
