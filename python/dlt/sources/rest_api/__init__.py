"""dlt.sources.rest_api: rest_api_source / rest_api_resources with dlt's dict configuration,
run by the engine's REST API source (the one of `[source] type = "rest_api"` pipeline files):
paginators, auth, dependent resources, incremental parameters, response actions.

Secrets in the configuration (auth tokens read from dlt.secrets) stay in the engine as secrets;
settings missing from the dict are read from the active profile under sources.<source name>.
"""

from typing import Any, Dict, List, Optional, Tuple

from dlt.extract.resource import DltResource
from dlt.extract.source import DltSource
from dlt.sources.rest_api.typing import ClientConfig, EndpointResource, RESTAPIConfig  # noqa: F401


class RestApiResource(DltResource):
    """A resource fetched by the engine's REST API client (its rows never pass through Python)."""

    def __init__(self, spec: Any, name: str, hints: Dict[str, Any]) -> None:
        super().__init__(name, data=None, hints={"table_name": hints.get("table_name"),
                                                 "write_disposition": hints.get("write_disposition")},
                         selected=bool(hints.get("selected", True)))
        self._spec = spec
        self._depends_on = hints.get("parent") or None

    def _raw_items(self) -> Any:
        """The resource's rows read in Python (list(resource), a transformer over it): fetched by
        the engine outside any pipeline and handed over in pages of dicts, to which the
        resource's steps then apply."""
        from dlt._engine import engine_pages
        from dlt.extract.items import page_steps

        # This resource's own steps run over these rows in Python; its parents' run in the engine.
        others = {r.name: page_steps(r._steps) for r in getattr(self, "_siblings", []) if r.name != self.name}
        return engine_pages((self._spec, [self.name], {n: f for n, f in others.items() if f}))


    def apply_hints(self, **kwargs: Any) -> "DltResource":
        file_format = kwargs.pop("file_format", None)
        if file_format is not None:  # run(loader_file_format=...): handed to the engine with the spec
            self._file_format = file_format
        if any(v is not None for v in kwargs.values()) and getattr(self, "_spec", None) is not None:
            raise NotImplementedError(f"resource `{self.name}`: set hints of rest_api resources in their config dict "
                                      "(write_disposition, primary_key, ...) for dlt-cpp")
        return super().apply_hints(**kwargs)


def _where(path: Tuple[Any, ...]) -> str:
    """`resources[1].endpoint.incremental.convert`: where a value sits in the configuration."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (("." if out else "") + str(part))
    return out or "config"


def _refuse(path: Tuple[Any, ...], value: Any) -> NotImplementedError:
    """The error for a Python object the engine's REST API client cannot run, worded for what it is."""
    from dlt.sources.helpers.rest_client import auth as _auth, paginators as _paginators

    where = _where(path)
    kind = type(value).__name__
    if isinstance(value, DltResource):
        return NotImplementedError(
            f"rest_api_source: `{where}` is a dlt resource (`{value.name}`), which dlt lets stand among the "
            "endpoint resources (as a parent of others); dlt-cpp's rest_api takes endpoint resources only (dicts "
            "or endpoint names). Load the resource beside the source (pipeline.run([source, resource])), and "
            "fetch what depends on it in a @dlt.transformer with RESTClient")
    if _paginators.is_custom(value):
        return NotImplementedError(
            f"rest_api_source: `{where}` is {kind}, a paginator class of one's own, which the engine's REST API "
            "client cannot run; page with it through RESTClient(...).paginate(...) inside a @dlt.resource instead")
    if isinstance(value, _auth.OAuth2ClientCredentials):
        return NotImplementedError(
            f"rest_api_source: `{where}` is {kind}, an OAuth2ClientCredentials that "
            + ("is given a session of its own" if value.session is not None else
               "overrides how the token is requested or read")
            + ", which runs in Python and the engine's REST API client cannot call; use OAuth2ClientCredentials "
            "itself (or {\"type\": \"oauth2_client_credentials\", ...}), which the engine runs, or request through "
            "RESTClient(..., auth=...) inside a @dlt.resource instead")
    if isinstance(value, _auth.AuthConfigBase) or (path and path[-1] == "auth"):
        return NotImplementedError(
            f"rest_api_source: `{where}` is {kind}, an auth class of one's own (called with each request), which "
            "the engine's REST API client cannot run; use a bearer, api_key, http_basic or oauth2_client_credentials "
            "auth, or request "
            "through RESTClient(..., auth=...) inside a @dlt.resource instead")
    if path and path[-1] == "session":
        return NotImplementedError(
            f"rest_api_source: `{where}` is {kind}, a requests session of one's own, which dlt-cpp's REST API "
            "client does not use (it sends every request itself); leave `session` out (retries and timeouts: "
            "[runtime] request_max_attempts, request_timeout, ...)")
    if path and path[-1] == "convert":
        return NotImplementedError(
            f"rest_api_source: `{where}` is a Python callable (the incremental's `convert`), which the engine's "
            "REST API client cannot call when it builds a request; give initial_value in the form the API takes "
            "(the cursor's last value is sent as the API returned it), or page with RESTClient inside a "
            "@dlt.resource that takes dlt.sources.incremental")
    if "response_actions" in path:
        return NotImplementedError(
            f"rest_api_source: `{where}` is a Python callable (a response action that changes the response), "
            "which the engine's REST API client cannot call; response_actions take "
            '{"status_code": ..., "content": ..., "action": "ignore"} here. Change the rows with processing_steps '
            "(map, filter) or add_map instead")
    return NotImplementedError(
        f"rest_api_source: `{where}` is a Python callable ({getattr(value, '__name__', kind)}), which the "
        "engine's REST API client cannot call; give a plain value there")


