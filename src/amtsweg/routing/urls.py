from django.urls import path

from amtsweg.routing import views
from amtsweg.routing.api import areas, routes, staff, technical

app_name = "routing"

urlpatterns = [
    # FIT-Connect-compatible routing API (first: the hot path resolves fastest)
    path("routing-api/v2/routes", routes.RoutesView.as_view(), name="api_routes"),
    path("routing-api/v2/areas", areas.AreasView.as_view(), name="api_areas"),
    path("routing-api/v2/info", technical.InfoView.as_view(), name="api_info"),
    path("routing-api/v2/.well-known/jwks.json", technical.JWKSView.as_view(), name="api_jwks"),
    # Citizens
    path("zustaendigkeit/", views.who_is_responsible, name="who_is_responsible"),
    # Staff
    path("verwaltung/zustellpunkte/", views.destination_list, name="destinations"),
    path("verwaltung/zustellpunkte/neu/", views.destination_create, name="destination_create"),
    path("verwaltung/zustellpunkte/sammelimport/", views.destination_bulk_load, name="destination_bulk_load"),
    path("verwaltung/zustellpunkte/api/", staff.DestinationListAPI.as_view(), name="staff_api_destinations"),
    path("verwaltung/zustellpunkte/api/<uuid:pk>/", staff.DestinationDetailAPI.as_view(),
         name="staff_api_destination"),
    path("verwaltung/zustellpunkte/<uuid:pk>/", views.destination_detail, name="destination_detail"),
    path("verwaltung/zustellpunkte/<uuid:pk>/bearbeiten/", views.destination_edit, name="destination_edit"),
    path("verwaltung/zustellpunkte/<uuid:pk>/schluessel/", views.destination_key_add, name="destination_key_add"),
    path("verwaltung/zustellpunkte/<uuid:pk>/schluessel/<int:key_id>/frist-beenden/",
         views.destination_key_end_grace, name="destination_key_end_grace"),
    path("verwaltung/zustellpunkte/<uuid:pk>/geheimnis/", views.destination_secret, name="destination_secret"),
    path("verwaltung/zustaendigkeiten/", views.responsibility_list, name="responsibilities"),
    path("verwaltung/zustaendigkeiten/neu/", views.responsibility_create, name="responsibility_create"),
    path("verwaltung/zustaendigkeiten/import/", views.responsibility_import, name="responsibility_import"),
    path("verwaltung/zustaendigkeiten/import/vorlage.csv", views.responsibility_template,
         name="responsibility_template"),
    path("verwaltung/zustaendigkeiten/pruefen/", views.responsibility_check, name="responsibility_check"),
    path("verwaltung/zustaendigkeiten/<int:pk>/loeschen/", views.responsibility_delete, name="responsibility_delete"),
]
