"""dlt.sources.helpers.requests: dlt's HTTP helper, as its docs use it

    from dlt.sources.helpers import requests
    response = requests.get("https://pokeapi.co/api/v2/pokemon", params={"limit": 20})
    response.raise_for_status()
    yield response.json()["results"]

The engine's HTTP client sends the requests (libcurl: timeouts, redirects, gzip), with the retries
dlt's helper makes (429, 5xx and connection errors, Retry-After honoured) as the active profile's
[runtime] request_timeout / request_max_attempts / request_backoff_factor /
request_max_retry_delay say. The API is the part of `requests` that dlt scripts use: get, post,
put, patch, delete, options, head, request, Session, Client, Response, and the exception types.
As dlt's default client, `get`/`post`/... (and a Session or Client made without
raise_for_status=False) raise HTTPError for a 4xx/5xx response once the retries are spent. An
HTTPError's message holds the status, the reason and the URL (secrets masked), and the response
body (masked, truncated to [runtime] http_max_error_body_length) only when [runtime]
http_show_error_body is true, as dlt.
"""

import base64
import json as _json
import re as _re
import time as _time
from typing import Any, Callable, Dict, Iterable, List, Optional, Sequence, Tuple, Union
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit


class RequestException(IOError):
    def __init__(self, *args: Any, response: Any = None, request: Any = None) -> None:
        super().__init__(*args)
        self.response = response
        self.request = request


class HTTPError(RequestException):
    """A response with status 4xx or 5xx (raise_for_status); its message names the method, the
    URL (secrets masked) and the status."""


class ConnectionError(RequestException):  # noqa: A001  (requests' name)
    pass


class Timeout(RequestException):
    pass


class ConnectTimeout(ConnectionError, Timeout):
    pass


class ReadTimeout(Timeout):
    pass


class ChunkedEncodingError(RequestException):
    pass


class TooManyRedirects(RequestException):
    pass


class URLRequired(RequestException):
    pass


class RetryError(Exception):
    pass


# dlt's redaction.SENSITIVE_PARAMS: query parameters whose values an error message never shows.
_SENSITIVE_PARAMS = {"api_key", "token", "key", "access_token", "apikey", "api-key", "access-token", "secret",
                     "password", "pwd", "client_secret"}


def _mask(text: str, secrets: Iterable[str]) -> str:
    for s in sorted({str(x) for x in secrets if x}, key=len, reverse=True):
        text = text.replace(s, "***")
    return text


