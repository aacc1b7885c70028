"""fcgi_client.py: a minimal FastCGI responder client (one request per connection), as nginx talks
to the workers, so a test can drive one worker on a private socket without nginx in between."""
import os
import socket
import struct

VERSION = 1
BEGIN_REQUEST, END_REQUEST, PARAMS, STDIN, STDOUT, STDERR = 1, 3, 4, 5, 6, 7
RESPONDER = 1


def _record(kind, content, request_id=1):
    pad = -len(content) % 8
    return struct.pack("!BBHHBx", VERSION, kind, request_id, len(content), pad) + content + b"\0" * pad


def _length(n):
    return bytes([n]) if n < 128 else struct.pack("!I", n | 0x80000000)


def _params(params):
    out = b""
    for name, value in params.items():
        name, value = name.encode(), value if isinstance(value, bytes) else value.encode()
        out += _length(len(name)) + _length(len(value)) + name + value
    return out


def _read_exact(sock, n):
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise ConnectionError("the worker closed the connection mid-record")
        data += chunk
    return data


class Response:
    """Status, headers (list of (name, value)) and body of one answer."""

    def __init__(self, raw, stderr):
        head, _, self.body = raw.partition(b"\r\n\r\n")
        self.headers = []
        self.status = 200
        for line in head.decode("latin-1").split("\r\n"):
            name, _, value = line.partition(":")
            if name.lower() == "status":
                self.status = int(value.split()[0])
            elif name:
                self.headers.append((name.strip(), value.strip()))
        self.stderr = stderr

    def header(self, name):
        return next((v for n, v in self.headers if n.lower() == name.lower()), None)

    def cookies(self):
        """The name=value of each Set-Cookie (attributes dropped)."""
        out = {}
        for n, v in self.headers:
            if n.lower() == "set-cookie":
                pair = v.split(";", 1)[0]
                name, _, value = pair.partition("=")
                out[name.strip()] = value.strip()
        return out


def request(path, method="GET", uri=None, body=b"", headers=None, timeout=120):
    """Sends one request to the worker listening on the unix socket path; returns a Response.

    uri is the raw REQUEST_URI (path and query); headers maps CGI names (HTTP_COOKIE, ...) to values.
    """
    uri = uri or "/"
    params = {"REQUEST_METHOD": method, "REQUEST_URI": uri,
              "QUERY_STRING": uri.partition("?")[2], "DOCUMENT_URI": uri.partition("?")[0],
              "SERVER_PROTOCOL": "HTTP/1.1", "REQUEST_SCHEME": "http", "GATEWAY_INTERFACE": "CGI/1.1",
              "REMOTE_ADDR": "127.0.0.1", "REMOTE_PORT": "40000", "SERVER_ADDR": "127.0.0.1",
              "SERVER_PORT": "8080", "SERVER_NAME": "127.0.0.1", "HTTP_HOST": "127.0.0.1:8080"}
    if body:
        params["CONTENT_LENGTH"] = str(len(body))
    params.update(headers or {})
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(timeout)
    try:
        s.connect(path)
        msg = _record(BEGIN_REQUEST, struct.pack("!HB5x", RESPONDER, 0))
        msg += _record(PARAMS, _params(params)) + _record(PARAMS, b"")
        for i in range(0, len(body), 32768):
            msg += _record(STDIN, body[i:i + 32768])
        msg += _record(STDIN, b"")
        s.sendall(msg)
        out, err = b"", b""
        while True:
            _, kind, _, clen, pad = struct.unpack("!BBHHBx", _read_exact(s, 8))
            content = _read_exact(s, clen + pad)[:clen]
            if kind == STDOUT:
                out += content
            elif kind == STDERR:
                err += content
            elif kind == END_REQUEST:
                return Response(out, err)
    finally:
        s.close()


def listen(path):
    """A listening unix socket at path, to hand to the program as its standard input (as spawn-fcgi does)."""
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    listener.listen(64)
    return listener


def worker_env(root, **extra):
    """The environment of one worker beside the stack: its servers and secret, the repository's files."""
    # The sanitizers' options too: run-all.sh collects every worker's reports through them.
    env = {k: os.environ[k] for k in ("PATH", "SECRET_KEY", "DATABASE_URL", "REDIS_URL",
                                      "TMDB_BASE_URL", "TMDB_API_KEY", "ASAN_OPTIONS", "UBSAN_OPTIONS")
           if k in os.environ}
    # One worker; cheap password hashes so that logging in takes milliseconds.
    env.update(WORKERS="1", MAX_REQUESTS="0", PBKDF2_ITERATIONS="1000", LOG_LEVEL="warn",
               TEMPLATE_DIR=os.path.join(root, "fcgi", "templates"),
               DATA_DIR=os.path.join(root, "common", "data"), STATIC_URL="/static")
    env.update(extra)
    return env
