from django.urls import path

from amtsweg.delivery import views

app_name = "delivery"
urlpatterns = [
    path("verwaltung/zustellung/", views.message_list, name="list"),
    path("verwaltung/zustellung/<int:pk>/erneut-senden/", views.resend, name="resend"),
]
