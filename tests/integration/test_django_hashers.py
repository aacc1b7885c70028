"""test_django_hashers.py: real Django 3.2 hashers and the C hashers (tools/pwtool) accept each other's hashes.

Needs no running stack: Django is configured in-process, and BUILD_DIR (default "build", relative
to the repository root) must hold tools/pwtool.
"""
import hashlib
import os
import pathlib
import secrets
import string
import subprocess

import pytest

import django
from django.conf import settings
from django.contrib.auth.hashers import (
    Argon2PasswordHasher, BCryptPasswordHasher, BCryptSHA256PasswordHasher,
    PBKDF2PasswordHasher, PBKDF2SHA1PasswordHasher, check_password, get_hasher, identify_hasher,
    make_password)
from django.test.utils import override_settings
from django_test_hashers import PBKDF2Django51PasswordHasher, Scrypt51PasswordHasher, ScryptPasswordHasher

# Python 3.11 warns about the crypt module that Django 3.2's CryptPasswordHasher imports.
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

REPO = pathlib.Path(__file__).resolve().parents[2]
D = "django.contrib.auth.hashers."
HERE = __name__ + "."
SHARED = "django_test_hashers."


def pwtool_path():
    build = pathlib.Path(os.environ.get("BUILD_DIR", "build"))
    if not build.is_absolute():
        build = REPO / build
    path = build / "tools" / "pwtool"
    assert path.exists(), f"{path} is missing: run make first"
    return str(path)


class PBKDF2Small(PBKDF2PasswordHasher):
    iterations = 1000


class PBKDF2SHA1Small(PBKDF2SHA1PasswordHasher):
    iterations = 1000


class Argon2Small(Argon2PasswordHasher):
    memory_cost = 512
    parallelism = 2


class Argon2iOld(Argon2PasswordHasher):
    """Django 1.10 - 3.1: argon2i, t=2, m=512, p=2."""
    memory_cost = 512
    parallelism = 2

    def params(self):
        p = super().params()
        p.type = self._load_library().low_level.Type.I
        return p


class BCryptSHA256Small(BCryptSHA256PasswordHasher):
    rounds = 4


class BCryptSHA256R10(BCryptSHA256PasswordHasher):
    rounds = 10


class BCryptSmall(BCryptPasswordHasher):
    rounds = 4


class ScryptSmall(Scrypt51PasswordHasher):
    work_factor = 1024


ORDER = ["pbkdf2_sha256", "pbkdf2_sha1", "argon2", "bcrypt_sha256", "bcrypt", "scrypt", "md5",
         "sha1", "unsalted_sha1", "unsalted_md5", "crypt"]
LEGACY = {"md5": D + "MD5PasswordHasher", "sha1": D + "SHA1PasswordHasher",
          "unsalted_sha1": D + "UnsaltedSHA1PasswordHasher",
          "unsalted_md5": D + "UnsaltedMD5PasswordHasher", "crypt": D + "CryptPasswordHasher"}

# Each configuration: the Django hasher class per algorithm, and the same policy for pwtool.
CONFIGS = {
    "5.1": ({"pbkdf2_sha256": SHARED + "PBKDF2Django51PasswordHasher",
             "pbkdf2_sha1": SHARED + "PBKDF2SHA1Django51PasswordHasher", "argon2": D + "Argon2PasswordHasher",
             "bcrypt_sha256": D + "BCryptSHA256PasswordHasher",
             "bcrypt": D + "BCryptPasswordHasher", "scrypt": SHARED + "Scrypt51PasswordHasher",
             **LEGACY},
            ["--django-version", "5.1"]),
    "3.2": ({"pbkdf2_sha256": D + "PBKDF2PasswordHasher",
             "pbkdf2_sha1": D + "PBKDF2SHA1PasswordHasher", "argon2": D + "Argon2PasswordHasher",
             "bcrypt_sha256": D + "BCryptSHA256PasswordHasher",
             "bcrypt": D + "BCryptPasswordHasher", "scrypt": SHARED + "ScryptPasswordHasher",
             **LEGACY},
            ["--django-version", "3.2"]),
    "small": ({"pbkdf2_sha256": HERE + "PBKDF2Small", "pbkdf2_sha1": HERE + "PBKDF2SHA1Small",
               "argon2": HERE + "Argon2Small", "bcrypt_sha256": HERE + "BCryptSHA256Small",
               "bcrypt": HERE + "BCryptSmall", "scrypt": HERE + "ScryptSmall", **LEGACY},
              ["--django-version", "5.1", "--pbkdf2-iterations", "1000",
               "--argon2-memory-cost", "512", "--argon2-parallelism", "2",
               "--bcrypt-rounds", "4", "--scrypt-n", "1024"]),
}

