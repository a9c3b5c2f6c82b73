from django.urls import path

from amtsweg.identity import views
from amtsweg.identity.providers import embedded_oidc_op, embedded_saml_idp, oidc, saml

app_name = "identity"
urlpatterns = [
    path("anmeldung/", views.choose, name="choose"),
    path("anmeldung/abmelden/", views.logout_view, name="logout"),
    path("anmeldung/<slug:provider>/start/", views.start, name="start"),
    path("anmeldung/saml/<slug:provider>/acs/", saml.acs, name="saml-acs"),
    path("anmeldung/saml/<slug:provider>/metadata/", saml.metadata, name="saml-metadata"),
    path("anmeldung/oidc/<slug:provider>/callback/", oidc.callback, name="oidc-callback"),
    path("test-idp/saml/metadata/", embedded_saml_idp.saml_metadata, name="test-idp-saml-metadata"),
    path("test-idp/saml/sso/", embedded_saml_idp.saml_sso, name="test-idp-saml-sso"),
    path("test-idp/oidc/.well-known/openid-configuration", embedded_oidc_op.discovery, name="test-idp-oidc-discovery"),
    path("test-idp/oidc/authorize/", embedded_oidc_op.authorize, name="test-idp-oidc-authorize"),
    path("test-idp/oidc/token/", embedded_oidc_op.token, name="test-idp-oidc-token"),
    path("test-idp/oidc/jwks/", embedded_oidc_op.jwks, name="test-idp-oidc-jwks"),
]
