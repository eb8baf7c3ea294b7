"""dlt's RESTClient on the engine's REST API client: `paginate` fetches the pages of an endpoint
with the engine (the same HTTP client, auth, paginators, data selectors and retries as
rest_api_source), and yields each page's rows as a PageData list.

    client = RESTClient(base_url="https://api.github.com", auth=BearerTokenAuth(token),
                        paginator=HeaderLinkPaginator())
    for page in client.paginate("/repos/dlt-hub/dlt/issues", params={"state": "open"}):
        yield page

A paginator or auth class of one's own, or response hooks, are run in Python instead
(python_paging.py), each request still sent by the engine's HTTP client.
"""

import copy
import json as _json
import re
from typing import Any, Dict, Iterator, List, Optional


class PageData(list):
    """The rows of one page (a list), as dlt's PageData, with the `paginator` and `auth` used and
    the page's `request` and `response` (the requests helper's Request and Response: method, url,
    headers, body; status_code, headers, content, json(), url). The credentials the engine adds
    (auth headers, an api_key parameter) are not among the request's headers and params."""

    def __init__(self, rows: List[Any], paginator: Any = None, auth: Any = None, request: Any = None,
                 response: Any = None) -> None:
        super().__init__(rows)
        self.request = request
        self.response = response
        self.paginator = paginator
        self.auth = auth


def _exchange(x: Optional[Dict[str, Any]]) -> Any:
    """The engine's record of a page as requests' Request and Response (None, None without one)."""
    if x is None:
        return None, None
    from dlt.sources.helpers import requests as _requests

    request = _requests.Request(x["method"], x["url"], dict(x["request_headers"]))
    request._body = x["request_body"]
    response = _requests.Response({"status": x["status"], "reason": x["reason"], "headers": x["headers"],
                                   "body": x["body"], "url": x["response_url"], "failure": ""}, x["method"])
    response.request = request
    return request, response


def _config(value: Any) -> Any:
    if value is None or isinstance(value, (str, dict)):
        return value
    if hasattr(value, "_rest_api_config"):
        return value._rest_api_config()
    raise ValueError(f"RESTClient: {type(value).__name__} is not a paginator or auth of "
                     "dlt.sources.helpers.rest_client (a class of one's own subclasses BasePaginator or AuthConfigBase)")


class RESTClient:
    def __init__(self, base_url: str = "", headers: Optional[Dict[str, str]] = None, auth: Any = None,
                 paginator: Any = None, data_selector: Optional[str] = None, session: Any = None,
                 config: Any = None) -> None:
        if session is not None:
            raise NotImplementedError("RESTClient(session=...): the engine's HTTP client makes the requests in dlt-cpp")
        self.base_url = base_url
        self.headers = dict(headers or {})
        self.auth = auth
        self.paginator = paginator
        self.data_selector = data_selector

    def __repr__(self) -> str:
        return f"RESTClient(base_url={self.base_url!r}, auth={self.auth!r}, paginator={self.paginator!r})"

    def paginate(self, path: str = "", method: str = "GET", params: Optional[Dict[str, Any]] = None,
                 json: Optional[Dict[str, Any]] = None, auth: Any = None, paginator: Any = None,
                 data_selector: Optional[str] = None, hooks: Any = None, headers: Optional[Dict[str, Any]] = None,
                 *, data: Any = None, **kwargs: Any) -> Iterator[PageData]:
        """The pages of `path`, each a PageData of its rows. Without a paginator the engine finds
        one as dlt does (a next link in the body or the Link header, else a single page); without
        a data_selector it finds the list of rows in the body. The client's paginator is copied
        for each call (as dlt deep-copies it), so each call pages from the start. A 4xx/5xx
        response raises requests' HTTPError (also a RESTClientError) unless hooks are given."""
        from dlt import _engine
        from dlt.sources.helpers.rest_client import auth as _auth, paginators as _paginators

        if kwargs:
            raise NotImplementedError(f"RESTClient.paginate: the arguments {sorted(kwargs)} (passed to requests in dlt) "
                                      "are not supported by dlt-cpp (the engine's HTTP client sends the requests)")
        _check_body(json, data)
        used_auth = auth if auth is not None else self.auth
        used_paginator = paginator if paginator is not None else copy.deepcopy(self.paginator)
        selector = data_selector if data_selector is not None else self.data_selector
        all_headers = {**self.headers, **(headers or {})}
        if hooks or data is not None or _paginators.is_custom(used_paginator) or _auth.is_custom(used_auth):
            # What only Python can do: paged here, each request sent by the engine's HTTP client.
            from dlt.sources.helpers.rest_client.python_paging import paginate_in_python

            yield from paginate_in_python(self._url(path), method, all_headers, params, json, used_auth,
                                          used_paginator, selector, hooks, PageData, data=data)
            return
        client: Dict[str, Any] = {}
        if self.base_url:
            client["base_url"] = self.base_url
        if all_headers:
            client["headers"] = all_headers
        if used_auth is not None:
            client["auth"] = _config(used_auth)
        endpoint: Dict[str, Any] = {"path": path, "method": method.upper()}
        if params:
            endpoint["params"] = params
        if json is not None:
            endpoint["json"] = json
        if used_paginator is not None:
            endpoint["paginator"] = _config(used_paginator)
        if selector is not None:
            endpoint["data_selector"] = selector
        try:
            spec = _engine.native.RestApiSpec({"type": "rest_api", "name": "rest_client", "client": client},
                                              [{"name": "paginate", "endpoint": endpoint}])
            pages = _engine.native.RestPages(spec, _engine.workspace())
            for text, exchange in pages:
                request, response = _exchange(exchange)
                yield PageData(_json.loads(text), used_paginator, used_auth, request, response)
        except _engine.native.EngineError as e:
            raise _engine_error(str(e)) from None

    def request(self, path: str = "", method: str = "GET", params: Optional[Dict[str, Any]] = None,
                json: Optional[Dict[str, Any]] = None, auth: Any = None, headers: Optional[Dict[str, Any]] = None,
                data: Any = None, **kwargs: Any) -> Any:
        """One request to base_url + path with the client's headers (and `headers`) and auth; the
        response as dlt.sources.helpers.requests gives it (status_code, json(), raise_for_status(),
        ...), whatever its status, as dlt's RESTClient."""
        from dlt.sources.helpers import requests as _requests
        from dlt.sources.helpers.rest_client.python_paging import _secrets_of, apply_auth

        _check_body(json, data)
        req = _requests.Request(method, self._url(path), {**self.headers, **(headers or {})}, params, json, data)
        secrets: List[str] = []
        basic = apply_auth(auth if auth is not None else self.auth, req, secrets)
        return _requests.send(method, req.url, params=req.params, json=json, data=data, headers=req.headers,
                              auth=basic, secrets=secrets + _secrets_of(req), **kwargs)

    def _url(self, path: str) -> str:
        if path.startswith(("http://", "https://")) or not self.base_url:
            return path
        return self.base_url.rstrip("/") + ("/" + path.lstrip("/") if path else "")

    def get(self, path: str, params: Optional[Dict[str, Any]] = None, **kwargs: Any) -> Any:
        return self.request(path, method="GET", params=params, **kwargs)

    def post(self, path: str, json: Optional[Dict[str, Any]] = None, *, data: Any = None, **kwargs: Any) -> Any:
        return self.request(path, method="POST", json=json, data=data, **kwargs)


