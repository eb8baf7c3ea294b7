"""dlt.sources.helpers: `requests` (dlt's HTTP helper) and `rest_client` (RESTClient, its
paginators and auth), both on the engine's HTTP client."""
