from django.urls import path

from amtsweg.submissions import views

app_name = "submissions"
urlpatterns = [
    path("status/<str:reference>/<str:sig>/", views.status_page, name="status"),
]
