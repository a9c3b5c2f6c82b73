"""A citizen's browser without JavaScript for the login tests, over real HTTP (see the `browser_http` fixture)."""

import re
from urllib.parse import parse_qs, urlsplit

import httpx
from django.conf import settings as django_settings
from django.contrib.sessions.backends.db import SessionStore


def form_fields(html: str) -> dict[str, str]:
    """Hidden and named inputs of the (first) form on a page."""
    return {m[0]: m[1] for m in re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', html)}


def form_action(html: str) -> str:
    return re.search(r'<form[^>]*method="post"[^>]*action="([^"]+)"', html).group(1).replace("&amp;", "&")


class Browser:
    """A citizen's browser without JavaScript, over real HTTP: cookies, redirects by hand, CSRF tokens."""

    def __init__(self, base: str):
        self.base = base
        self.http = httpx.Client(base_url=base, follow_redirects=False, timeout=30)

    def absolute(self, url: str) -> str:
        return url if url.startswith("http") else self.base + url

    def get(self, url: str, **kw) -> httpx.Response:
        return self.http.get(self.absolute(url), **kw)

    def post(self, url: str, data: dict, **kw) -> httpx.Response:
        return self.http.post(self.absolute(url), data=data, headers={"Referer": self.absolute(url)}, **kw)

    def csrf(self, html: str) -> str:
        return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)

    def start_login(self, provider: str, next_url: str = "/ziel/", level: str | None = None) -> httpx.Response:
        chooser = self.get("/anmeldung/", params={"next": next_url, **({"stufe": level} if level else {})})
        assert chooser.status_code == 200
        data = {"csrfmiddlewaretoken": self.csrf(chooser.text), "next": next_url}
        if level:
            data["stufe"] = level
        answer = self.post(f"/anmeldung/{provider}/start/", data)
        assert answer.status_code == 302, answer.text
        return answer

    def saml_idp_answer(self, idp_url: str, person: str = "erika", level: str = "substantiell") -> dict:
        """Log in at the test IdP; returns the auto-post form's fields and action (the SAML response)."""
        page = self.get(idp_url)
        assert page.status_code == 200, page.text
        fields = form_fields(page.text)
        answer = self.post(form_action(page.text), {"csrfmiddlewaretoken": fields["csrfmiddlewaretoken"],
                                                    "token": fields["token"], "person": person, "level": level})
        assert answer.status_code == 200, answer.text
        return {"action": form_action(answer.text), **form_fields(answer.text)}

    def saml_login(self, person="erika", level="substantiell", required=None, next_url="/ziel/") -> httpx.Response:
        idp_url = self.start_login("test-saml", next_url, required).headers["location"]
        post = self.saml_idp_answer(idp_url, person, level)
        return self.post(post["action"], {"SAMLResponse": post["SAMLResponse"], "RelayState": post["RelayState"]})

    def oidc_authorize_url(self, next_url="/ziel/", required=None) -> str:
        return self.start_login("test-oidc", next_url, required).headers["location"]

    def oidc_op_answer(self, authorize_url: str, person="erika", level="substantiell") -> httpx.Response:
        page = self.get(authorize_url)
        assert page.status_code == 200, page.text
        return self.post(form_action(page.text), {"csrfmiddlewaretoken": self.csrf(page.text), "person": person,
                                                  "level": level, "anmelden": "1"})

    def session(self) -> dict:
        key = self.http.cookies.get(django_settings.SESSION_COOKIE_NAME)
        return dict(SessionStore(session_key=key).load()) if key else {}


def query(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
