"""dlt.sources.helpers.rest_client.exceptions."""

from dlt.common.exceptions import DltException


class RESTClientError(DltException):
    """A request of RESTClient.paginate failed (the engine's message: URL, status, what to do;
    secrets masked)."""
