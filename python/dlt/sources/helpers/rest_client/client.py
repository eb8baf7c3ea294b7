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

import json as _json
from typing import Any, Dict, Iterator, List, Optional


class PageData(list):
    """The rows of one page (a list), as dlt's PageData, with the `paginator` and `auth` used.
    `request` and `response` are kept when the page was fetched in Python (a paginator or auth
    class of one's own, or hooks); pages the engine fetched have None there."""

    def __init__(self, rows: List[Any], paginator: Any = None, auth: Any = None, request: Any = None,
                 response: Any = None) -> None:
        super().__init__(rows)
        self.request = request
        self.response = response
        self.paginator = paginator
        self.auth = auth


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
                 data_selector: Optional[str] = None, hooks: Any = None, **kwargs: Any) -> Iterator[PageData]:
        """The pages of `path`, each a PageData of its rows. Without a paginator the engine finds
        one as dlt does (a next link in the body or the Link header, else a single page); without
        a data_selector it finds the list of rows in the body."""
        from dlt import _engine
        from dlt.sources.helpers.rest_client import auth as _auth, paginators as _paginators

        if kwargs:
            raise TypeError(f"RESTClient.paginate got unexpected arguments {sorted(kwargs)}")
        used_auth = auth if auth is not None else self.auth
        used_paginator = paginator if paginator is not None else self.paginator
        selector = data_selector if data_selector is not None else self.data_selector
        if hooks or _paginators.is_custom(used_paginator) or _auth.is_custom(used_auth):
            # What only Python can do: paged here, each request sent by the engine's HTTP client.
            from dlt.sources.helpers.rest_client.python_paging import paginate_in_python

            yield from paginate_in_python(self._url(path), method, self.headers, params, json, used_auth,
                                          used_paginator, selector, hooks, PageData)
            return
        client: Dict[str, Any] = {}
        if self.base_url:
            client["base_url"] = self.base_url
        if self.headers:
            client["headers"] = self.headers
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
            for text in pages:
                yield PageData(_json.loads(text), used_paginator, used_auth)
        except _engine.native.EngineError as e:
            from dlt.sources.helpers.rest_client.exceptions import RESTClientError

            raise RESTClientError(str(e)) from None

    def request(self, path: str = "", method: str = "GET", params: Optional[Dict[str, Any]] = None,
                json: Optional[Dict[str, Any]] = None, auth: Any = None, **kwargs: Any) -> Any:
        """One request to base_url + path with the client's headers and auth; the response as
        dlt.sources.helpers.requests gives it (status_code, json(), raise_for_status(), ...)."""
        from dlt.sources.helpers import requests as _requests
        from dlt.sources.helpers.rest_client.python_paging import _secrets_of, apply_auth

        req = _requests.Request(method, self._url(path), self.headers, params, json)
        secrets: List[str] = []
        basic = apply_auth(auth if auth is not None else self.auth, req, secrets)
        return _requests.send(method, req.url, params=req.params, json=json, headers=req.headers, auth=basic,
                              secrets=secrets + _secrets_of(req), **kwargs)

    def _url(self, path: str) -> str:
        if path.startswith(("http://", "https://")) or not self.base_url:
            return path
        return self.base_url.rstrip("/") + ("/" + path.lstrip("/") if path else "")

    def get(self, path: str, params: Optional[Dict[str, Any]] = None, **kwargs: Any) -> Any:
        return self.request(path, method="GET", params=params, **kwargs)

    def post(self, path: str, json: Optional[Dict[str, Any]] = None, **kwargs: Any) -> Any:
        return self.request(path, method="POST", json=json, **kwargs)


def paginate(url: str, method: str = "GET", headers: Optional[Dict[str, str]] = None,
             params: Optional[Dict[str, Any]] = None, json: Optional[Dict[str, Any]] = None, auth: Any = None,
             paginator: Any = None, data_selector: Optional[str] = None, hooks: Any = None) -> Iterator[PageData]:
    """dlt's rest_client.paginate(url, ...): the pages of one URL."""
    return RESTClient(base_url="", headers=headers).paginate(url, method=method, params=params, json=json, auth=auth,
                                                             paginator=paginator, data_selector=data_selector,
                                                             hooks=hooks)
