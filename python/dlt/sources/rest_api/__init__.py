"""dlt.sources.rest_api: rest_api_source / rest_api_resources with dlt's dict configuration,
run by the engine's REST API source (the one of `[source] type = "rest_api"` pipeline files):
paginators, auth, dependent resources, incremental parameters, response actions.

Secrets in the configuration (auth tokens read from dlt.secrets) stay in the engine as secrets;
settings missing from the dict are read from the active profile under sources.<source name>.
"""

from typing import Any, Dict, List, Optional

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
        if any(v is not None for v in kwargs.values()) and getattr(self, "_spec", None) is not None:
            raise NotImplementedError(f"resource `{self.name}`: set hints of rest_api resources in their config dict "
                                      "(write_disposition, primary_key, ...) for dlt-cpp")
        return super().apply_hints(**kwargs)


def _plain(value: Any) -> Any:
    """The dict form of a configuration holding paginator or auth objects
    (dlt.sources.helpers.rest_client), as the engine reads it."""
    from dlt.sources.helpers.rest_client import auth as _auth, paginators as _paginators

    if _paginators.is_custom(value) or _auth.is_custom(value):
        raise NotImplementedError(f"rest_api_source: {type(value).__name__} is a paginator or auth class of one's own, "
                                  "which the engine's REST API client cannot run; page with it through "
                                  "RESTClient(...).paginate(...) inside a @dlt.resource instead")
    if hasattr(value, "_rest_api_config"):
        return value._rest_api_config()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
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


def rest_api_resources(config: Dict[str, Any], name: Optional[str] = None) -> List[DltResource]:
    """The resources of a REST API configuration (dlt's RESTAPIConfig dict)."""
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
    if max_table_nesting is not None and isinstance(config, dict):
        # The source's nesting level for every resource that sets none of its own (dlt keeps it as
        # the schema's, which a resource's own max_table_nesting overrides).
        config = dict(config)
        defaults = dict(config.get("resource_defaults") or {})
        defaults.setdefault("max_table_nesting", max_table_nesting)
        config["resource_defaults"] = defaults
    resources = rest_api_resources(config, name=name)
    # As dlt: the source (and so its schema and its part of the state) is `name`, else rest_api.
    source_name = name or getattr(schema, "name", None) or "rest_api"
    return DltSource(source_name, section or "rest_api", resources, max_table_nesting, schema_contract, root_key)


__all__ = ["rest_api_source", "rest_api_resources", "RESTAPIConfig", "ClientConfig", "EndpointResource", "RestApiResource"]
