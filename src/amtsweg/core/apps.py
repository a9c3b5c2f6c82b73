from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "amtsweg.core"
    verbose_name = "Amtsweg core"
