from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

urlpatterns = [
    path("", include("amtsweg.core.urls")),
    path("", include("amtsweg.catalogue.urls")),
    path("", include("amtsweg.accounts.urls")),
    path("", include("amtsweg.routing.urls")),
    path("", include("amtsweg.assistants.urls")),
    path("", include("amtsweg.identity.urls")),
    path("", include("amtsweg.payments.urls")),
    path("", include("amtsweg.submissions.urls")),
    path("", include("amtsweg.delivery.urls")),
    path("", include("amtsweg.casework.urls")),
    path("", include("amtsweg.shop.urls")),
    path("", include("amtsweg.postfach.urls")),
    path("", include("amtsweg.maturity.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("django-admin/", admin.site.urls),
]

# API paths answer application/problem+json, pages the German error pages (amtsweg.core.problems).
handler400 = "amtsweg.core.problems.bad_request"
handler403 = "amtsweg.core.problems.permission_denied"
handler404 = "amtsweg.core.problems.page_not_found"
handler500 = "amtsweg.core.problems.server_error"
