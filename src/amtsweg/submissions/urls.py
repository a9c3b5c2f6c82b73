from django.urls import path

from amtsweg.submissions import staff_views, views
from amtsweg.submissions.api import tokens as api_tokens
from amtsweg.submissions.api import views as api_views

app_name = "submissions"
urlpatterns = [
    # FIT-Connect Submission API 1.1.x (see the package amtsweg.submissions.api)
    path("token", api_tokens.TokenView.as_view(), name="token"),
    path(".well-known/jwks.json", api_views.JWKSView.as_view(), name="jwks"),
    path("v1/info", api_views.InfoView.as_view(), name="api-info"),
    path("v1/destinations/<str:destination_id>", api_views.DestinationView.as_view(), name="api-destination"),
    path("v1/destinations/<str:destination_id>/keys/<str:key_id>", api_views.DestinationKeyView.as_view(),
         name="api-destination-key"),
    path("v1/submissions", api_views.SubmissionsView.as_view(), name="api-submissions"),
    path("v1/submissions/<str:submission_id>", api_views.SubmissionView.as_view(), name="api-submission"),
    path("v1/submissions/<str:submission_id>/attachments/<str:attachment_id>", api_views.AttachmentView.as_view(),
         name="api-attachment"),
    path("v1/cases/<str:case_id>/events", api_views.CaseEventsView.as_view(), name="api-case-events"),
    # Staff: API clients
    path("verwaltung/api-clients/", staff_views.client_list, name="api_clients"),
    path("verwaltung/api-clients/neu/<str:kind>/", staff_views.client_create, name="api_client_create"),
    path("verwaltung/api-clients/<int:pk>/angelegt/", staff_views.client_created, name="api_client_created"),
    path("verwaltung/api-clients/<int:pk>/sperren/", staff_views.client_revoke, name="api_client_revoke"),
    # Applicant's status page (signed link)
    path("status/<str:reference>/", views.status_help, name="status_help"),
    path("status/<str:reference>/<str:sig>/", views.status_page, name="status"),
]
