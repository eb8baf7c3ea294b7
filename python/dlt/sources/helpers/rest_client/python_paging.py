"""RESTClient.paginate driven in Python, for what the engine's paginators cannot do: a paginator
or auth class of one's own, and response hooks. Each request is sent by the engine's HTTP client
(dlt.sources.helpers.requests: retries, secrets only to the origin asked for); the loop is dlt's:

    paginator.init_request(request)
    repeat: send -> response hooks -> rows (data_selector or found as the engine finds them)
            -> paginator.update_state(response, rows) -> paginator.update_request(request)
            -> yield the page, until paginator.has_next_page is false

A hook that raises IgnoreResponseException drops that response and ends the paging; without
hooks a response of 400 or more raises RESTClientError (URL and status, secrets masked)."""

import json as _json
import re
from typing import Any, Callable, Dict, Iterator, List, Optional
from urllib.parse import urljoin

from dlt.sources.helpers.rest_client.paginators import is_custom as _custom_paginator

# dlt's detector.py: list keys that hold the rows, and keys that never do.
_RECORD_KEYS = frozenset(("data", "items", "results", "entries", "records", "rows", "entities", "payload", "content",
                          "objects", "values"))
_NON_RECORD_KEYS = frozenset(("meta", "metadata", "pagination", "links", "extras", "headers"))

_TOKEN = re.compile(r"""\.\.|\.(\*|[^.\[\]]+)|\[\s*(\*|-?\d+|'[^']*'|"[^"]*")\s*\]""")


def _jsonpath_steps(path: str) -> List[Any]:
    """The steps of a JSONPath (`$.a.b[*]`, `a.b[0]`, `a['b'].*`, `$..id`): key names, indexes,
    "*" (every child) and ".." (every descendant, then the next step)."""
    path = path.strip()
    if path.startswith("$"):
        path = path[1:]
    elif path and not path.startswith((".", "[")):
        path = "." + path
    steps: List[Any] = []
    pos = 0
    while pos < len(path):
        m = _TOKEN.match(path, pos)
        if not m:
            raise ValueError(f"data_selector `{path}`: not a JSONPath this client reads (at `{path[pos:]}`)")
        if m.group(0) == "..":
            steps.append("..")
        else:
            tok = m.group(1) if m.group(1) is not None else m.group(2)
            if m.group(2) is not None and tok[:1] in "'\"":
                steps.append(("key", tok[1:-1]))
            elif tok == "*":
                steps.append("*")
            elif m.group(2) is not None:
                steps.append(("index", int(tok)))
            else:
                steps.append(("key", tok))
        pos = m.end()
    return steps


def _children(node: Any) -> List[Any]:
    return list(node.values()) if isinstance(node, dict) else list(node) if isinstance(node, list) else []


def _descendants(node: Any) -> List[Any]:
    out = [node]
    for c in _children(node):
        out.extend(_descendants(c))
    return out


def find_values(path: str, body: Any) -> List[Any]:
    """The values a JSONPath matches in `body` (dlt's jsonpath.find_values)."""
    nodes = [body]
    steps = _jsonpath_steps(path)
    for i, step in enumerate(steps):
        if step == "..":
            nodes = [d for n in nodes for d in _descendants(n)]
            continue
        nxt: List[Any] = []
        for n in nodes:
            if step == "*":
                nxt.extend(_children(n))
            elif step[0] == "key":
                if isinstance(n, dict) and step[1] in n:
                    nxt.append(n[step[1]])
            elif isinstance(n, list) and -len(n) <= step[1] < len(n):
                nxt.append(n[step[1]])
        nodes = nxt
    return nodes


def detect_data_selector(body: Any) -> str:
    """dlt's find_response_page_data: "$" for a body that is no object or holds no list, else the
    path of the first list (depth first, up to three keys down) under a record key (data, items,
    results, values, ...), else of the first list found."""
    if not isinstance(body, dict):
        return "$"
    lists: List[Any] = []

    def walk(obj: Dict[str, Any], path: tuple) -> None:
        if len(path) > 2:
            return
        for k, v in obj.items():
            if isinstance(v, list):
                lists.append((*path, k))
            elif isinstance(v, dict):
                walk(v, (*path, k))

    walk(body, ())
    if not lists:
        return "$"
    for keys in lists:
        if keys[-1] in _RECORD_KEYS and keys[-1] not in _NON_RECORD_KEYS:
            return _selector_of(keys)
    return _selector_of(lists[0])


def _selector_of(keys: tuple) -> str:
    return "$" + "".join("[" + _json.dumps(k).replace('"', "'") + "]" if not re.fullmatch(r"[A-Za-z_][\w-]*", k)
                         else "." + k for k in keys)


def select_rows(body: Any, data_selector: Optional[str]) -> List[Any]:
    """The rows of a response body at `data_selector` (a JSONPath), as dlt's extract_response:
    one match that is a list is the rows, one other match is one row, several matches are the
    rows, none is no row."""
    if body is None:
        return []
    data: Any = find_values(data_selector or "$", body)
    data = data[0] if len(data) == 1 else data
    if data is None:
        return []
    return data if isinstance(data, list) else [data]