if not settings.configured:
    settings.configure(SECRET_KEY="django-hashers-interop-test", INSTALLED_APPS=[], USE_TZ=True,
                       PASSWORD_HASHERS=[CONFIGS["5.1"][0][a] for a in ORDER])
    django.setup()


def django_settings(config, preferred="pbkdf2_sha256"):
    """override_settings with every hasher of the configuration enabled, preferred first."""
    classes = CONFIGS[config][0]
    order = [preferred] + [a for a in ORDER if a != preferred]
    return override_settings(PASSWORD_HASHERS=[classes[a] for a in order])


def pwtool_args(config, preferred="pbkdf2_sha256"):
    order = [preferred] + [a for a in ORDER if a != preferred]
    return CONFIGS[config][1] + ["--hashers", ",".join(order)]


def c_check(password, encoded, args):
    """(correct, must_update) from pwtool check; must_update is None on failure."""
    data = password if isinstance(password, bytes) else password.encode()
    r = subprocess.run([pwtool_path(), "check", *args, encoded], input=data,
                       capture_output=True, timeout=120)
    out = r.stdout.decode().strip()
    if r.returncode == 0:
        assert out in ("ok must_update=0", "ok must_update=1"), out
        return True, out.endswith("1")
    assert (r.returncode, out) == (1, "fail"), (r.returncode, out, r.stderr)
    return False, None


def c_make(password, args):
    r = subprocess.run([pwtool_path(), "make", *args], input=password.encode(),
                       capture_output=True, timeout=120)
    assert r.returncode == 0, r.stderr
    return r.stdout.decode().rstrip("\n")


def django_must_update(encoded):
    """verify_password()'s must_update under the current settings."""
    preferred = get_hasher("default")
    hasher = identify_hasher(encoded)
    return hasher.algorithm != preferred.algorithm or preferred.must_update(encoded)


def random_password():
    """Random text with non-ASCII parts: Latin-1, CJK and an emoji (4-byte UTF-8)."""
    alphabet = string.ascii_letters + string.digits + "éüß名前パスワード🔑😀 !$"
    body = "".join(secrets.choice(alphabet) for _ in range(secrets.randbelow(20) + 4))
    return secrets.choice(["", "é", "名前", "🔑"]) + body + secrets.choice(["é", "名前", "🔑"])


def wrong(password):
    # Differs in the first bytes: DES crypt reads only 8.
    return "Wr0ng!" + password


# Hasher instances Django makes hashes with: every hasher with small parameters, and each at
# its real default once.
MAKERS = {
    "pbkdf2_sha256-small": PBKDF2Small, "pbkdf2_sha1-small": PBKDF2SHA1Small,
    "argon2-small": Argon2Small, "argon2i-old": Argon2iOld,
    "bcrypt_sha256-small": BCryptSHA256Small, "bcrypt-small": BCryptSmall,
    "scrypt-small": ScryptSmall,
    "pbkdf2_sha256-default51": PBKDF2Django51PasswordHasher,
    "pbkdf2_sha256-default32": PBKDF2PasswordHasher,
    "pbkdf2_sha1-default": PBKDF2SHA1PasswordHasher,
    "argon2-default": Argon2PasswordHasher,
    "bcrypt_sha256-default": BCryptSHA256PasswordHasher,
    "bcrypt-default": BCryptPasswordHasher,
    "scrypt-default51": Scrypt51PasswordHasher, "scrypt-default40": ScryptPasswordHasher,
    "md5": "md5", "sha1": "sha1", "unsalted_md5": "unsalted_md5",
    "unsalted_sha1": "unsalted_sha1", "crypt": "crypt",
}


