from django.urls import path

from amtsweg.submissions import api, staff_views, views

app_name = "submissions"
urlpatterns = [
    # FIT-Connect Submission API 1.1.x (see amtsweg.submissions.api)
    path("token", api.TokenView.as_view(), name="token"),
    path(".well-known/jwks.json", api.JWKSView.as_view(), name="jwks"),
    path("v1/info", api.InfoView.as_view(), name="api-info"),
    path("v1/destinations/<str:destination_id>", api.DestinationView.as_view(), name="api-destination"),
    path("v1/destinations/<str:destination_id>/keys/<str:key_id>", api.DestinationKeyView.as_view(),
         name="api-destination-key"),
    path("v1/submissions", api.SubmissionsView.as_view(), name="api-submissions"),
    path("v1/submissions/<str:submission_id>", api.SubmissionView.as_view(), name="api-submission"),
    path("v1/submissions/<str:submission_id>/attachments/<str:attachment_id>", api.AttachmentView.as_view(),
         name="api-attachment"),
    path("v1/cases/<str:case_id>/events", api.CaseEventsView.as_view(), name="api-case-events"),
    # Staff: API clients
    path("verwaltung/api-clients/", staff_views.client_list, name="api_clients"),
    path("verwaltung/api-clients/neu/<str:kind>/", staff_views.client_create, name="api_client_create"),
    path("verwaltung/api-clients/<int:pk>/angelegt/", staff_views.client_created, name="api_client_created"),
    path("verwaltung/api-clients/<int:pk>/sperren/", staff_views.client_revoke, name="api_client_revoke"),
    # Applicant's status page (signed link)
    path("status/<str:reference>/", views.status_help, name="status_help"),
    path("status/<str:reference>/<str:sig>/", views.status_page, name="status"),
]
