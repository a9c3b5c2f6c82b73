from django.urls import path
from django.views.generic import TemplateView

from . import legal, metrics, views

app_name = "core"

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("metrics", metrics.metrics_view, name="metrics"),
    path("quellen/", TemplateView.as_view(template_name="core/sources.html"), name="sources"),
    path("impressum/", legal.legal_page, {"kind": "impressum"}, name="imprint"),
    path("datenschutz/", legal.legal_page, {"kind": "datenschutz"}, name="privacy"),
    path("barrierefreiheit/", legal.legal_page, {"kind": "barrierefreiheit"}, name="accessibility"),
]
