"""django_test_hashers.py: the Django hashers Debian's Django 3.2 lacks, for the tests: 4.0's scrypt and 5.1's defaults."""
import base64
import hashlib

from django.contrib.auth.hashers import BasePasswordHasher, PBKDF2PasswordHasher, PBKDF2SHA1PasswordHasher
from django.utils.crypto import constant_time_compare


class ScryptPasswordHasher(BasePasswordHasher):
    """Django 4.0's ScryptPasswordHasher, verbatim in substance (3.2 has none)."""
    algorithm = "scrypt"
    block_size = 8
    maxmem = 0
    parallelism = 1
    work_factor = 2 ** 14

    def _check_encode_args(self, password, salt):
        if password is None:
            raise TypeError("password must be provided.")
        if not salt or "$" in salt:
            raise ValueError("salt must be provided and cannot contain $.")

    def encode(self, password, salt, n=None, r=None, p=None):
        self._check_encode_args(password, salt)
        n = n or self.work_factor
        r = r or self.block_size
        p = p or self.parallelism
        hash_ = hashlib.scrypt(password.encode(), salt=salt.encode(), n=n, r=r, p=p,
                               maxmem=self.maxmem, dklen=64)
        hash_ = base64.b64encode(hash_).decode("ascii").strip()
        return "%s$%d$%s$%d$%d$%s" % (self.algorithm, n, salt, r, p, hash_)

    def decode(self, encoded):
        algorithm, work_factor, salt, block_size, parallelism, hash_ = encoded.split("$", 6)
        assert algorithm == self.algorithm
        return {"algorithm": algorithm, "block_size": int(block_size), "hash": hash_,
                "parallelism": int(parallelism), "salt": salt, "work_factor": int(work_factor)}

    def verify(self, password, encoded):
        decoded = self.decode(encoded)
        encoded_2 = self.encode(password, decoded["salt"], decoded["work_factor"],
                                decoded["block_size"], decoded["parallelism"])
        return constant_time_compare(encoded, encoded_2)

    def must_update(self, encoded):
        decoded = self.decode(encoded)
        return (decoded["work_factor"] != self.work_factor
                or decoded["block_size"] != self.block_size
                or decoded["parallelism"] != self.parallelism)

    def harden_runtime(self, password, encoded):
        pass


class Scrypt51PasswordHasher(ScryptPasswordHasher):
    parallelism = 5     # Django 5.1+


class PBKDF2Django51PasswordHasher(PBKDF2PasswordHasher):
    iterations = 870000     # Django 5.1's default


class PBKDF2SHA1Django51PasswordHasher(PBKDF2SHA1PasswordHasher):
    iterations = 870000     # inherited from PBKDF2PasswordHasher in 5.1


# Small work factors where the parameter itself is not under test.
