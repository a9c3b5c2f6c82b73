from django.urls import path

from . import staff_views, views

app_name = "accounts"

urlpatterns = [
    # Login and the own account
    path("konto/anmelden/", views.login_view, name="login"),
    path("konto/anmelden/code/", views.totp_view, name="totp"),
    path("konto/anmelden/einrichten/", views.totp_enrol_view, name="totp_enrol"),
    path("konto/abmelden/", views.LogoutView.as_view(), name="logout"),
    path("konto/passwort-setzen/<uidb64>/<token>/", views.PasswordSetView.as_view(), name="password_set"),
    path("konto/profil/", views.profile_view, name="profile"),
    path("konto/profil/passwort/", views.PasswordChangeView.as_view(), name="password_change"),
    # Staff area
    path("verwaltung/", staff_views.home_view, name="home"),
    path("verwaltung/behoerde/", staff_views.own_authority_view, name="own_authority"),
    path("verwaltung/behoerde/alle/", staff_views.authority_list_view, name="authority_list"),
    path("verwaltung/behoerde/neu/", staff_views.authority_create_view, name="authority_create"),
    path("verwaltung/behoerde/<int:pk>/", staff_views.authority_detail_view, name="authority_detail"),
    path("verwaltung/behoerde/<int:pk>/bearbeiten/", staff_views.authority_edit_view, name="authority_edit"),
    path("verwaltung/konten/", staff_views.account_list_view, name="account_list"),
    path("verwaltung/konten/neu/", staff_views.account_create_view, name="account_create"),
    path("verwaltung/konten/<int:pk>/", staff_views.account_detail_view, name="account_detail"),
    path("verwaltung/konten/<int:pk>/deaktivieren/", staff_views.account_deactivate_view, name="account_deactivate"),
    path("verwaltung/konten/<int:pk>/aktivieren/", staff_views.account_activate_view, name="account_activate"),
    path("verwaltung/konten/<int:pk>/zweiter-faktor-zuruecksetzen/", staff_views.account_reset_totp_view,
         name="account_reset_totp"),
    path("verwaltung/protokoll/", staff_views.audit_log_view, name="audit_log"),
]
