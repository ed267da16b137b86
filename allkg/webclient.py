"""HTTP for remote stores: one request at a time with the standard library (urllib), credentials never shown.

Credentials (a user name and password for HTTP Basic or Digest, whichever the server asks for, or a bearer
token) come from options, the environment or the address. A password goes out only after the server has said
how it wants it (its 401 challenge); messages show addresses without credentials.
"""

from __future__ import annotations

import http.client
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from typing import NamedTuple

from allkg.queries import RemoteError

QUERY_TIMEOUT_S = 120


@dataclass(frozen=True)
class Credentials:
    """Who the client is to a store: a user name and password (HTTP Basic or Digest, whichever the server asks
    for) or a bearer token. Secrets are never shown: not in messages, not in ``repr``."""

    user: str | None = None
    password: str | None = field(default=None, repr=False)
    token: str | None = field(default=None, repr=False)

    def __bool__(self) -> bool:
        return bool(self.user or self.token)


class ConnectionLost(RemoteError):
    """The server could not be reached, or the connection broke before its answer was read."""


class Answer(NamedTuple):
    status: int
    content_type: str
    body: bytes
    server: str  # the Server header: tells stores apart where the protocol leaves them free (Virtuoso)


def split_credentials(url: str) -> tuple[str, Credentials | None]:
    """Return ``url`` without the ``user:password@`` part, and those credentials (percent-decoded) or None.

    >>> split_credentials("http://ann:s%40fe@127.0.0.1:7878/store")
    ('http://127.0.0.1:7878/store', Credentials(user='ann'))
    """
    parts = urllib.parse.urlsplit(url)
    try:
        port = parts.port
    except ValueError:  # not shown: a password with an unencoded '/' spills into the host and path
        raise RemoteError("the store's address does not parse: its port is not a number (a password holding '/', '?', '#' "
                          "or '@' must be percent-encoded in an address; or give --user and --password instead)") from None
    if "@" not in parts.netloc:
        return url, None
    host = parts.hostname or ""
    netloc = (f"[{host}]" if ":" in host else host) + (f":{port}" if port else "")
    credentials = Credentials(urllib.parse.unquote(parts.username or ""), urllib.parse.unquote(parts.password or ""))
    return urllib.parse.urlunsplit(parts._replace(netloc=netloc)), credentials


def safe_url(url: str) -> str:
    """Return ``url`` as it may be shown: scheme, host, port and path, never a user name or password."""
    parts = urllib.parse.urlsplit(url)
    return f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}{parts.path}"


def request(method: str, url: str, data: bytes | None = None, headers: dict | None = None, timeout: float = QUERY_TIMEOUT_S,
            credentials: Credentials | None = None) -> Answer:
    """Send one HTTP request and return its answer; raise ConnectionLost if the server cannot be reached or the
    connection breaks, and RemoteError with the server's reason if it wants other credentials (401)."""
    if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        raise RemoteError(f"{safe_url(url)}: not an http(s) address")
    url, in_url = split_credentials(url)
    credentials = credentials or in_url
    headers = dict(headers or {})
    handlers = []
    if credentials and credentials.token:
        headers["Authorization"] = f"Bearer {credentials.token}"
    elif credentials and credentials.user:
        # Answer the server's challenge, Basic or Digest: a password never goes out before the server says how.
        manager = urllib.request.HTTPPasswordMgrWithDefaultRealm()
        manager.add_password(None, url, credentials.user, credentials.password or "")
        handlers = [urllib.request.HTTPBasicAuthHandler(manager), urllib.request.HTTPDigestAuthHandler(manager)]
    message = urllib.request.Request(url, data=data, headers=headers, method=method)
    try:
        with urllib.request.build_opener(*handlers).open(message, timeout=timeout) as response:
            return Answer(response.status, response.headers.get("Content-Type", ""), response.read(), response.headers.get("Server", ""))
    except urllib.error.HTTPError as error:
        body = error.read()
        if error.code == 401:
            raise RemoteError(_refused_credentials(url, error, body, credentials)) from None
        return Answer(error.code, error.headers.get("Content-Type", ""), body, error.headers.get("Server", ""))
    except (urllib.error.URLError, OSError, http.client.HTTPException) as error:
        reason = getattr(error, "reason", None) or error or type(error).__name__
        raise ConnectionLost(f"cannot reach {safe_url(url)}: {reason}") from None


def _refused_credentials(url: str, error: urllib.error.HTTPError, body: bytes, credentials: Credentials | None) -> str:
    challenge = error.headers.get("WWW-Authenticate", "")
    reason = _said(body) if body.strip() and not error.headers.get("Content-Type", "").startswith("text/html") else ""
    if not reason and challenge:
        scheme, _, rest = challenge.partition(" ")
        realm = next((item.split("=", 1)[1].strip('" ') for item in rest.split(",") if item.strip().lower().startswith("realm=")), "")
        reason = f"it asks for {scheme} authentication" + (f" (realm {realm!r})" if realm else "")
    said = f"{safe_url(url)} answered 401 Unauthorized: {reason or 'no reason given'}"
    if credentials:
        return f"{said}; the credentials given were not accepted"
    return f"{said}; give --user and --password (or ALLKG_USER and ALLKG_PASSWORD), or --token (or ALLKG_TOKEN)"


def _said(body: bytes, limit: int = 600) -> str:
    text = body.decode("utf-8", "replace").strip()
    return text if len(text) <= limit else text[:limit] + " ..."
