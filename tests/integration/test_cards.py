"""test_cards.py: poster grids of saved movies read small card entries, refilled from details."""
import os
import subprocess

import requests

from support import csrf_from


def redis(*args):
    host_port = os.environ["REDIS_URL"].split("//", 1)[1].split("/", 1)[0]
    host, port = host_port.rsplit(":", 1)
    return subprocess.run(["redis-cli", "-h", host, "-p", port, *args], capture_output=True,
                          text=True, check=True).stdout.strip()


def stats(standin_url):
    return requests.get(standin_url + "/__standin/stats").json()["by_path"]


def test_favorites_grid_uses_cards(site_url, standin_url):
    s = requests.Session()
    token = csrf_from(s.get(site_url + "/login").text)
    r = s.post(site_url + "/login", data={"csrfmiddlewaretoken": token, "username": "moviebuff",
                                          "password": "movienight-demo"},
               headers={"Origin": site_url}, allow_redirects=False)
    assert r.status_code == 303
    redis("DEL", "movie_550_card", "movie_680_card")
    page = s.get(site_url + "/favorites")
    assert page.status_code == 200 and "Fight Club" in page.text and "Pulp Fiction" in page.text
    # The miss was filled from the details and stored as a card for a day.
    assert '"title":"Fight Club"' in redis("GET", "movie_550_card")
    assert 86000 < int(redis("TTL", "movie_550_card")) <= 86400
    # With the cards cached, neither the details entry nor TMDb is needed for the grid.
    redis("DEL", "movie_550_details", "movie_680_details")
    before = stats(standin_url)
    page = s.get(site_url + "/favorites")
    assert "Fight Club" in page.text and "Pulp Fiction" in page.text
    after = stats(standin_url)
    assert after.get("/3/movie/550", 0) == before.get("/3/movie/550", 0)
    assert redis("EXISTS", "movie_550_details") == "0"
