from django.urls import path

from amtsweg.postfach import views

app_name = "postfach"
urlpatterns = [
    path("postfach/", views.index, name="index"),
    path("postfach/<str:reference>/<str:sig>/nachrichten/<uuid:message_id>/", views.message, name="message"),
    path("postfach/<str:reference>/<str:sig>/anlagen/<uuid:attachment_id>/", views.attachment, name="attachment"),
    path("postfach/<str:reference>/<str:sig>/bescheide/<uuid:notice_id>/bescheid.pdf", views.notice, name="notice"),
    path("postfach/<str:reference>/<str:sig>/bescheide/<uuid:notice_id>/signatur.json", views.notice_signature,
         name="notice_signature"),
    path("postfach/<str:reference>/<str:sig>/auskunft.zip", views.data_export, name="data_export"),
    # case workers: the correspondence of a case (Amtsweg-Sachbearbeitung)
    path("verwaltung/postfach/<uuid:case_id>/", views.case_messages, name="case_messages"),
    path("verwaltung/postfach/<uuid:case_id>/anlagen/<uuid:attachment_id>/", views.case_attachment,
         name="case_attachment"),
    path("verwaltung/postfach/<uuid:case_id>/bescheid/", views.case_notice, name="case_notice"),
    path("verwaltung/postfach/<uuid:case_id>/bescheid/<uuid:notice_id>.pdf", views.case_notice_document,
         name="case_notice_document"),
    path("verwaltung/bescheidvorlagen/", views.templates, name="templates"),
    path("verwaltung/bescheidvorlagen/<int:pk>/", views.template_edit, name="template_edit"),
]