def django_make(maker, password, salt=None):
    hasher = MAKERS[maker]
    with django_settings("5.1"):
        if isinstance(hasher, str):
            hasher = get_hasher(hasher)
        else:
            hasher = hasher()
        return make_password(password, salt=salt, hasher=hasher)


@pytest.mark.parametrize("maker", sorted(MAKERS))
def test_django_hash_verifies_in_c(maker):
    """Django makes, C verifies (and rejects a wrong password); must_update agrees."""
    for password in (random_password(), random_password()):
        encoded = django_make(maker, password)
        with django_settings("5.1"):
            assert check_password(password, encoded)
            want_update = django_must_update(encoded)
        ok, update = c_check(password, encoded, pwtool_args("5.1"))
        assert ok, (maker, encoded)
        assert update == want_update, (maker, encoded)
        assert c_check(wrong(password), encoded, pwtool_args("5.1")) == (False, None)


def test_md5_dollar_dollar_form_and_empty_password():
    password = random_password()
    encoded = "md5$$" + hashlib.md5(password.encode()).hexdigest()
    with django_settings("5.1"):
        assert check_password(password, encoded)
    assert c_check(password, encoded, pwtool_args("5.1")) == (True, True)
    for maker in ("pbkdf2_sha256-small", "argon2-small", "bcrypt_sha256-small", "md5"):
        encoded = django_make(maker, "")
        assert c_check("", encoded, pwtool_args("5.1"))[0], encoded
        assert c_check(" ", encoded, pwtool_args("5.1")) == (False, None)


MAKEABLE = ["pbkdf2_sha256", "pbkdf2_sha1", "argon2", "bcrypt_sha256", "bcrypt", "scrypt",
            "md5", "sha1", "unsalted_md5", "unsalted_sha1", "crypt"]


@pytest.mark.parametrize("algorithm", MAKEABLE)
def test_c_hash_verifies_in_django(algorithm):
    """C makes (small parameters), Django verifies; Django's must_update is False."""
    password = random_password()
    encoded = c_make(password, pwtool_args("small", algorithm))
    assert identify_hasher(encoded).algorithm == algorithm
    with django_settings("small", algorithm):
        assert check_password(password, encoded), encoded
        assert not check_password(wrong(password), encoded)
        assert not django_must_update(encoded), encoded


@pytest.mark.parametrize("algorithm", ["pbkdf2_sha256", "argon2", "bcrypt_sha256", "scrypt"])
@pytest.mark.parametrize("config", ["5.1", "3.2"])
def test_c_default_hash_verifies_in_django(algorithm, config):
    """C makes with a version's real defaults; that Django version sees nothing to update."""
    password = random_password()
    encoded = c_make(password, pwtool_args(config, algorithm))
    with django_settings(config, algorithm):
        assert check_password(password, encoded), encoded
        assert not django_must_update(encoded), encoded


def test_c_default_preferred_matches_django_51():
    """pwtool with only --django-version 5.1 makes exactly what Django 5.1 would keep."""
    password = random_password()
    encoded = c_make(password, ["--django-version", "5.1"])
    assert encoded.startswith("pbkdf2_sha256$870000$")
    assert len(encoded.split("$")[2]) == 22
    with django_settings("5.1"):
        assert check_password(password, encoded)
        assert not django_must_update(encoded)


def must_update_encodings(password):
    """Hashes whose must_update is interesting: old counts, short salts, old variants."""
    return [
        django_make("pbkdf2_sha256-default32", password),
        django_make("pbkdf2_sha256-default51", password),
        django_make("pbkdf2_sha256-default51", password, salt="abcdefghijkl"),
        django_make("pbkdf2_sha256-small", password),
        django_make("pbkdf2_sha1-default", password),
        django_make("argon2-default", password),
        django_make("argon2-default", password, salt="abcdefghijkl"),
        django_make("argon2i-old", password),
        django_make("argon2-small", password),
        make_password(password, hasher=BCryptSHA256R10()),
        django_make("bcrypt_sha256-default", password),
        django_make("bcrypt-small", password),
        django_make("scrypt-default40", password),
        django_make("scrypt-default51", password),
        django_make("scrypt-default51", password, salt="abcdefghijkl"),
        django_make("md5", password),
        django_make("md5", password, salt="abcdefghijkl"),
        django_make("sha1", password, salt="abcdefghijkl"),
        django_make("unsalted_md5", password),
        django_make("unsalted_sha1", password),
        django_make("crypt", password),
    ]


