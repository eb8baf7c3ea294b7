"""DltSource: a group of resources with a name (the schema's name in dlt), as `@dlt.source`
makes it: `source.resources` (with `add`), `with_resources`, attribute access to a resource (and
assignment of a new one), `add_limit`,
`max_table_nesting`, `schema_contract`."""

from typing import Any, Dict, Iterator, List, Optional

from dlt.extract.exceptions import ResourcesNotFoundError
from dlt.extract.resource import DltResource


class DltResourceDict(dict):
    source_name: str = ""

    def __setitem__(self, resource_name: str, resource: DltResource) -> None:
        if resource_name != resource.name:
            raise ValueError(f"The index name `{resource_name}` does not correspond to resource name `{resource.name}`")
        resource.source_name = self.source_name
        super().__setitem__(resource_name, resource)

    def add(self, *resources: DltResource) -> None:
        """Adds `resources` to the source under their names (as dlt's `source.resources.add`)."""
        for r in resources:
            if r.name in self:
                raise ValueError(f"source `{self.source_name}` already has a resource `{r.name}`: give the new one "
                                 f"another name with with_name()")
            self[r.name] = r

    @property
    def selected(self) -> Dict[str, DltResource]:
        return {k: r for k, r in self.items() if r.selected}

    @property
    def extracted(self) -> Dict[str, DltResource]:
        return self.selected

    def select(self, *names: str) -> Dict[str, DltResource]:
        for n in names:
            if n not in self:
                raise ResourcesNotFoundError("", self.keys(), names)
        for k, r in self.items():
            r.selected = k in names
        return self.selected


class DltSource:
    def __init__(self, name: str, section: str, resources: List[DltResource],
                 max_table_nesting: Optional[int] = None, schema_contract: Any = None,
                 root_key: Optional[bool] = None) -> None:
        self.name = name
        self.section = section
        self.max_table_nesting = max_table_nesting
        self.schema_contract = schema_contract
        self.root_key = root_key
        self._schema: Any = None  # made when first asked (the source function's, when it asked)
        self._resources = DltResourceDict()
        self._resources.source_name = name
        for r in resources:
            if r.section is None:
                r.section = section
            self._resources[r.name] = r

    @property
    def resources(self) -> DltResourceDict:
        return self._resources

    @property
    def selected_resources(self) -> Dict[str, DltResource]:
        return self._resources.selected

    @property
    def schema(self) -> Any:
        """The source's schema (dlt.common.schema.Schema): its settings (type detections, default
        hints, preferred types) may be edited, and go to the engine with the source's resources."""
        if self._schema is None:
            from dlt.common.schema import Schema

            self._schema = Schema(self.name)
        return self._schema

    @schema.setter
    def schema(self, value: Any) -> None:
        self._schema = value

    def with_resources(self, *resource_names: str) -> "DltSource":
        missing = [n for n in resource_names if n not in self._resources]
        if missing:
            raise ResourcesNotFoundError(self.name, self._resources.keys(), resource_names)
        clone = DltSource(self.name, self.section, [r._clone() for r in self._resources.values()],
                          self.max_table_nesting, self.schema_contract, self.root_key)
        clone._schema = self._schema
        for k, r in clone._resources.items():
            r.selected = k in resource_names
        return clone

    def add_limit(self, max_items: Optional[int] = None, max_time: Optional[float] = None,
                  count_rows: Optional[bool] = False) -> "DltSource":
        for r in self._resources.values():
            if not r.is_transformer:
                r.add_limit(max_items, max_time, count_rows=count_rows)
        return self

    def parallelize(self) -> "DltSource":
        """As dlt: marks every selected resource to extract in parallel; returns the source."""
        for r in self._resources.selected.values():
            r.parallelize()
        return self

    def __setattr__(self, name: str, value: Any) -> None:
        # As dlt: `source.new_resource = source.parent | transformer` adds a resource.
        if isinstance(value, DltResource):
            if value.section is None:
                value.section = self.section
            self._resources[name] = value
        else:
            super().__setattr__(name, value)

    @property
    def state(self) -> Dict[str, Any]:
        """The source's state in the active pipeline (dlt.current.source_state() of its name);
        dlt's PipelineStateNotAvailable without one."""
        from dlt.pipeline import current

        return current.source_state(self.name)

    def __getattr__(self, name: str) -> DltResource:
        resources = self.__dict__.get("_resources")
        if resources is not None and name in resources:
            return resources[name]
        raise AttributeError(f"source `{self.__dict__.get('name')}` has no resource or attribute `{name}`")

    def __iter__(self) -> Iterator[Any]:
        for r in self.selected_resources.values():
            yield from r

    def __repr__(self) -> str:
        return f"DltSource(`{self.name}`, resources: {', '.join(self._resources)})"