def _path(body: Any, path: str) -> Any:
    node = body
    for part in (p for p in (path[2:] if path.startswith("$.") else path).split(".") if p):
        node = node.get(part) if isinstance(node, dict) else None
    return node


def _next_url_path(body: Any) -> Optional[str]:
    """Where a body holds its next page's URL (as the engine finds it: a key with `next`, or an
    object under it with `href`/`url`)."""
    if not isinstance(body, dict):
        return None
    for k, v in body.items():
        lower = k.lower()
        if "next" in lower:
            if isinstance(v, dict):
                for k2 in v:
                    if "href" in k2.lower() or "url" in k2.lower():
                        return k + "." + k2
            if v is None or isinstance(v, str):
                return k
            continue
        if isinstance(v, dict):
            inner = _next_url_path(v)
            if inner:
                return k + "." + inner
    return None


def _link_next(response: Any, key: str = "next") -> Optional[str]:
    for part in response.headers.get("Link", "").split(","):
        url, _, rest = part.partition(";")
        if f'rel="{key}"' in rest.replace(" ", "") or f"rel={key}" in rest.replace(" ", ""):
            return url.strip().strip("<>")
    return None


class _Builtin:
    """The paging of the built-in paginators (and of none given: a Link header, then a next URL in
    the body, else one page) when RESTClient pages in Python because of hooks or a custom auth."""

    def __init__(self, paginator: Any) -> None:
        self.kind = type(paginator)._type if paginator is not None else "auto"
        self.settings = dict(getattr(paginator, "_settings", {}) or {})
        if self.kind not in ("auto", "single_page", "json_link", "header_link", "offset", "page_number", "cursor"):
            raise NotImplementedError(f"RESTClient.paginate: {type(paginator).__name__} with hooks or an auth class of "
                                      "one's own is not supported by dlt-cpp yet")
        self.has_next_page = True
        self.next_url: Optional[str] = None
        self.offset = int(self.settings.get("offset", 0))
        self.page = self.settings.get("page")
        if self.page is None:
            self.page = int(self.settings.get("base_page", 0))
        self.cursor: Any = None

    def _place(self, request: Any, param: str, default: str, value: Any) -> None:
        """Into the query parameter, or into the JSON body at the paginator's *_body_path."""
        body_path = self.settings.get(param.replace("_param", "_body_path"))
        if body_path:
            if not isinstance(request.json, dict):
                request.json = {}
            node = request.json
            *parents, last = body_path.split(".")
            for part in parents:
                if not isinstance(node.get(part), dict):
                    node[part] = {}
                node = node[part]
            node[last] = value
        else:
            request.params[self.settings.get(param) or default] = value

    def init_request(self, request: Any) -> None:
        if self.kind == "offset":
            self._place(request, "offset_param", "offset", self.offset)
            self._place(request, "limit_param", "limit", self.settings["limit"])
        elif self.kind == "page_number":
            self._place(request, "page_param", "page", self.page)

    def update_state(self, response: Any, data: Optional[List[Any]]) -> None:
        body = response.json() if response.content else None
        if self.kind == "single_page":
            self.has_next_page = False
        elif self.kind in ("auto", "json_link", "header_link"):
            nxt = None
            if self.kind in ("auto", "header_link"):
                nxt = _link_next(response, self.settings.get("links_next_key", "next"))
            if nxt is None and self.kind in ("auto", "json_link"):
                path = self.settings.get("next_url_path") or (_next_url_path(body) if self.kind == "auto" else "next")
                nxt = _path(body, path) if path else None
            self.next_url = urljoin(response.url, nxt) if isinstance(nxt, str) and nxt else None
            self.has_next_page = self.next_url is not None
        elif self.kind == "cursor":
            self.cursor = _path(body, self.settings.get("cursor_path") or "cursors.next")
            more = self.cursor is not None and self.cursor != ""
            if self.settings.get("stop_after_empty_page") and not data:
                more = False
            has_more = self.settings.get("has_more_path")
            if more and has_more:
                flag = _path(body, has_more)
                if isinstance(flag, str) and flag.lower() in ("true", "1", "yes", "y", "t", "on", "false", "0", "no",
                                                              "n", "f", "off"):
                    flag = flag.lower() in ("true", "1", "yes", "y", "t", "on")
                if not isinstance(flag, bool):
                    raise ValueError(f"'{has_more}' is not a `bool` in the response in `JSONResponseCursorPaginator`. "
                                     f"Expected a boolean, got `{flag}`")
                more = flag
            self.has_next_page = more
        else:
            total_path = self.settings.get("total_path")
            total = _path(body, total_path) if total_path else None
            if self.kind == "offset":
                self.offset += int(self.settings["limit"])
                done = total is not None and self.offset >= int(total)
                maximum = self.settings.get("maximum_offset")
                done = done or (maximum is not None and self.offset >= int(maximum))
            else:
                self.page += 1
                base = int(self.settings.get("base_page", 0))
                done = total is not None and self.page - base >= int(total)
                maximum = self.settings.get("maximum_page")
                done = done or (maximum is not None and self.page >= int(maximum))
            if self.settings.get("stop_after_empty_page", True) and not data:
                done = True
            has_more = self.settings.get("has_more_path")
            if has_more and _path(body, has_more) is False:
                done = True
            self.has_next_page = not done

    def update_request(self, request: Any) -> None:
        if self.kind in ("auto", "json_link", "header_link"):
            if self.next_url:
                request.url = self.next_url
                request.params = {}
        elif self.kind in ("offset", "page_number"):
            self.init_request(request)
        elif self.kind == "cursor" and self.has_next_page:
            self._place(request, "cursor_param", "cursor", self.cursor)


