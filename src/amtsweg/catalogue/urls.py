from django.urls import path, re_path

from . import views

app_name = "catalogue"

urlpatterns = [
    path("", views.home, name="home"),
    path("themenfelder/<int:number>/", views.topic_detail, name="topic"),
    path("lebenslagen/<int:number>/", views.life_situation_detail, name="life_situation"),
    path("leistungen/", views.service_search, name="search"),
    path("leistungen/<int:ozg_id>/", views.service_detail, name="service"),
    path("orte/", views.places, name="places"),
    re_path(r"^orte/(?P<ars>[0-9]{12})/$", views.municipality_detail, name="municipality"),
]
