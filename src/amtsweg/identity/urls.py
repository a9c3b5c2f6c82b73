from django.urls import path

from amtsweg.identity import views

app_name = "identity"
urlpatterns = [
    path("anmeldung/", views.choose, name="choose"),
    path("anmeldung/abmelden/", views.logout_view, name="logout"),
    path("anmeldung/<slug:provider>/start/", views.start, name="start"),
]