def apply_auth(auth: Any, request: Any, secrets: List[str]) -> Any:
    """Applies `auth` to the request (headers or params) and returns the basic-auth pair, if any."""
    from dlt.sources.helpers.rest_client.auth import OAuth2ClientCredentials, is_custom

    if auth is None:
        return None
    if isinstance(auth, OAuth2ClientCredentials) and not is_custom(auth):
        auth(request)  # obtains (or reuses) the token through the engine's HTTP client
        secrets.append(str(auth.access_token))
        return None
    if is_custom(auth):
        auth(request)  # dlt's auth classes change the request in place (and return it)
        return None
    from dlt.sources.helpers.rest_client.client import _config

    cfg = _config(auth)
    kind = cfg.get("type") if isinstance(cfg, dict) else None
    if kind == "bearer":
        request.headers["Authorization"] = "Bearer " + str(cfg.get("token"))
        secrets.append(str(cfg.get("token")))
    elif kind == "api_key":
        key = str(cfg.get("api_key"))
        secrets.append(key)
        if cfg.get("location", "header") == "query":
            request.params[cfg.get("name") or "api_key"] = key
        else:
            request.headers[cfg.get("name") or "Authorization"] = key
    elif kind == "http_basic":
        return (cfg.get("username"), cfg.get("password"))
    else:
        raise ValueError(f"RESTClient: auth type `{kind}` is not one this client sends")
    return None


def _secrets_of(request: Any) -> List[str]:
    """Header values a custom auth set that must never be shown (the engine masks them)."""
    out = []
    for k, v in request.headers.items():
        if k.lower() in ("authorization", "x-api-key", "api-key", "x-auth-token", "cookie", "proxy-authorization"):
            out.append(str(v).split(" ", 1)[-1] if k.lower() == "authorization" else str(v))
    return out


def paginate_in_python(url: str, method: str, headers: Dict[str, str], params: Optional[Dict[str, Any]],
                       json: Any, auth: Any, paginator: Any, data_selector: Optional[str], hooks: Any,
                       make_page: Callable[..., Any], data: Any = None) -> Iterator[Any]:
    from dlt.sources.helpers import requests as _requests
    from dlt.sources.helpers.rest_client.exceptions import IgnoreResponseException, RESTClientError

    given = paginator
    if not _custom_paginator(paginator):
        paginator = _Builtin(paginator)
    response_hooks = list((hooks or {}).get("response") or [])
    if hooks and set(hooks) - {"response"}:
        raise ValueError(f"RESTClient.paginate(hooks=...): only `response` hooks exist, got {sorted(hooks)}")
    request = _requests.Request(method=method.upper(), url=url, headers=headers, params=params, json=json,
                                data=data, auth=auth, hooks=hooks)
    paginator.init_request(request)
    while True:
        # Each request gets the auth afresh, on a copy: the paginator's request keeps only its own changes.
        sent = _requests.Request(request.method, request.url, request.headers, request.params, request.json,
                                 request.data, request.auth, request.hooks)
        secrets: List[str] = []
        basic = apply_auth(request.auth, sent, secrets)
        secrets += _secrets_of(sent)
        try:
            response = _requests.send(sent.method, sent.url, params=sent.params, data=sent.data, json=sent.json,
                                      headers=sent.headers, auth=basic, secrets=secrets)
        except _requests.RequestException as e:
            raise RESTClientError(f"{sent.method} {sent.url}: {e}") from None
        response.request = sent
        try:
            for hook in response_hooks:
                replaced = hook(response)
                if replaced is not None:
                    response = replaced
        except IgnoreResponseException:
            return
        if not response_hooks and response.status_code >= 400:
            # dlt: requests' HTTPError (its message without the body unless [runtime] http_show_error_body)
            from dlt.sources.helpers.rest_client.exceptions import PaginateHTTPError

            try:
                response.raise_for_status()
            except _requests.HTTPError as e:
                raise PaginateHTTPError(str(e), response=response) from None
        try:
            body = response.json() if response.content else None
        except ValueError:
            raise RESTClientError(f"{sent.method} {response.url}: the response is not JSON") from None
        if not data_selector:
            # dlt detects the selector on the first response and applies it to the later pages
            data_selector = detect_data_selector(body)
        rows = select_rows(body, data_selector)
        paginator.update_state(response, rows)
        paginator.update_request(request)
        yield make_page(rows, request=sent, response=response, paginator=given, auth=auth)
        if not paginator.has_next_page:
            return
