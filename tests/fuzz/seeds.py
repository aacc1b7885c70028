#!/usr/bin/env python3
"""seeds.py: writes the seed inputs of each fuzz target into tests/fuzz/corpus/NAME/seed-*.

Seeds are real inputs made by the real producers where one exists (Django's signing and
sessions, Django's hashers with small work factors, the TMDb stand-in's answers), so the fuzzer
starts from the valid shapes. Run from the repository root; rewriting the seeds is harmless.
"""
import hashlib
import json
import os
import sys
import zlib

import django
from django.conf import settings

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "deploy", "tmdb-standin"))
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
SECRET = "fuzz-secret-key"   # the key the session and JWT targets use
NOW = 1700000000

settings.configure(SECRET_KEY=SECRET, USE_TZ=True, INSTALLED_APPS=[])
django.setup()
from django.core import signing  # noqa: E402


def write(name, seeds):
    d = os.path.join(ROOT, "tests", "fuzz", "corpus", name)
    os.makedirs(d, exist_ok=True)
    for i, s in enumerate(seeds):
        if isinstance(s, str):
            s = s.encode()
        with open(os.path.join(d, "seed-%02d" % i), "wb") as f:
            f.write(s)


def urlencoded():
    write("urlencoded", ["a=1&b=2", "q=fight+club&page=2", "x=%E2%82%AC&y=%zz", "n=%00",
        "a&b=&=c&&", "u=%C3%A9t%C3%A9", "k=" + "v" * 100, "&".join("p%d=%d" % (i, i) for i in range(70)),
        "bad=%C3%28", "csrfmiddlewaretoken=abc&movie_id=550&next=%2Ffavorites%2F"])


def cookies():
    write("cookies", ["sessionid=abcdefgh12345678abcdefgh12345678; csrftoken=" + "a" * 32,
        "csrftoken=" + "aB3" * 21 + "x", "a=1;b=2; c = 3 ;;d", 'q="quoted value"; e=',
        "known_device=x%20y; sessionid=short", "=novalue; name=; ;"])


def request():
    base = ("REQUEST_METHOD=%s\nREQUEST_URI=%s\nHTTP_HOST=127.0.0.1\nREMOTE_ADDR=127.0.0.1\n"
        "HTTP_COOKIE=sessionid=abcdefgh12345678; csrftoken=%s\n")
    write("request", [
        base % ("GET", "/movie/550/?q=x&page=2", "a" * 32) + "\n",
        base % ("POST", "/login/", "a" * 32) + "CONTENT_TYPE=application/x-www-form-urlencoded\n"
            "CONTENT_LENGTH=44\n\nusername=%20moviebuff%20&password=secret&q=abcd",
        base % ("POST", "/api/favorites/", "b" * 32) + "CONTENT_TYPE=application/json\n"
            "CONTENT_LENGTH=17\nHTTP_AUTHORIZATION=Bearer x.y.z\n\n{\"movie_id\": 550}",
        "REQUEST_METHOD=DELETE\nREQUEST_URI=/%E2%82%AC/%ZZ\nCONTENT_LENGTH=-1\n\n",
        "REQUEST_METHOD=POST\nREQUEST_URI=/x\nCONTENT_LENGTH=10\n\nshort",
        "REQUEST_METHOD=POST\nREQUEST_URI=/x\nCONTENT_LENGTH=99999999\n\n",
        "REQUEST_URI=relative\n\n", "HTTPS=on\nREQUEST_URI=/" + "a" * 5000 + "\n\n"])


