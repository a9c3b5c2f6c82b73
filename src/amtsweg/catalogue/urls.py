from django.urls import path
from django.views.generic import TemplateView

app_name = "catalogue"

urlpatterns = [
    path("", TemplateView.as_view(template_name="core/sources.html"), name="home"),
    path("orte/", TemplateView.as_view(template_name="core/sources.html"), name="places"),
]
