from django.urls import path

from amtsweg.casework import admin_views, views

app_name = "casework"
urlpatterns = [
    path("verwaltung/sachbearbeitung/", views.inbox_view, name="inbox"),
    path("verwaltung/sachbearbeitung/zuweisen/", views.bulk_assign, name="bulk_assign"),
    path("verwaltung/sachbearbeitung/fristen/", views.deadlines_view, name="deadlines"),
    path("verwaltung/sachbearbeitung/vorgang/<uuid:pk>/", views.case_view, name="case"),
    path("verwaltung/sachbearbeitung/vorgang/<uuid:pk>/status/", views.case_state, name="case_state"),
    path("verwaltung/sachbearbeitung/vorgang/<uuid:pk>/zuweisen/", views.case_assign, name="case_assign"),
    path("verwaltung/sachbearbeitung/vorgang/<uuid:pk>/weiterleiten/", views.case_forward, name="case_forward"),
    path("verwaltung/sachbearbeitung/vorgang/<uuid:pk>/notiz/", views.case_note, name="case_note"),
    path("verwaltung/sachbearbeitung/vorgang/<uuid:pk>/anlage/<uuid:attachment_id>/", views.attachment,
         name="attachment"),
    path("verwaltung/sachbearbeitung/vorgang/<uuid:pk>/auskunft.zip", views.case_data_export,
         name="case_data_export"),
    path("verwaltung/sachbearbeitung/vorgang/<uuid:pk>/e-akte.zip", views.case_archive, name="case_archive"),
    path("verwaltung/sachbearbeitung/teams/", admin_views.teams, name="teams"),
    path("verwaltung/sachbearbeitung/teams/<int:pk>/", admin_views.team, name="team"),
    path("verwaltung/sachbearbeitung/leistungen/", admin_views.services, name="services"),
    path("verwaltung/sachbearbeitung/leistungen/<str:leika_key>/", admin_views.service, name="service"),
    path("verwaltung/sachbearbeitung/empfangssystem/", views.receiving_view, name="receiving"),
    path("verwaltung/sachbearbeitung/empfangssystem/<uuid:destination>/", views.receiving_switch,
         name="receiving_switch"),
]