def sanitize_url(url: str) -> str:
    """The URL with the values of sensitive query parameters (api_key, token, ...) and a password
    in it replaced by ***, as dlt's sanitize_url."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    qs = [(k, "***" if k.lower() in _SENSITIVE_PARAMS else v) for k, v in parse_qsl(parts.query, keep_blank_values=True)]
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, _, host = netloc.rpartition("@")
        netloc = (userinfo.split(":", 1)[0] + ":***@" if ":" in userinfo else userinfo + "@") + host
    return urlunsplit(parts._replace(query=urlencode(qs, safe="*"), netloc=netloc))


def _runtime(key: str, default: Any) -> Any:
    """A [runtime] setting of the active profile (dlt's RuntimeConfiguration), else `default`."""
    try:
        from dlt.common.configuration.accessors import config

        value = config.get("runtime." + key)
    except Exception:  # noqa: BLE001  (no workspace: the default)
        return default
    if value is None:
        return default
    if isinstance(default, bool):
        return value if isinstance(value, bool) else str(value).strip().lower() in ("true", "1", "yes", "y", "on")
    try:
        return type(default)(value)
    except (TypeError, ValueError):
        return default


def http_error_message(status: int, reason: str, url: str, secrets: Iterable[str] = (), body: Optional[str] = None,
                       hint: str = "") -> str:
    """dlt's HTTPError text: `404 Client Error: Not Found for url: <url>`; the body follows
    ("\nResponse: ...") only when [runtime] http_show_error_body is true. Secrets masked."""
    kind = "Client" if status < 500 else "Server"
    msg = f"{status} {kind} Error: {reason} for url: {sanitize_url(url)}" + hint
    if body and _runtime("http_show_error_body", False):
        limit = _runtime("http_max_error_body_length", 8192)
        if len(body) > limit:
            body = body[:limit] + "\u2026 (truncated)"
        msg += "\nResponse: " + body
    return _mask(msg, secrets)


class CaseInsensitiveDict(dict):
    """Response headers: looked up without regard to case, as requests' are."""

    def __init__(self, pairs: Iterable[Tuple[str, str]] = ()) -> None:
        super().__init__()
        self._lower: Dict[str, str] = {}
        for k, v in pairs:
            if k.lower() in self._lower:  # repeated headers are joined, as requests joins them
                key = self._lower[k.lower()]
                dict.__setitem__(self, key, dict.__getitem__(self, key) + ", " + v)
            else:
                self._lower[k.lower()] = k
                dict.__setitem__(self, k, v)

    def __getitem__(self, key: str) -> str:
        return dict.__getitem__(self, self._lower[key.lower()])

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and key.lower() in self._lower

    def get(self, key: str, default: Any = None) -> Any:
        return self[key] if key in self else default


class Response:
    def __init__(self, sent: Dict[str, Any], method: str) -> None:
        self.status_code: int = sent["status"]
        self.reason: str = sent["reason"]
        self.headers = CaseInsensitiveDict(sent["headers"])
        self.content: bytes = sent["body"]
        self.url: str = sent["url"]
        self.request = None
        self._method = method
        self._failure: str = sent["failure"]
        self._secrets: List[str] = list(sent.get("secrets") or [])

    @property
    def ok(self) -> bool:
        return self.status_code < 400

    @property
    def encoding(self) -> str:
        ctype = self.headers.get("Content-Type", "")
        for part in ctype.split(";")[1:]:
            k, _, v = part.strip().partition("=")
            if k.lower() == "charset" and v:
                return v.strip('"')
        return "utf-8"

    @property
    def text(self) -> str:
        return self.content.decode(self.encoding, errors="replace")

    def json(self, **kwargs: Any) -> Any:
        return _json.loads(self.content, **kwargs)

    @property
    def links(self) -> Dict[str, Dict[str, str]]:
        """The parsed Link header, keyed by rel (or url), as requests' Response.links."""
        out: Dict[str, Dict[str, str]] = {}
        value = self.headers.get("Link", "")
        for part in _re.split(r",\s*(?=<)", value.strip()) if value.strip() else []:
            url, _, params = part.partition(";")
            link = {"url": url.strip().strip("<> '\"")}
            for param in params.split(";"):
                k, eq, v = param.partition("=")
                if eq:
                    link[k.strip(" '\"")] = v.strip(" '\"")
            out[link.get("rel") or link["url"]] = link
        return out

    def raise_for_status(self) -> None:
        if self.status_code >= 400:
            # The engine's hint about credentials withheld from another origin is kept (masked).
            idx = self._failure.find(". The credentials were not sent")
            hint = self._failure[idx:] if idx >= 0 else ""
            raise HTTPError(http_error_message(self.status_code, self.reason, self.url, self._secrets, self.text, hint),
                            response=self)

    def iter_lines(self, decode_unicode: bool = False) -> Iterable[Any]:
        for line in self.content.splitlines():
            yield line.decode(self.encoding) if decode_unicode else line

    def __bool__(self) -> bool:
        return self.ok

    def __repr__(self) -> str:
        return f"<Response [{self.status_code}]>"


class Request:
    """requests' Request, as dlt's paginators and auth classes change it before each page is
    sent (RESTClient.paginate with a paginator or auth of one's own): `url`, `method`, `params`,
    `headers`, `json`, `data`, `auth`, `hooks`."""

    def __init__(self, method: str = "GET", url: str = "", headers: Optional[Dict[str, str]] = None,
                 params: Optional[Dict[str, Any]] = None, json: Any = None, data: Any = None, auth: Any = None,
                 hooks: Any = None) -> None:
        self.method = method
        self.url = url
        self.headers: Dict[str, str] = dict(headers or {})
        self.params: Dict[str, Any] = dict(params or {})
        self.json = json
        self.data = data
        self.auth = auth
        self.hooks = hooks

    @property
    def body(self) -> Any:
        """The body as sent (requests' PreparedRequest.body): JSON bytes, form text or the data."""
        sent = self.__dict__.get("_body")
        if sent is not None:
            return sent
        if self.json is not None:
            return _json.dumps(self.json).encode("utf-8")
        if isinstance(self.data, dict) or (isinstance(self.data, (list, tuple)) and self.data):
            return urlencode(_pairs(self.data))
        return self.data

    def prepare_url(self, url: str, params: Any) -> None:
        """Sets the URL and adds `params` to the query (requests' PreparedRequest.prepare_url)."""
        self.url = url
        for k, v in _pairs(params):
            self.params[k] = v

    def __repr__(self) -> str:
        return f"<Request [{self.method}]>"


PreparedRequest = Request


def _pairs(params: Any) -> List[Tuple[str, str]]:
    if not params:
        return []
    items = params.items() if isinstance(params, dict) else params
    out = []
    for k, v in items:
        if v is None:
            continue
        for one in (v if isinstance(v, (list, tuple)) else [v]):
            out.append((str(k), one if isinstance(one, str) else _json.dumps(one) if isinstance(one, bool) else str(one)))
    return out


def send(method: str, url: str, params: Any = None, data: Any = None, json: Any = None,
         headers: Optional[Dict[str, str]] = None, auth: Any = None, timeout: Any = None,
         secrets: Optional[List[str]] = None) -> Response:
    """One request through the engine (the functions and Session below call this)."""
    from dlt import _engine

    hdrs: Dict[str, str] = {str(k): str(v) for k, v in (headers or {}).items() if v is not None}
    hidden = list(secrets or [])
    body: Optional[bytes] = None
    if json is not None:
        from dlt.common.json import custom_encode

        body = _json.dumps(json, default=custom_encode).encode("utf-8")
        hdrs.setdefault("Content-Type", "application/json")
    elif isinstance(data, dict) or (isinstance(data, (list, tuple)) and data and isinstance(data[0], tuple)):
        body = urlencode(_pairs(data)).encode("ascii")
        hdrs.setdefault("Content-Type", "application/x-www-form-urlencoded")
    elif isinstance(data, (str, bytes, bytearray)):
        body = data.encode("utf-8") if isinstance(data, str) else bytes(data)
        if not any(k.lower() == "content-type" for k in hdrs):
            hdrs["Content-Type"] = ""  # none is sent (the engine would default to application/json)
    elif data is not None:
        raise TypeError(f"data must be a dict, a list of pairs, str or bytes, got {type(data).__name__}")
    if isinstance(auth, tuple) and len(auth) == 2:
        token = base64.b64encode(f"{auth[0]}:{auth[1]}".encode("utf-8")).decode("ascii")
        hdrs["Authorization"] = "Basic " + token
        hidden += [str(auth[1]), token]
    elif auth is not None:
        raise TypeError("auth must be a (user, password) tuple here; use RESTClient's auth classes for others")
    # values of query parameters named as secrets (api_key, token, ...) are masked as dlt's sanitize_url does
    hidden += [v for k, v in _pairs(params) if k.lower() in _SENSITIVE_PARAMS and v]
    for k, v in hdrs.items():
        if k.lower() in ("authorization", "x-api-key", "api-key", "x-auth-token", "cookie"):
            hidden.append(v.split(" ", 1)[-1] if k.lower() == "authorization" else v)
    t = timeout[1] if isinstance(timeout, tuple) else timeout
    try:
        sent = _engine.native.http_send(_engine.workspace(), method.upper(), url, list(hdrs.items()), _pairs(params),
                                        body, hidden, float(t) if t is not None else None)
    except _engine.native.EngineError as e:
        text = str(e)
        if "timed out" in text.lower() or "timeout" in text.lower():
            raise Timeout(text) from None
        raise ConnectionError(text) from None
    sent["secrets"] = hidden
    return Response(sent, method.upper())


DEFAULT_RETRY_STATUS: Tuple[int, ...] = (429, *range(500, 600))
DEFAULT_RETRY_EXCEPTIONS: Tuple[type, ...] = (ConnectionError, Timeout, ChunkedEncodingError)
RetryPredicate = Callable[[Optional[Response], Optional[BaseException]], bool]


def _engine_retries(status: int) -> bool:
    """The statuses the engine's HTTP client retries by itself (429 and 5xx)."""
    return status == 429 or status >= 500


class _Retry:
    """dlt's retry of Client on top of the engine's: the engine retries 429, 5xx and connection
    errors itself ([runtime] request_* settings); here a response whose status is in
    `status_codes` but not one of those, or for which a `retry_condition` is true, is sent again
    with dlt's exponential backoff (Retry-After honoured)."""

    def __init__(self, status_codes: Sequence[int], exceptions: Sequence[type],
                 conditions: Sequence[RetryPredicate], max_attempts: Optional[int], backoff: Optional[float],
                 max_delay: Optional[float], respect_retry_after: bool) -> None:
        self.status_codes = {int(c) for c in status_codes}
        self.exceptions = tuple(exceptions)
        self.conditions = list(conditions)
        self.max_attempts = max_attempts
        self.backoff = backoff
        self.max_delay = max_delay
        self.respect_retry_after = respect_retry_after

    def run(self, fn: Callable[[], Response]) -> Response:
        attempt = 1
        while True:
            resp: Optional[Response] = None
            exc: Optional[BaseException] = None
            try:
                resp = fn()
            except RequestException as e:
                exc = e
            retry = resp is not None and resp.status_code in self.status_codes and not _engine_retries(resp.status_code)
            retry = retry or any(pred(resp, exc) for pred in self.conditions)
            attempts = self.max_attempts if self.max_attempts is not None else (
                _runtime("request_max_attempts", 5) if retry else 1)
            if not retry or attempt >= max(1, int(attempts)):
                if exc is not None:
                    raise exc
                assert resp is not None
                return resp
            backoff = self.backoff if self.backoff is not None else _runtime("request_backoff_factor", 1.0)
            max_delay = self.max_delay if self.max_delay is not None else _runtime("request_max_retry_delay", 300.0)
            wait = float(backoff) * 2 ** (attempt - 1)
            after = resp.headers.get("Retry-After") if resp is not None and self.respect_retry_after else None
            if after is not None and str(after).strip().isdigit():
                wait = float(after)
            _time.sleep(max(0.0, min(wait, float(max_delay))))
            attempt += 1


_UNSUPPORTED_KWARGS = ("files", "cookies", "proxies", "stream", "verify", "cert", "hooks", "allow_redirects")


class Session:
    """dlt's requests Session: headers, params and auth sent with every request of the session;
    a 4xx/5xx response raises HTTPError unless made with raise_for_status=False."""

    def __init__(self, timeout: Any = None, raise_for_status: bool = True) -> None:
        self.headers: Dict[str, str] = {}
        self.auth: Any = None
        self.params: Dict[str, Any] = {}
        self.timeout = timeout
        self.raise_for_status = raise_for_status
        self._retry: Optional[_Retry] = None

    def request(self, method: str, url: str, params: Any = None, data: Any = None, headers: Optional[Dict[str, str]] = None,
                auth: Any = None, json: Any = None, timeout: Any = None, **kwargs: Any) -> Response:
        for k in kwargs:
            if k in _UNSUPPORTED_KWARGS:
                raise NotImplementedError(f"dlt.sources.helpers.requests: the `{k}` argument is not supported by "
                                          "dlt-cpp (the engine's HTTP client sends the requests)")
            raise TypeError(f"request() got an unexpected keyword argument '{k}'")
        merged = {**self.headers, **(headers or {})}
        all_params = _pairs(self.params) + _pairs(params)

        def once() -> Response:
            return send(method, url, params=all_params, data=data, json=json, headers=merged,
                        auth=auth if auth is not None else self.auth,
                        timeout=timeout if timeout is not None else self.timeout)

        resp = self._retry.run(once) if self._retry is not None else once()
        if self.raise_for_status:
            resp.raise_for_status()
        return resp

    def get(self, url: str, params: Any = None, **kwargs: Any) -> Response:
        return self.request("GET", url, params=params, **kwargs)

    def options(self, url: str, **kwargs: Any) -> Response:
        return self.request("OPTIONS", url, **kwargs)

    def post(self, url: str, data: Any = None, json: Any = None, **kwargs: Any) -> Response:
        return self.request("POST", url, data=data, json=json, **kwargs)

    def put(self, url: str, data: Any = None, **kwargs: Any) -> Response:
        return self.request("PUT", url, data=data, **kwargs)

    def patch(self, url: str, data: Any = None, **kwargs: Any) -> Response:
        return self.request("PATCH", url, data=data, **kwargs)

    def delete(self, url: str, **kwargs: Any) -> Response:
        return self.request("DELETE", url, **kwargs)

    def head(self, url: str, **kwargs: Any) -> Response:
        return self.request("HEAD", url, **kwargs)

    def close(self) -> None:
        pass

    def __enter__(self) -> "Session":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


class Client:
    """dlt's retrying Client: `session` is the Session its get/post/... use. The engine's HTTP
    client retries 429, 5xx and connection errors ([runtime] request_max_attempts,
    request_backoff_factor, request_max_retry_delay); `status_codes` adds statuses to retry and
    `retry_condition` predicates (response, exception) -> bool decide more retries, as dlt's."""

    def __init__(self, request_timeout: Any = None, max_connections: int = 50, raise_for_status: bool = True,
                 status_codes: Sequence[int] = DEFAULT_RETRY_STATUS,
                 exceptions: Sequence[type] = DEFAULT_RETRY_EXCEPTIONS, request_max_attempts: Optional[int] = None,
                 retry_condition: Union[RetryPredicate, Sequence[RetryPredicate], None] = None,
                 request_backoff_factor: Optional[float] = None, request_max_retry_delay: Optional[float] = None,
                 respect_retry_after_header: bool = True, session_attrs: Optional[Dict[str, Any]] = None) -> None:
        conditions = [] if retry_condition is None else (
            list(retry_condition) if isinstance(retry_condition, (list, tuple)) else [retry_condition])
        if isinstance(request_timeout, tuple):
            request_timeout = request_timeout[1]
        self.session = Session(timeout=request_timeout, raise_for_status=raise_for_status)
        self.session._retry = _Retry(status_codes, exceptions, conditions, request_max_attempts,
                                     request_backoff_factor, request_max_retry_delay, respect_retry_after_header)
        for key, value in (session_attrs or {}).items():
            setattr(self.session, key, value)

    def request(self, method: str, url: str, **kwargs: Any) -> Response:
        return self.session.request(method, url, **kwargs)

    def get(self, url: str, params: Any = None, **kwargs: Any) -> Response:
        return self.session.get(url, params=params, **kwargs)

    def post(self, url: str, data: Any = None, json: Any = None, **kwargs: Any) -> Response:
        return self.session.post(url, data=data, json=json, **kwargs)

    def put(self, url: str, data: Any = None, **kwargs: Any) -> Response:
        return self.session.put(url, data=data, **kwargs)

    def patch(self, url: str, data: Any = None, **kwargs: Any) -> Response:
        return self.session.patch(url, data=data, **kwargs)

    def delete(self, url: str, **kwargs: Any) -> Response:
        return self.session.delete(url, **kwargs)

    def head(self, url: str, **kwargs: Any) -> Response:
        return self.session.head(url, **kwargs)

    def options(self, url: str, **kwargs: Any) -> Response:
        return self.session.options(url, **kwargs)


# dlt's default client: retries, and raise_for_status on a 4xx/5xx response.
client = Client()


def request(method: str, url: str, **kwargs: Any) -> Response:
    return client.request(method, url, **kwargs)


def get(url: str, params: Any = None, **kwargs: Any) -> Response:
    return client.get(url, params=params, **kwargs)


def post(url: str, data: Any = None, json: Any = None, **kwargs: Any) -> Response:
    return client.post(url, data=data, json=json, **kwargs)


def put(url: str, data: Any = None, **kwargs: Any) -> Response:
    return client.put(url, data=data, **kwargs)


def patch(url: str, data: Any = None, **kwargs: Any) -> Response:
    return client.patch(url, data=data, **kwargs)


def delete(url: str, **kwargs: Any) -> Response:
    return client.delete(url, **kwargs)


def head(url: str, **kwargs: Any) -> Response:
    return client.head(url, **kwargs)


def options(url: str, **kwargs: Any) -> Response:
    return client.options(url, **kwargs)


__all__ = ["client", "get", "post", "put", "patch", "delete", "options", "head", "request", "Session", "Client",
           "Request", "Response", "RequestException", "HTTPError", "ConnectionError", "ConnectTimeout", "ReadTimeout",
           "Timeout", "TooManyRedirects", "URLRequired", "ChunkedEncodingError", "RetryError"]