def session():
    s = [b"\x00" + signing.dumps({"a": 1}).encode(),
        b"\x00" + signing.dumps({"k": "v" * 200}, compress=True).encode(),
        b"\x00" + b"eyJhIjoxfQ:1abcde:badsig", b"\x00" + b"no-colon-at-all"]
    payloads = [json.dumps({"_auth_user_id": "1", "_auth_user_backend":
        "django.contrib.auth.backends.ModelBackend", "_auth_user_hash": "0" * 64}).encode(),
        b'{"a":[1,2.5,"\\u00e9",null,true]}', b"[1,2]", b"\"str\"", b"{"]
    for p in payloads:
        b64 = signing.b64_encode(p).decode()
        s.append(b"\x01" + b64.encode())
        s.append(b"\x02" + b64.encode())
        s.append(b"\x01." + signing.b64_encode(zlib.compress(p)))
        s.append(b"\x02." + signing.b64_encode(zlib.compress(p)))
    s += [b"\x03value:sig", b"\x031abcde", b"\x03-zzzzzzzzzzzz", b"\x04aGVsbG8=", b"\x04aGVsbG8",
        b"\x04a-_b", b'\x04{"x":"\\ud83d\\ude00","y":1e400}']
    write("session", s)


def jwt_seeds():
    header = '{"alg":"HS256","typ":"JWT"}'
    claims = {"token_type": "access", "exp": NOW + 600, "iat": NOW - 10, "jti": "0" * 32, "user_id": 1}
    s = ["\x01" + header + "\n" + json.dumps(claims, separators=(",", ":")),
        "\x01" + header + "\n" + json.dumps(dict(claims, token_type="refresh")),
        "\x01" + '{"alg":"none"}' + "\n" + json.dumps(claims),
        "\x01" + header + "\n" + json.dumps({"exp": "soon", "nbf": NOW + 99}),
        "\x01" + header + "\n" + "[1]", "\x01" + header + "\n" + json.dumps(dict(claims, exp=1e300)),
        "\x00eyJhbGciOiJIUzI1NiJ9.eyJ4IjoxfQ.c2ln", "\x00a.b", "\x00...."]
    write("jwt", s)


def hashers():
    from django.contrib.auth import hashers as h
    import django_test_hashers  # noqa: F401  (registers what Debian's Django 3.2 lacks)
    out = []
    made = [
        (0, h.PBKDF2PasswordHasher().encode("pw", "saltsaltsaltsalt", iterations=3)),
        (1, h.PBKDF2SHA1PasswordHasher().encode("pw", "salt", iterations=2)),
        (6, h.MD5PasswordHasher().encode("pw", "saltsalt")),
        (7, h.SHA1PasswordHasher().encode("pw", "salt")),
        (8, hashlib.md5(b"pw").hexdigest()), (8, "md5$$" + hashlib.md5(b"pw").hexdigest()),
        (9, "sha1$$" + hashlib.sha1(b"pw").hexdigest()),
        (10, "crypt$$ab" + "J" * 11), (10, "crypt$$$1$saltsalt$" + "x" * 22),
        (4, "bcrypt$$2b$04$" + "a" * 53), (3, "bcrypt_sha256$$2b$05$" + "b" * 53),
        (5, "scrypt$16$salt$1$1$" + "c" * 44),
        (2, "argon2$argon2id$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA"),
        (2, "argon2$argon2i$m=16,t=2,p=1$c2FsdA$aGFzaA"),
        (0, "pbkdf2_sha256$-5$s$h"), (0, "!unusable"), (0, "unknown$x"), (5, "scrypt$0$s$0$0$h")]
    try:
        made.append((4, h.BCryptPasswordHasher().encode("pw", "$2b$04$" + "a" * 22)))
    except Exception:  # noqa: BLE001  (bcrypt salt API differs by version)
        pass
    for pref, enc in made:
        out.append(bytes([pref]) + enc.encode() + b"\npw")
    write("hashers", out)


def mustache():
    seeds = []
    for name in sorted(os.listdir(os.path.join(ROOT, "fcgi", "templates")))[:6]:
        with open(os.path.join(ROOT, "fcgi", "templates", name), "rb") as f:
            seeds.append(f.read())
    seeds += ["{{a}}{{{a}}}{{&a}}{{! c }}{{#l}}{{x}}{{/l}}{{^e}}none{{/e}}",
        "{{=<% %>=}}<%a%><%={{ }}=%>{{n}}", "{{#o}}{{#o}}{{x}}{{/o}}{{/o}}{{>p}}",
        "  {{#t}}\n  x\n  {{/t}}\n", "{{#a}}{{/b}}", "{{", "{{=a=}}", "{{d}} {{neg}} {{f}}"]
    write("mustache", seeds)


