from django.urls import path

from . import staff_views, views

app_name = "assistants"
STAFF = "verwaltung/formulare/"
V = "<slug:slug>/v<int:number>/"

urlpatterns = [
    path("antrag/", views.form_list, name="list"),
    path("antrag/fortsetzen/<str:token>/", views.resume, name="resume"),
    path("antrag/eingang/<uuid:receipt_id>/", views.receipt, name="receipt"),
    path("antrag/eingang/<uuid:receipt_id>/eingangsbestaetigung.pdf", views.receipt_download, name="receipt_pdf"),
    path("antrag/<slug:slug>/", views.start, name="start"),
    path("antrag/<slug:slug>/<uuid:draft_id>/ort/", views.place, name="place"),
    path("antrag/<slug:slug>/<uuid:draft_id>/schritt/<str:step_id>/", views.step, name="step"),
    path("antrag/<slug:slug>/<uuid:draft_id>/pruefen/", views.summary, name="summary"),
    path("antrag/<slug:slug>/<uuid:draft_id>/gespeichert/", views.saved, name="saved"),
    path("antrag/<slug:slug>/<uuid:draft_id>/zahlung/", views.payment_return, name="payment_return"),
    path(STAFF + "", staff_views.form_list, name="staff_list"),
    path(STAFF + "import/", staff_views.import_json, name="staff_import"),
    path(STAFF + "fim-import/", staff_views.import_fim, name="staff_fim"),
    path(STAFF + "<slug:slug>/", staff_views.form_detail, name="staff_detail"),
    path(STAFF + "<slug:slug>/neue-version/", staff_views.version_new, name="staff_new_version"),
    path(STAFF + V + "bearbeiten/", staff_views.version_edit, name="staff_edit"),
    path(STAFF + V + "veroeffentlichen/", staff_views.version_publish, name="staff_publish"),
    path(STAFF + V + "export.json", staff_views.version_export, name="staff_export"),
    path(STAFF + V + "vorschau/", staff_views.preview, name="staff_preview"),
    path(STAFF + V + "vorschau/<str:step_id>/", staff_views.preview, name="staff_preview_step"),
]
