"""test_watch_providers.py: "where to watch" on movie pages: TMDb's watch/providers for the visitor's region, cached 24 h, the region form, JustWatch's attribution."""
import html
import re
import uuid

import requests

from support import Visitor, redis_command

JUSTWATCH = '<a href="https://www.justwatch.com/" rel="noopener noreferrer">JustWatch</a>'


def watch_section(text):
    m = re.search(r'<section class="watch".*?</section>', text, re.S)
    assert m, "the movie page has no where-to-watch section"
    return html.unescape(m.group(0))


def offers(section):
    """{label: [provider names]} as the section lists them."""
    out = {}
    for label, items in re.findall(r"<h3>([^<]+)</h3>\s*<ul class=\"providers\">(.*?)</ul>", section, re.S):
        names = []
        for link in re.findall(r"<li><a [^>]*>(.*?)</a></li>", items):
            alt = re.search(r'alt="([^"]*)"', link)
            visible = re.sub(r"<[^>]+>", "", link)
            assert alt is None or alt.group(1) == visible, link   # the logo's text is the name
            names.append(visible)
        out[label] = names
    return out


def choose_region(v, region, next_url="/movie/550"):
    page = v.get("/watch-region?next=" + next_url)
    assert page.status_code == 200
    return v.post("/watch-region", {"region": region, "next": next_url}, form_page="/watch-region")


def test_movie_page_shows_the_default_regions_offers_with_attribution_and_tmdbs_link():
    r = Visitor().get("/movie/550")
    assert r.status_code == 200
    s = watch_section(r.text)
    assert "Where to watch in United States" in s
    assert offers(s) == {"Stream": ["Netflix"], "Rent": ["Apple TV", "Google Play Movies", "Amazon Video"],
                         "Buy": ["Apple TV", "Google Play Movies"]}
    # TMDb's terms: link to its watch page for the region, and credit JustWatch.
    assert 'href="https://www.themoviedb.org/movie/550/watch?locale=US"' in s
    assert JUSTWATCH in html.unescape(r.text)
    assert re.search(r'<img src="[^"]*/w92/pbpMk2JmcoNnQwx5JGpXngfoWtp\.jpg"', s)
    assert 'href="/watch-region?next=%2Fmovie%2F550"' in s


def test_providers_are_cached_for_a_day_in_redis():
    assert Visitor().get("/movie/550").status_code == 200
    ttl = redis_command("TTL", "movie_550_watch_providers")
    assert 3600 < ttl <= 86400, ttl


def test_a_visitor_picks_a_region_kept_in_their_session_only():
    v = Visitor()
    form = v.get("/watch-region?next=/movie/550")
    assert form.status_code == 200
    assert '<option value="US" selected>United States</option>' in form.text
    assert 'name="csrfmiddlewaretoken"' in form.text
    r = choose_region(v, "GB")
    assert r.status_code == 303 and r.headers["Location"] == "/movie/550"
    s = watch_section(v.get("/movie/550").text)
    assert "Where to watch in United Kingdom" in s
    assert offers(s)["Stream"] == ["Disney Plus", "Amazon Prime Video"]
    assert "locale=GB" in s
    assert '<option value="GB" selected>' in v.get("/watch-region").text
    # Another visitor still sees the site's default region.
    assert "Where to watch in United States" in watch_section(Visitor().get("/movie/550").text)


def test_a_region_where_the_movie_is_not_offered_says_so():
    v = Visitor()
    assert choose_region(v, "JP").status_code == 303
    s = watch_section(v.get("/movie/550").text)
    assert "Not available to stream, rent or buy in Japan." in s
    assert "<h3>" not in s


def test_bad_region_forms_are_refused_and_change_nothing():
    v = Visitor()
    for bad in ("XX", "gb", "", "GBR", "<b>"):
        r = choose_region(v, bad)
        assert r.status_code == 400, (bad, r.status_code)
        assert "Choose a country from the list." in r.text
    assert "Where to watch in United States" in watch_section(v.get("/movie/550").text)
    # No CSRF token: refused like every other form.
    r = v.post("/watch-region", {"region": "GB"}, token="")
    assert r.status_code == 403
    # A planted return address goes home instead.
    r = choose_region(v, "FR", next_url="//evil.example/")
    assert r.status_code == 303 and r.headers["Location"] == "/"


def test_anonymous_movie_page_stays_cacheable():
    r = Visitor().get("/movie/550")
    assert "Set-Cookie" not in r.headers
    assert "csrfmiddlewaretoken" not in r.text


def test_providers_failing_alone_leave_the_rest_of_the_page(standin_url):
    movie = 1000000 + uuid.uuid4().int % 900000  # an uncached synthetic film
    fault = requests.post(standin_url + "/__standin/faults",
                          json={"status": 503, "json": True,
                                "path_prefix": f"/3/movie/{movie}/watch/providers"}, timeout=10)
    assert fault.status_code == 200
    try:
        r = Visitor().get(f"/movie/{movie}")
    finally:
        requests.delete(standin_url + "/__standin/faults", timeout=10)
    assert r.status_code == 200
    assert "<h1>" in r.text and "More like this" in r.text
    assert "Where to watch this movie cannot be shown right now." in watch_section(r.text)