def tmdb():
    import standin  # noqa: E402
    import catalogue as cat  # noqa: E402
    st = None
    seeds = []
    try:
        f = cat.FILM[550]
        det = dict(f)
        det["credits"] = cat.credits(f)
        det["videos"] = cat.videos(f)
        seeds.append(b"\x01" + json.dumps(det, default=str).encode())
        seeds.append(b"\x00" + json.dumps(standin.paged([cat.FILM[i] for i in list(cat.FILM)[:5]], 1,
            media_type=True), default=str).encode())
        seeds.append(b"\x05" + json.dumps(standin.route_genres(st, {}, None)).encode())
    except Exception as e:  # noqa: BLE001
        print("stand-in seeds skipped:", e)
    seeds += [b"\x07" + json.dumps({"images": {"secure_base_url": "https://i/", "base_url": "http://i/",
        "poster_sizes": ["w92"], "backdrop_sizes": [], "profile_sizes": [], "logo_sizes": [],
        "still_sizes": []}}).encode(),
        b'\x04{"page":1,"results":[{"id":1,"title":"x","adult":true},{"id":"2"}],"total_pages":999,"total_results":1}',
        b'\x01{"id":5,"title":"t","runtime":0,"belongs_to_collection":{"id":1},"credits":{"cast":[{}]}}',
        b"\x06[]", b"\x02{", b"\x03  Fight   CLUB  "]
    write("tmdb", seeds)


def validators():
    write("validators", ["moviebuff", "user.name+tag@example.COM", "ﬁancé", "a\u0301b", "x" * 151,
        "password", "12345678", "Moviebuff1", "   ", "bad\xffutf8".encode("latin-1"), "a@b@C.ORG",
        "\u2163\u00b2 \u3000"])


def apibody():
    j = "application/json\n"
    write("apibody", [j + '{"username": "moviebuff", "password": "secret", "email": "a@b.c"}',
        j + '{"username": 5, "password": null}', j + "[1, 2]", j + '{"a": {"b": [1, {"c": "\\u00e9"}]}}  \n',
        j + '{"x": 1} trailing', j + '{"username": "a\\u0000b"}', j + "\"str\"", j + "{",
        "application/x-www-form-urlencoded\nusername=a&password=b&username=c",
        "multipart/form-data; boundary=XyZ\n--XyZ\r\nContent-Disposition: form-data; name=\"username\"\r\n"
        "\r\nmoviebuff\r\n--XyZ\r\nContent-Disposition: form-data; name=\"f\"; filename=\"a.csv\"\r\n\r\nx\r\n--XyZ--\r\n",
        "text/plain\nhello", "application/json; charset=utf-8\n{}", "\n{}"])


def bearer():
    import base64
    import hmac

    def b64(b):
        return base64.urlsafe_b64encode(b).rstrip(b"=").decode()

    def token(claims):
        head = b64(b'{"alg":"HS256","typ":"JWT"}') + "." + b64(json.dumps(claims).encode())
        return head + "." + b64(hmac.new(SECRET.encode(), head.encode(), hashlib.sha256).digest())
    far = 4102444800  # 2100: the seeds stay valid
    claims = {"token_type": "access", "exp": far, "iat": NOW, "jti": "0" * 32, "user_id": 7}
    write("bearer", ["Bearer " + token(claims), "Bearer " + token(dict(claims, user_id="12")),
        "Bearer " + token(dict(claims, user_id=-3)), "Bearer " + token({k: v for k, v in claims.items() if k != "user_id"}),
        "Bearer " + token(dict(claims, token_type="refresh")), "Bearer " + token(dict(claims, exp=NOW)),
        "Bearer a.b.c", "Bearer", "Bearer  x  y", "bearer x", "Token abc", "  Bearer\tx.y.z  ", ""])


