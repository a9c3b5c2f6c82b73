from django.urls import path

from amtsweg.postfach import views

app_name = "postfach"
urlpatterns = [
    path("postfach/", views.index, name="index"),
]
