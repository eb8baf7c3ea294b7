"""dlt.sources.rest_api.typing: the configuration's types (dicts, as in dlt)."""

from typing import Any, Dict

RESTAPIConfig = Dict[str, Any]
ClientConfig = Dict[str, Any]
EndpointResource = Dict[str, Any]
Endpoint = Dict[str, Any]
PaginatorConfig = Any
AuthConfig = Any