def host():
    write("host", ["example.com\nexample.com", ".example.com\nsub.example.com:8000", "*\n[::1]:80",
        "127.0.0.1, localhost\nLOCALHOST.", "a.com,,b.com\nb.com:", "x\n[::1", "x\nexa mple.com",
        "\n", ".\n.", "example.com\nexample.com..", "[fe80::1%eth0]\n[fe80::1%eth0]"])


def origin():
    write("origin", ["https://example.com\nhttps://example.com\n\nexample.com",
        "https://*.example.com\nhttps://a.example.com\n\nother.org",
        "http://a.org,https://b.org:8443\n-\nhttps://site.org/page\nsite.org",
        "https://x.org/path\nnull\n\nx.org", "*\n-\nhttps://site.org.evil.com/\nsite.org",
        "https://*\nhttps://.\nhttps://\n", "\n\n\n"])


def next_seeds():
    write("next", ["\x00next=%2Ffavorites%2F", "\x00next=//evil.com", "\x00next=/%5Cevil.com",
        "\x00next=https://evil.com", "\x00next=/a%0Ab", "\x01next=%2Fmovie%2F550&list=watchlist&then=favorite",
        "\x00page=2&window=week&q=x&year=1999&imported=3&region=US&list=favorites",
        "\x00next=/%09/evil.com", "\x01next=", "\x00next=/%7F", "\x00next=%2F%2Fx&next=/ok"])


def etag():
    write("etag", ['"abc"', "*", 'W/"abc", "def"', "", '"' + "0" * 40 + '"', "W/*", '"', "x" * 300])


def importjob():
    # The first byte picks the decoder: even, a job (import:<uid>:<job>); odd, a preview page.
    rows = [{"l": 2, "t": "Fight Club", "y": 1999, "id": 550}, {"l": 3, "t": "Heat", "y": 0, "imdb": "tt0113277"},
        {"l": 4, "t": ""}]
    res = [{"s": 0, "f": False, "c": [{"id": 550, "t": "Fight Club", "y": "1999", "d": "1999-10-15"}]},
        {"s": 1, "f": False, "c": [{"id": 949, "t": "Heat", "y": "1995", "d": ""}, {"id": 1, "t": "Heat", "y": "1986"}]}]
    job = {"exp": 1796700000, "list": "favorites", "format": "letterboxd", "file": "list.csv", "stalls": 0,
        "rows": rows, "res": res, "slot": 1, "tok": "abc"}
    built = {"exp": 1796700000, "list": "watchlist", "format": "imdb", "file": "l.csv", "slot": 0, "tok": "t",
        "pv": {"pages": 3, "n": [1, 150, 20, 2]}}
    page = [dict(rows[0], **res[0], i=0, p=True), dict(rows[1], **res[1], i=1, ch=True), dict(rows[2], s=2, i=2)]
    jobs = [json.dumps(job), json.dumps(dict(job, list="watchlist", res=[])), json.dumps(built),
        json.dumps(dict(job, list="other")), json.dumps(dict(job, rows={})), json.dumps(dict(job, res=[1, "x", None])),
        json.dumps(dict(job, rows=[None, 5, {"t": 7}])), json.dumps(dict(job, stalls="x", res=res * 4)),
        json.dumps(dict(job, res=[{"s": 0, "c": "not an array"}])), '{"rows":[],"res":[],"list":"favorites"}',
        "[]", "{", "null"]
    pages = [json.dumps(page), json.dumps([dict(page[0], i=-1)]), json.dumps([{"c": 5}]), "[]", "{}"]
    write("importjob", ["\x00" + j for j in jobs] + ["\x01" + p for p in pages])


GENERATORS = (urlencoded, cookies, request, session, jwt_seeds, hashers, mustache, tmdb, validators,
    apibody, bearer, host, origin, next_seeds, etag, importjob)

if __name__ == "__main__":
    # With names (e.g. "bearer next_seeds"), only those targets' seeds are written.
    for fn in GENERATORS:
        if len(sys.argv) == 1 or fn.__name__ in sys.argv[1:]:
            fn()
