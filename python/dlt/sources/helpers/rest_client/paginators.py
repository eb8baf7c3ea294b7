"""dlt's paginator classes. The built-in ones describe a paginator of the engine's REST API
client: each stands for the dict form of its paginator ({"type": "json_link", "next_url_path":
...}), which rest_api_source and RESTClient pass to the engine, and does not page by itself in
Python. A paginator of one's own subclasses BasePaginator as dlt's docs write it (`init_request`,
`update_state(response, data)`, `update_request(request)`, `_has_next_page`) and is driven by
RESTClient.paginate in Python, its requests sent by the engine's HTTP client."""

from typing import Any, Dict, List, Optional


class BasePaginator:
    _type = ""

    def __init__(self, **settings: Any) -> None:
        self._settings = {k: v for k, v in settings.items() if v is not None}
        self._has_next_page = True

    @property
    def has_next_page(self) -> bool:
        return self._has_next_page

    def init_request(self, request: Any) -> None:
        """Called once with the first request before it is sent."""

    def update_state(self, response: Any, data: Optional[List[Any]] = None) -> None:
        raise NotImplementedError(f"{type(self).__name__}.update_state: a paginator of one's own implements it")

    def update_request(self, request: Any) -> None:
        raise NotImplementedError(f"{type(self).__name__}.update_request: a paginator of one's own implements it")

    def _rest_api_config(self) -> Dict[str, Any]:
        return {"type": self._type, **self._settings}

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self._settings.items())
        return f"{type(self).__name__}({args})"

    def __getattr__(self, name: str) -> Any:
        settings = self.__dict__.get("_settings", {})
        if name in settings:
            return settings[name]
        raise AttributeError(name)


def is_custom(paginator: Any) -> bool:
    """A paginator of one's own (paged in Python), not one the engine knows."""
    return isinstance(paginator, BasePaginator) and not type(paginator)._type


class SinglePagePaginator(BasePaginator):
    _type = "single_page"

    def __init__(self) -> None:
        super().__init__()


class JSONLinkPaginator(BasePaginator):
    _type = "json_link"

    def __init__(self, next_url_path: str = "next") -> None:
        super().__init__(next_url_path=next_url_path)


JSONResponsePaginator = JSONLinkPaginator


class HeaderLinkPaginator(BasePaginator):
    _type = "header_link"

    def __init__(self, links_next_key: str = "next") -> None:
        super().__init__(links_next_key=links_next_key)


class OffsetPaginator(BasePaginator):
    _type = "offset"

    def __init__(self, limit: int, offset: int = 0, offset_param: Optional[str] = None,
                 limit_param: Optional[str] = None, total_path: Optional[str] = "total",
                 maximum_offset: Optional[int] = None, stop_after_empty_page: Optional[bool] = True,
                 has_more_path: Optional[str] = None, offset_body_path: Optional[str] = None,
                 limit_body_path: Optional[str] = None) -> None:
        _either("offset_param", offset_param, "offset_body_path", offset_body_path)
        _either("limit_param", limit_param, "limit_body_path", limit_body_path)
        if total_path is None and maximum_offset is None and has_more_path is None and not stop_after_empty_page:
            raise ValueError("One of `total_path`, `maximum_offset`, `has_more_path`, or `stop_after_empty_page` "
                             "must be provided.")
        super().__init__(limit=limit, offset=offset, offset_param=offset_param, limit_param=limit_param,
                         total_path=total_path, maximum_offset=maximum_offset,
                         stop_after_empty_page=stop_after_empty_page, has_more_path=has_more_path,
                         offset_body_path=offset_body_path, limit_body_path=limit_body_path)


class PageNumberPaginator(BasePaginator):
    _type = "page_number"

    def __init__(self, base_page: int = 0, page: Optional[int] = None, page_param: Optional[str] = None,
                 total_path: Optional[str] = "total", maximum_page: Optional[int] = None,
                 stop_after_empty_page: Optional[bool] = True, has_more_path: Optional[str] = None,
                 page_body_path: Optional[str] = None) -> None:
        _either("page_param", page_param, "page_body_path", page_body_path)
        if total_path is None and maximum_page is None and has_more_path is None and not stop_after_empty_page:
            raise ValueError("One of `total_path`, `maximum_page`, `has_more_path`, or `stop_after_empty_page` "
                             "must be provided.")
        super().__init__(base_page=base_page, page=page, page_param=page_param, total_path=total_path,
                         maximum_page=maximum_page, stop_after_empty_page=stop_after_empty_page,
                         has_more_path=has_more_path, page_body_path=page_body_path)


class JSONResponseCursorPaginator(BasePaginator):
    _type = "cursor"

    def __init__(self, cursor_path: str = "cursors.next", cursor_param: Optional[str] = None,
                 cursor_body_path: Optional[str] = None, stop_after_empty_page: bool = False,
                 has_more_path: Optional[str] = None) -> None:
        _either("cursor_param", cursor_param, "cursor_body_path", cursor_body_path)
        if cursor_param is None and cursor_body_path is None:
            cursor_param = "cursor"
        super().__init__(cursor_path=cursor_path, cursor_param=cursor_param, cursor_body_path=cursor_body_path,
                         stop_after_empty_page=stop_after_empty_page or None, has_more_path=has_more_path)


class HeaderCursorPaginator(BasePaginator):
    """The cursor of the next page is the response header `cursor_key`, sent back as the query
    parameter `cursor_param`; a response without it is the last page."""

    _type = "header_cursor"

    def __init__(self, cursor_key: str = "next", cursor_param: str = "cursor") -> None:
        super().__init__(cursor_key=cursor_key, cursor_param=cursor_param)


def _either(param: str, param_value: Any, body_path: str, body_value: Any) -> None:
    """As dlt: a paginator's value goes into a query parameter or into the JSON body, not both."""
    if param_value is not None and body_value is not None:
        raise ValueError(f"Either '{param}' or '{body_path}' must be provided, not both.")
