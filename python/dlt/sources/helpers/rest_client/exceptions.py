"""dlt.sources.helpers.rest_client.exceptions."""

from dlt.common.exceptions import DltException


class RESTClientError(DltException):
    """A request of RESTClient.paginate failed (the engine's message: URL, status, what to do;
    secrets masked)."""


class IgnoreResponseException(DltException):
    """Raised by a response hook of RESTClient.paginate: the response is dropped and paging ends."""
