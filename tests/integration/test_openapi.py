"""test_openapi.py: the OpenAPI document at /api/schema/ (valid, exactly the route table's /api/v1), Swagger UI and ReDoc in Chromium."""
import copy
import json
import os
import pathlib
import re
import shutil
import subprocess

import pytest
import requests

from support import npm_ci

ROOT = pathlib.Path(__file__).resolve().parents[2]
BROWSER_DIR = ROOT / "tests" / "browser"
APIDOCS_DIR = ROOT / "fcgi" / "apidocs"
CHROMIUM = "/usr/bin/chromium"
FLAGS = {"M_GET": "GET", "M_POST": "POST", "M_DELETE": "DELETE", "M_PUT": "PUT", "M_PATCH": "PATCH"}


def node_env():
    return dict(os.environ, PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD="1")


@pytest.fixture(scope="module")
def doc(site):
    r = requests.get(site + "/api/schema/", timeout=30)
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("application/json")
    return r.json()


def validate(document, tmp_path, name):
    npm_ci(BROWSER_DIR, "@apidevtools/swagger-parser")
    path = tmp_path / name
    path.write_text(json.dumps(document))
    return subprocess.run(["node", "validate-openapi.mjs", str(path)], cwd=BROWSER_DIR, env=node_env(),
                          capture_output=True, text=True, timeout=120)


def api_routes():
    """(METHOD, path with {} for parameters) of every /api/v1 route in fcgi/routes.c."""
    table = (ROOT / "fcgi" / "routes.c").read_text()
    out = set()
    for methods, path in re.findall(r'\{\s*([A-Z_| ]+),\s*"(/api/v1/[^"]*)"', table):
        for flag in methods.split("|"):
            out.add((FLAGS[flag.strip()], re.sub(r"\{[^}]*\}", "{}", path)))
    assert len(out) >= 10, out
    return out


def documented(document):
    out = set()
    for path, item in document["paths"].items():
        for method in item:
            if method in ("get", "post", "put", "patch", "delete", "options", "head", "trace"):
                out.add((method.upper(), re.sub(r"\{[^}]*\}", "{}", path)))
    return out


def test_document_is_valid_openapi(doc, tmp_path):
    assert doc["openapi"].startswith("3.")
    r = validate(doc, tmp_path, "openapi.json")
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout.startswith("valid: Movie Night API")
    # The validator really validates: a broken copy is refused.
    broken = copy.deepcopy(doc)
    del broken["paths"]["/api/v1/auth/login/"]["post"]["responses"]
    r = validate(broken, tmp_path, "broken.json")
    assert r.returncode == 1, r.stdout
    broken = copy.deepcopy(doc)
    broken["components"]["securitySchemes"]["Bearer"]["type"] = "jwt"      # not an OpenAPI scheme type
    assert validate(broken, tmp_path, "broken2.json").returncode == 1


def test_every_route_documented_and_nothing_more(doc):
    assert documented(doc) == api_routes()
    for path in doc["paths"]:
        assert path.startswith("/api/v1/") and path.endswith("/"), path


def test_every_operation_has_answers_bodies_and_security(doc):
    assert doc["components"]["securitySchemes"]["Bearer"] == {
        "type": "http", "scheme": "bearer", "bearerFormat": "JWT",
        "description": doc["components"]["securitySchemes"]["Bearer"]["description"]}
    for path, item in doc["paths"].items():
        for method, op in item.items():
            assert op["responses"], (method, path)
            assert "security" in op, (method, path)
            if method == "post":
                # DRF's three parsers, one schema.
                assert set(op["requestBody"]["content"]) == {
                    "application/json", "application/x-www-form-urlencoded", "multipart/form-data"}, path
            for status, answer in op["responses"].items():
                assert answer["description"], (method, path, status)
                if status != "204":
                    assert "application/json" in answer["content"], (method, path, status)


def test_security_matches_what_the_server_does(doc, site):
    """An operation documented with the bearer scheme answers 401 without a token; the others do not."""
    for path, item in doc["paths"].items():
        url = site + path.replace("{movie_id}", "550")
        for method, op in item.items():
            r = requests.request(method.upper(), url, json={}, params={"query": "x"}, timeout=30,
                                 allow_redirects=False)
            wants_token = op["security"] == [{"Bearer": []}]
            assert (r.status_code == 401) == wants_token, (method, path, r.status_code)
            assert str(r.status_code) in op["responses"], (method, path, r.status_code)


def test_docs_pages_and_assets_are_served_locally(site):
    npm_ci(APIDOCS_DIR, "swagger-ui-dist")
    for path, location in (("/api/docs", "/api/docs/"), ("/api/redoc", "/api/redoc/"), ("/api/schema", "/api/schema/")):
        r = requests.get(site + path, allow_redirects=False, timeout=30)
        assert r.status_code == 301 and r.headers["Location"].endswith(location), path
    for path, ctype in (("/api/docs/", "text/html"), ("/api/redoc/", "text/html"),
                        ("/api/docs/swagger-init.js", "application/javascript"),
                        ("/api/redoc/redoc-init.js", "application/javascript"),
                        ("/api/docs/assets/swagger-ui-bundle.js", "application/javascript"),
                        ("/api/docs/assets/swagger-ui.css", "text/css"),
                        ("/api/redoc/assets/redoc.standalone.js", "application/javascript")):
        r = requests.get(site + path, timeout=30)
        assert r.status_code == 200 and r.headers["Content-Type"].startswith(ctype), (path, r.status_code)
        assert "cdn" not in r.text[:2000].lower() or path.endswith(".js"), path
    page = requests.get(site + "/api/docs/", timeout=30)
    assert "default-src 'self'" in page.headers["Content-Security-Policy"]
    # Only the files the pages use: not the packages' other files.
    assert requests.get(site + "/api/docs/assets/package.json", timeout=30).status_code == 404


def test_swagger_ui_and_redoc_render(doc, site):
    if shutil.which("node") is None or not os.path.exists(CHROMIUM):
        pytest.skip("node or Debian's chromium is not installed (make deps)")
    npm_ci(BROWSER_DIR, "playwright-core")
    npm_ci(APIDOCS_DIR, "swagger-ui-dist")
    output = pathlib.Path(os.environ.get("TEST_OUTPUT") or ROOT / "tests" / "output")
    shots = output / "screenshots"
    env = dict(node_env(), SITE_URL=site, OPERATIONS=str(len(documented(doc))), SCREENSHOT_DIR=str(shots))
    run = subprocess.run(["node", "apidocs.mjs"], cwd=BROWSER_DIR, env=env, capture_output=True, text=True,
                         timeout=180)
    print(run.stdout)
    assert run.returncode == 0, f"the docs did not render:\n{run.stdout}\n{run.stderr}"
    for name in ("swagger-ui", "redoc"):
        shot = shots / f"{name}.png"
        assert shot.is_file() and shot.stat().st_size > 20000, shot
