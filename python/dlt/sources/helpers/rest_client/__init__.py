"""dlt.sources.helpers.rest_client: RESTClient and paginate, and the paginator and auth objects
of rest_api configurations.

In dlt-cpp the engine's REST API client does the requests: these objects describe a paginator or
an auth method and stand for the dict form of the same configuration (see `_rest_api_config`).
"""

from dlt.sources.helpers.rest_client.auth import (  # noqa: F401
    APIKeyAuth,
    AuthConfigBase,
    BearerTokenAuth,
    HttpBasicAuth,
    OAuth2ClientCredentials,
)
from dlt.sources.helpers.rest_client.paginators import (  # noqa: F401
    HeaderCursorPaginator,
    HeaderLinkPaginator,
    JSONLinkPaginator,
    JSONResponseCursorPaginator,
    OffsetPaginator,
    PageNumberPaginator,
    SinglePagePaginator,
)
from dlt.sources.helpers.rest_client.client import PageData, RESTClient, paginate  # noqa: F401