def _check_body(json: Any, data: Any) -> None:
    if json and data:
        raise ValueError("Cannot use both 'json' and 'data' parameters simultaneously. "
                         "Use 'json' for JSON payloads or 'data' for form-encoded/raw data.")


_HTTP_FAILURE = re.compile(r"(?P<method>[A-Z]+) (?P<url>\S+) failed with HTTP (?P<status>\d{3})(?P<rest>.*)\Z", re.S)


def _engine_error(text: str) -> Exception:
    """The engine's error for a page as dlt raises it: a 4xx/5xx response becomes requests'
    HTTPError with dlt's message (the body, which the engine's text holds, only when [runtime]
    http_show_error_body is true); other failures a RESTClientError."""
    from dlt.sources.helpers import requests as _requests
    from dlt.sources.helpers.rest_client.exceptions import PaginateHTTPError, RESTClientError

    m = _HTTP_FAILURE.search(text)
    if not m:
        return RESTClientError(text)
    status = int(m.group("status"))
    r = re.match(r"(?: (?P<reason>[^:]*?))?(?: after \d+ attempts)?(?P<tail>(?::|\.|\s\(|$).*)\Z",
                 m.group("rest"), re.S)
    reason = (r.group("reason") or "") if r else ""
    tail = r.group("tail") if r else m.group("rest")
    body = tail[2:].split(" (base_url ", 1)[0] if tail.startswith(": ") else None
    response = _requests.Response({"status": status, "reason": reason, "headers": [], "body": b"",
                                   "url": m.group("url"), "failure": ""}, m.group("method"))
    # the engine's text is masked already; the URL's sensitive parameters are masked here
    msg = _requests.http_error_message(status, reason, m.group("url"), (), body)
    return PaginateHTTPError(msg, response=response)


def paginate(url: str, method: str = "GET", headers: Optional[Dict[str, str]] = None,
             params: Optional[Dict[str, Any]] = None, json: Optional[Dict[str, Any]] = None, auth: Any = None,
             paginator: Any = None, data_selector: Optional[str] = None, hooks: Any = None, *,
             data: Any = None) -> Iterator[PageData]:
    """dlt's rest_client.paginate(url, ...): the pages of one URL."""
    return RESTClient(base_url="", headers=headers).paginate(url, method=method, params=params, json=json, auth=auth,
                                                             paginator=paginator, data_selector=data_selector,
                                                             hooks=hooks, data=data)
