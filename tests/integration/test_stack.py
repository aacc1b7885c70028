"""test_stack.py: the local stack really answers through nginx, a spawn-fcgi worker, Postgres and Redis."""
import os
import subprocess

import pytest
import requests


@pytest.mark.smoke
def test_home_page_comes_from_a_worker_through_nginx(site_url):
    r = requests.get(site_url + "/")
    assert r.status_code == 200
    assert r.headers["Server"] == "nginx"
    assert r.headers["Content-Type"].startswith("text/html")
    assert "Trending movies" in r.text


@pytest.mark.smoke
def test_health_reports_the_database(site_url):
    r = requests.get(site_url + "/healthz")
    assert r.status_code == 200
    assert r.json()["database"] == "ok"


def test_origin_health_check_api(site_url):
    r = requests.get(site_url + "/api/v1/health-check/")
    assert r.status_code == 200
    assert r.json() == {"status": "ok", "message": "Welcome to the Movie Recommender API!"}


def test_workers_run_unprivileged_under_a_master():
    state = os.environ["STATE_DIR"]
    master = open(os.path.join(state, "run", "fcgi.pid")).read().strip()
    out = subprocess.run(["ps", "-o", "pid=,user=", "--ppid", master], capture_output=True, text=True).stdout
    rows = [line.split() for line in out.strip().splitlines()]
    # The workers and the mailer (fcgi/mailer.c), all unprivileged.
    assert len(rows) == int(os.environ.get("WORKERS", "4")) + 1
    if os.geteuid() == 0:
        assert all(user != "root" for _, user in rows)


def test_stack_env_has_the_documented_keys():
    keys = dict(line.split("=", 1) for line in open(os.path.join(os.environ["STATE_DIR"], "stack.env")).read().splitlines())
    for k in ("SITE_URL", "DATABASE_URL", "REDIS_URL", "TMDB_BASE_URL", "SECRET_KEY"):
        assert keys[k]
    assert keys["DATABASE_URL"].startswith("postgresql://")


def test_sample_data_is_loaded(db):
    with db.cursor() as cur:
        cur.execute("SELECT id, email, date_joined AT TIME ZONE 'UTC' FROM auth_user WHERE username = 'moviebuff'")
        uid, email, joined = cur.fetchone()
        assert email == "user@example.com"
        assert joined.isoformat() == "2023-07-25T14:30:00"
        cur.execute("SELECT movie_id, to_char(created_at AT TIME ZONE 'UTC', 'HH24:MI') FROM users_favoritemovie "
                    "WHERE user_id = %s ORDER BY created_at", (uid,))
        assert cur.fetchall() == [(550, "14:35"), (680, "14:40")]


def test_unknown_path_is_404_page(site_url):
    r = requests.get(site_url + "/no/such/page")
    assert r.status_code == 404
    assert "There is no page at this address." in r.text


def test_wrong_method_is_405_with_allow(site_url):
    r = requests.delete(site_url + "/")
    assert r.status_code == 405
    assert r.headers["Allow"] == "GET, HEAD"


def test_head_has_no_body(site_url):
    r = requests.head(site_url + "/")
    assert r.status_code == 200
    assert r.content == b""


def test_etag_gives_304(site_url):
    r = requests.get(site_url + "/api/v1/health-check/")
    etag = r.headers["ETag"]
    r2 = requests.get(site_url + "/api/v1/health-check/", headers={"If-None-Match": etag})
    assert r2.status_code == 304
    assert r2.content == b""


def test_check_config_redacts_secrets():
    build = os.environ["BUILD_DIR"]
    env = dict(os.environ)
    out = subprocess.run([os.path.join(build, "movies-fcgi"), "--check-config"], env=env,
                         capture_output=True, text=True)
    assert out.returncode == 0
    assert os.environ["SECRET_KEY"] not in out.stdout
    password = os.environ["DATABASE_URL"].split("//", 1)[1].split("@")[0].split(":")[1]
    assert password not in out.stdout
    assert "SECRET_KEY=<redacted>" in out.stdout


def test_bad_config_names_the_variable():
    build = os.environ["BUILD_DIR"]
    env = {"PATH": os.environ["PATH"], "DATABASE_URL": os.environ["DATABASE_URL"], "WORKERS": "lots"}
    out = subprocess.run([os.path.join(build, "movies-fcgi"), "--check-config"], env=env,
                         capture_output=True, text=True)
    assert out.returncode == 1
    assert "SECRET_KEY is required" in out.stderr
    assert "WORKERS" in out.stderr
