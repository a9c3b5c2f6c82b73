import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "amtsweg.settings")
application = get_wsgi_application()

# WSGI servers (gunicorn) do not run Django's system checks: without this a production start that lacks
# its secrets would come up and fail on the first request (or, before, generate secrets per host).
from amtsweg.core.checks import fail_on_errors  # noqa: E402 - needs the apps loaded above

fail_on_errors()
