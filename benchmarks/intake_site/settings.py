"""The platform's settings, unchanged but for the URLconf (`intake_site.urls`) and the local host name."""

from amtsweg.settings import *  # noqa: F403

ROOT_URLCONF = "intake_site.urls"
ALLOWED_HOSTS = ["127.0.0.1", "testserver"]
