"""redis_client.py: a minimal RESP client (stdlib only) the tests use to check keys and TTLs."""
import socket
import urllib.parse


class Redis:
    """A minimal RESP client (stdlib only): one connection per command."""

    def __init__(self, url):
        u = urllib.parse.urlparse(url)
        self.addr = (u.hostname or "127.0.0.1", u.port or 6379)
        self.db = int(u.path.strip("/") or 0)
        self.password = u.password

    def cmd(self, *args):
        with socket.create_connection(self.addr, timeout=2) as s:
            f = s.makefile("rb")
            pre = []
            if self.password:
                pre.append(("AUTH", self.password))
            if self.db:
                pre.append(("SELECT", str(self.db)))
            for c in pre + [args]:
                out = b"*%d\r\n" % len(c)
                for a in c:
                    a = a if isinstance(a, bytes) else str(a).encode()
                    out += b"$%d\r\n%s\r\n" % (len(a), a)
                s.sendall(out)
                reply = self._read(f)
            return reply

    def _read(self, f):
        line = f.readline()
        t, rest = line[:1], line[1:-2]
        if t == b"+":
            return rest.decode()
        if t == b"-":
            raise RuntimeError(rest.decode())
        if t == b":":
            return int(rest)
        if t == b"$":
            n = int(rest)
            return None if n < 0 else f.read(n + 2)[:-2].decode()
        if t == b"*":
            n = int(rest)
            return None if n < 0 else [self._read(f) for _ in range(n)]
        raise RuntimeError("bad reply %r" % line)

    def alive(self):
        try:
            return self.cmd("PING") == "PONG"
        except (OSError, RuntimeError):
            return False