def _plain(value: Any, path: Tuple[Any, ...] = ()) -> Any:
    """The dict form of a configuration holding paginator or auth objects
    (dlt.sources.helpers.rest_client), as the engine reads it; Python objects it cannot run are
    refused, each error naming what it is and where it sits."""
    from dlt.sources.helpers.rest_client import auth as _auth, paginators as _paginators

    if isinstance(value, DltResource) or _paginators.is_custom(value):
        raise _refuse(path, value)
    if _auth.is_custom(value) and (isinstance(value, _auth.AuthConfigBase) or (path and path[-1] == "auth")):
        raise _refuse(path, value)
    if hasattr(value, "_rest_api_config"):
        return value._rest_api_config()
    if isinstance(value, dict):
        return {k: _plain(v, path + (k,)) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v, path + (i,)) for i, v in enumerate(value)]
    if callable(value) or (path and path[-1] == "session" and value is not None):
        raise _refuse(path, value)
    return value


def _normalize_resources(resources: List[Any]) -> List[Dict[str, Any]]:
    out = []
    for r in resources:
        if isinstance(r, str):
            r = {"name": r, "endpoint": {"path": r}}
        elif isinstance(r, dict):
            r = dict(r)
            ep = r.get("endpoint")
            if ep is None:
                r["endpoint"] = {"path": r.get("name")}
            elif isinstance(ep, str):
                r["endpoint"] = {"path": ep}
        else:
            raise ValueError(f"a rest_api resource must be a name (str) or a dict, got {type(r).__name__}")
        out.append(r)
    return out


def _default_name() -> Optional[str]:
    from dlt.pipeline import current

    p = current.pipeline()
    if p is None:
        return None
    name = p.pipeline_name
    return name[: -len("_pipeline")] if name.endswith("_pipeline") else name


def rest_api_resources(config: Dict[str, Any], name: Optional[str] = None,
                       root_key: Optional[bool] = None) -> List[DltResource]:
    """The resources of a REST API configuration (dlt's RESTAPIConfig dict). `root_key`:
    rest_api_source's (nested tables get _dlt_root_id)."""
    from dlt._engine import native

    if not isinstance(config, dict):
        raise ValueError("rest_api config must be a dict with `client` and `resources`")
    # dlt's processing_steps (filter, map, yield_map callables) become the resources' Python
    # steps: the engine hands them the rows it fetched.
    steps: Dict[Any, List[Any]] = {}
    if isinstance(config.get("resources"), list):
        config = dict(config)
        resources_in = []
        for r in config["resources"]:
            if isinstance(r, dict) and "processing_steps" in r:
                r = dict(r)
                steps[r.get("name")] = list(r.pop("processing_steps") or [])
            resources_in.append(r)
        config["resources"] = resources_in
    config = _plain(config)
    unknown = set(config) - {"client", "resources", "resource_defaults"}
    if unknown:
        raise ValueError(f"rest_api config: unknown key(s) {sorted(unknown)}; expected client, resources, resource_defaults")
    source: Dict[str, Any] = {"type": "rest_api"}
    src_name = name or _default_name()
    if src_name:
        source["name"] = src_name
    if config.get("client") is not None:
        source["client"] = config["client"]
    if config.get("resource_defaults") is not None:
        source["resource_defaults"] = config["resource_defaults"]
    if root_key is not None:
        source["root_key"] = bool(root_key)
    spec = native.RestApiSpec(source, _normalize_resources(list(config.get("resources") or [])))
    out = [RestApiResource(spec, n, spec.resource_hints(n)) for n in spec.resource_names()]
    for r in out:
        r._siblings = out  # a child run alone still reads its parent through the parent's steps
    for r in out:
        for step in steps.get(r.name, []):
            if not isinstance(step, dict) or not set(step) <= {"filter", "map", "yield_map"}:
                raise ValueError(f"resource `{r.name}`: each of processing_steps is a dict with filter, map or yield_map")
            if "filter" in step:
                r.add_filter(step["filter"])
            if "map" in step:
                r.add_map(step["map"])
            if "yield_map" in step:
                r.add_yield_map(step["yield_map"])
    return out


def rest_api_source(config: Dict[str, Any], name: Optional[str] = None, section: Optional[str] = None,
                    max_table_nesting: Optional[int] = None, root_key: Optional[bool] = None,
                    schema: Any = None, schema_contract: Any = None, parallelized: bool = False) -> DltSource:
    """A source of the REST API configuration; `name` also names its configuration section
    (sources.<name>: base_url and auth secrets when the dict leaves them out)."""
    source_hints = {"max_table_nesting": max_table_nesting, "schema_contract": schema_contract}
    if any(v is not None for v in source_hints.values()) and isinstance(config, dict):
        # The source's nesting level and schema contract for every resource that sets none of its
        # own (dlt keeps them as the schema's, which a resource's own setting overrides).
        config = dict(config)
        defaults = dict(config.get("resource_defaults") or {})
        for k, v in source_hints.items():
            if v is not None:
                defaults.setdefault(k, v)
        config["resource_defaults"] = defaults
    # root_key as dlt's rest_api passes it to its source: nested tables of every resource get
    # _dlt_root_id (the engine reads the source's setting; DltSource keeps it too).
    resources = rest_api_resources(config, name=name, root_key=root_key)
    # As dlt: the source (and so its schema and its part of the state) is `name`, else rest_api.
    source_name = name or getattr(schema, "name", None) or "rest_api"
    return DltSource(source_name, section or "rest_api", resources, max_table_nesting, schema_contract, root_key)


__all__ = ["rest_api_source", "rest_api_resources", "RESTAPIConfig", "ClientConfig", "EndpointResource", "RestApiResource"]
