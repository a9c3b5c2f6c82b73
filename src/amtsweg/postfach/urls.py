from django.urls import path

from amtsweg.postfach import views

app_name = "postfach"
urlpatterns = [
    path("postfach/", views.index, name="index"),
    path("postfach/<str:reference>/<str:sig>/nachrichten/<uuid:message_id>/", views.message, name="message"),
    path("postfach/<str:reference>/<str:sig>/anlagen/<uuid:attachment_id>/", views.attachment, name="attachment"),
    # case workers: the correspondence of a case (Amtsweg-Sachbearbeitung)
    path("verwaltung/postfach/<uuid:case_id>/", views.case_messages, name="case_messages"),
    path("verwaltung/postfach/<uuid:case_id>/anlagen/<uuid:attachment_id>/", views.case_attachment,
         name="case_attachment"),
]
