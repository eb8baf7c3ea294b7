"""dlt.sources.helpers: the REST client's paginators and auth (rest_client/)."""
