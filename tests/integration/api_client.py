"""api_client.py: the tests' JSON API client: a Bearer token when given one, answers checked against the OpenAPI document when given the validating proxy."""
import uuid

import requests

from support import SourceAddressAdapter

API = "/api/v1"


def unique(prefix="api"):
    return f"{prefix}_{uuid.uuid4().hex[:10]}"


class Client:
    """A JSON API client: no cookies kept, a Bearer token when given one.

    With a proxy (openapi_proxy.py), every answer is checked against the OpenAPI document;
    a raw body (data=, the malformed-input cases) goes to the site directly, since Prism
    cannot forward what it cannot parse.
    """

    def __init__(self, base, address=None, proxy=None):
        self.base = base
        self.proxy = proxy
        self.s = requests.Session()
        self.s.headers["User-Agent"] = "integration-tests (api)"
        if address:
            self.s.mount("http://", SourceAddressAdapter(address))

    def call(self, method, path, body=None, token=None, headers=None, **kw):
        h = dict(headers or {})
        if token:
            h["Authorization"] = f"Bearer {token}"
        kw.setdefault("timeout", 30)
        kw.setdefault("allow_redirects", False)
        base, hooks = self.base, {}
        if self.proxy is not None and "data" not in kw:
            base, hooks = self.proxy.url, {"response": self.proxy.check}
        r = self.s.request(method, base + API + path, json=body, headers=h, hooks=hooks, **kw)
        self.s.cookies.clear()
        return r

    def register(self, username=None, password=None, email=None):
        username = username or unique()
        password = password or "Pw-" + uuid.uuid4().hex
        email = email or f"{uuid.uuid4().hex[:8]}@example.com"
        r = self.call("POST", "/auth/register/", {"username": username, "password": password,
                                                  "password2": password, "email": email})
        assert r.status_code == 201, (r.status_code, r.text)
        return r.json()["user"], password

    def login(self, username, password):
        r = self.call("POST", "/auth/login/", {"username": username, "password": password})
        assert r.status_code == 200, (r.status_code, r.text)
        return r.json()
