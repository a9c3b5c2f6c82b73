from django.urls import path

from . import api, views

app_name = "maturity"

urlpatterns = [
    path("verwaltung/reifegrad/", views.kommune, name="kommune"),
    path("verwaltung/reifegrad/leistung/<int:service_id>/", views.service_detail, name="service"),
    path("verwaltung/reifegrad/erklaeren/", views.declare, name="declare"),
    path("verwaltung/reifegrad/erklaert/<int:pk>/zurueckziehen/", views.withdraw, name="withdraw"),
    path("land/reifegrad/", views.land, name="land"),
    path("land/reifegrad/export.csv", views.land_csv, name="land_csv"),
    path("land/reifegrad/export.json", views.land_json, name="land_json"),
    path("reifegrad/", views.public_index, name="public_index"),
    path("reifegrad/<str:land_code>/", views.public_land, name="public_land"),
    path("api/maturity/v1/lands", api.LandListView.as_view(), name="api_lands"),
    path("api/maturity/v1/lands/<str:land_code>", api.LandMaturityView.as_view(), name="api_land"),
    path("api/maturity/v1/lands/<str:land_code>/areas.csv", api.LandMaturityCSVView.as_view(), name="api_land_csv"),
]