@pytest.fixture(scope="module")
def update_cases():
    password = random_password()
    return password, must_update_encodings(password)


@pytest.mark.parametrize("config", ["5.1", "3.2"])
def test_must_update_agrees(update_cases, config):
    password, encodings = update_cases
    for encoded in encodings:
        with django_settings(config):
            want = django_must_update(encoded)
        assert c_check(password, encoded, pwtool_args(config)) == (True, want), (config, encoded)


@pytest.mark.parametrize("preferred", ["argon2", "bcrypt_sha256", "bcrypt", "scrypt", "md5",
                                       "sha1", "pbkdf2_sha1", "unsalted_md5", "crypt"])
def test_must_update_agrees_per_preferred_hasher(update_cases, preferred):
    password, encodings = update_cases
    mine = [e for e in encodings if identify_hasher(e).algorithm == preferred]
    others = [e for e in encodings if identify_hasher(e).algorithm != preferred][:1]
    assert mine or preferred == "pbkdf2_sha1" or preferred == "unsalted_md5"
    for encoded in mine + others:
        with django_settings("5.1", preferred):
            want = django_must_update(encoded)
        got = c_check(password, encoded, pwtool_args("5.1", preferred))
        assert got == (True, want), (preferred, encoded)


def test_disabled_hashers_fail_on_both_sides():
    """Django 5.1's default list has no md5/sha1/crypt/bcrypt: both sides say no."""
    password = random_password()
    default_51 = [CONFIGS["5.1"][0][a] for a in
                  ("pbkdf2_sha256", "pbkdf2_sha1", "argon2", "bcrypt_sha256", "scrypt")]
    for maker in ("md5", "unsalted_md5", "unsalted_sha1", "crypt", "bcrypt-small"):
        encoded = django_make(maker, password)
        with override_settings(PASSWORD_HASHERS=default_51):
            assert not check_password(password, encoded)
        assert c_check(password, encoded, ["--django-version", "5.1"]) == (False, None)


def test_unusable_password_fails_on_both_sides():
    with django_settings("small"):
        unusable = make_password(None)
        assert not check_password("", unusable)
    assert c_check("", unusable, pwtool_args("small")) == (False, None)
    assert c_check(unusable[1:], unusable, pwtool_args("small")) == (False, None)


def test_plain_bcrypt_truncation_and_nul():
    """Python bcrypt cuts at 72 bytes and refuses NUL; bcrypt_sha256 does neither."""
    password = "é" * 40   # 80 bytes
    encoded = make_password(password, hasher=BCryptSmall())
    truncated = password.encode()[:72]
    assert c_check(truncated, encoded, pwtool_args("small", "bcrypt"))[0]
    with django_settings("small", "bcrypt"):
        assert check_password(truncated.decode(), encoded)
        with pytest.raises(ValueError):
            check_password("a\x00b", encoded)
    assert c_check(b"a\x00b", encoded, pwtool_args("small", "bcrypt")) == (False, None)

    encoded = make_password(password, hasher=BCryptSHA256Small())
    assert c_check(password, encoded, pwtool_args("small", "bcrypt_sha256"))[0]
    assert c_check(truncated, encoded, pwtool_args("small", "bcrypt_sha256")) == (False, None)
    encoded = make_password("a\x00b", hasher=BCryptSHA256Small())
    assert c_check(b"a\x00b", encoded, pwtool_args("small", "bcrypt_sha256"))[0]


def test_bcrypt_2y_and_2a_prefixes_are_kept():
    password = random_password()
    encoded = make_password(password, hasher=BCryptSmall())
    for prefix in ("$2a$", "$2y$"):
        variant = encoded.replace("$2b$", prefix, 1)
        with django_settings("small", "bcrypt"):
            assert check_password(password, variant)
        assert c_check(password, variant, pwtool_args("small", "bcrypt")) == (True, False)
