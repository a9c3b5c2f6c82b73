from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "amtsweg.payments"

    def ready(self) -> None:
        import amtsweg.payments.providers  # noqa: F401  (registers the provider plugins)
