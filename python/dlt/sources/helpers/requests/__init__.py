"""dlt.sources.helpers.requests: dlt's HTTP helper, as its docs use it

    from dlt.sources.helpers import requests
    response = requests.get("https://pokeapi.co/api/v2/pokemon", params={"limit": 20})
    response.raise_for_status()
    yield response.json()["results"]

The engine's HTTP client sends the requests (libcurl: timeouts, redirects, gzip), with the retries
dlt's helper makes (429, 5xx and connection errors, Retry-After honoured) as the active profile's
[runtime] request_timeout / request_max_attempts / request_backoff_factor /
request_max_retry_delay say. The API is the part of `requests` that dlt scripts use: get, post,
put, patch, delete, head, request, Session, Response, and the exception types.
"""

import base64
import json as _json
from typing import Any, Dict, Iterable, List, Optional, Tuple
from urllib.parse import urlencode


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

    def raise_for_status(self) -> None:
        if self.status_code >= 400:
            raise HTTPError(self._failure or f"{self.status_code} {self.reason} for url: {self.url}", response=self)

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
    elif isinstance(data, str):
        body = data.encode("utf-8")
    elif isinstance(data, (bytes, bytearray)):
        body = bytes(data)
    elif data is not None:
        raise TypeError(f"data must be a dict, a list of pairs, str or bytes, got {type(data).__name__}")
    if isinstance(auth, tuple) and len(auth) == 2:
        token = base64.b64encode(f"{auth[0]}:{auth[1]}".encode("utf-8")).decode("ascii")
        hdrs["Authorization"] = "Basic " + token
        hidden += [str(auth[1]), token]
    elif auth is not None:
        raise TypeError("auth must be a (user, password) tuple here; use RESTClient's auth classes for others")
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
    return Response(sent, method.upper())


def request(method: str, url: str, **kwargs: Any) -> Response:
    return send(method, url, **kwargs)


def get(url: str, params: Any = None, **kwargs: Any) -> Response:
    return send("GET", url, params=params, **kwargs)


def post(url: str, data: Any = None, json: Any = None, **kwargs: Any) -> Response:
    return send("POST", url, data=data, json=json, **kwargs)


def put(url: str, data: Any = None, **kwargs: Any) -> Response:
    return send("PUT", url, data=data, **kwargs)


def patch(url: str, data: Any = None, **kwargs: Any) -> Response:
    return send("PATCH", url, data=data, **kwargs)


def delete(url: str, **kwargs: Any) -> Response:
    return send("DELETE", url, **kwargs)


def head(url: str, **kwargs: Any) -> Response:
    return send("HEAD", url, **kwargs)


class Session:
    """requests' Session: headers and auth sent with every request of the session."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.headers: Dict[str, str] = {}
        self.auth: Any = None
        self.params: Dict[str, Any] = {}

    def request(self, method: str, url: str, params: Any = None, headers: Optional[Dict[str, str]] = None,
                auth: Any = None, **kwargs: Any) -> Response:
        merged = {**self.headers, **(headers or {})}
        all_params = _pairs(self.params) + _pairs(params)
        return send(method, url, params=all_params, headers=merged, auth=auth if auth is not None else self.auth,
                    **kwargs)

    def get(self, url: str, **kwargs: Any) -> Response:
        return self.request("GET", url, **kwargs)

    def post(self, url: str, data: Any = None, json: Any = None, **kwargs: Any) -> Response:
        return self.request("POST", url, data=data, json=json, **kwargs)

    def put(self, url: str, **kwargs: Any) -> Response:
        return self.request("PUT", url, **kwargs)

    def patch(self, url: str, **kwargs: Any) -> Response:
        return self.request("PATCH", url, **kwargs)

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


Client = Session

__all__ = ["get", "post", "put", "patch", "delete", "head", "request", "Session", "Client", "Request", "Response",
           "RequestException", "HTTPError", "ConnectionError", "Timeout"]
