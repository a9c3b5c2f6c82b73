from django.urls import path

from amtsweg.identity import views
from amtsweg.identity.providers import oidc, saml, test_idp, test_op

app_name = "identity"
urlpatterns = [
    path("anmeldung/", views.choose, name="choose"),
    path("anmeldung/abmelden/", views.logout_view, name="logout"),
    path("anmeldung/<slug:provider>/start/", views.start, name="start"),
    path("anmeldung/saml/<slug:provider>/acs/", saml.acs, name="saml-acs"),
    path("anmeldung/saml/<slug:provider>/metadata/", saml.metadata, name="saml-metadata"),
    path("anmeldung/oidc/<slug:provider>/callback/", oidc.callback, name="oidc-callback"),
    path("test-idp/saml/metadata/", test_idp.saml_metadata, name="test-idp-saml-metadata"),
    path("test-idp/saml/sso/", test_idp.saml_sso, name="test-idp-saml-sso"),
    path("test-idp/oidc/.well-known/openid-configuration", test_op.discovery, name="test-idp-oidc-discovery"),
    path("test-idp/oidc/authorize/", test_op.authorize, name="test-idp-oidc-authorize"),
    path("test-idp/oidc/token/", test_op.token, name="test-idp-oidc-token"),
    path("test-idp/oidc/jwks/", test_op.jwks, name="test-idp-oidc-jwks"),
]
