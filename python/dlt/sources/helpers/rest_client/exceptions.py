"""dlt.sources.helpers.rest_client.exceptions."""

from dlt.common.exceptions import DltException


class RESTClientError(DltException):
    """A request of RESTClient.paginate failed (the engine's message: URL, status, what to do;
    secrets masked)."""


class IgnoreResponseException(DltException):
    """Raised by a response hook of RESTClient.paginate: the response is dropped and paging ends."""


def _http_error_class() -> type:
    from dlt.sources.helpers.requests import HTTPError

    class PaginateHTTPError(HTTPError, RESTClientError):
        """RESTClient.paginate's error for a 4xx/5xx response: requests' HTTPError as dlt raises
        it (with `response`), and a RESTClientError."""

        def __init__(self, msg: str, response: object = None) -> None:
            HTTPError.__init__(self, msg, response=response)

        def __str__(self) -> str:
            return str(self.args[0]) if self.args else ""

    return PaginateHTTPError


PaginateHTTPError = _http_error_class()
