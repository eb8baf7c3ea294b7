"""dlt's Pipeline on the native engine: run/extract/normalize/load, state, trace, SQL access.

Data given to run() becomes resources (python/dlt/extract/); the engine reads each resource's
items through its `_open` callable, writes load packages and normalizes and loads them in C++,
in the same folders, profiles and destinations as the CLI.
"""

import os
from datetime import datetime, timedelta, timezone
from typing import Any, Dict, List, Optional, Sequence

from dlt import _engine
from dlt.common.pipeline import LoadInfo, LoadJobInfo, LoadPackageInfo
from dlt.destinations import Destination
from dlt.extract.exceptions import ResourceExtractionError
from dlt.extract.resource import DltResource
from dlt.extract.source import DltSource
from dlt.pipeline import current
from dlt.pipeline.exceptions import PipelineStepFailed


class _Tee:
    """The items of a resource read once and replayed to the transformers that read it, when the
    resource itself is loaded too."""

    def __init__(self, resource: DltResource) -> None:
        self.resource = resource
        self.items: Optional[List[Any]] = None

    def record(self, items: Any) -> Any:
        self.items = []
        for item in items:
            self.items.append(item)
            yield item

    def replay(self) -> Any:
        if self.items is None:  # the parent was not read yet: read it now
            yield from self.resource._items()
        else:
            yield from self.items


class Pipeline:
    def __init__(self, pipeline_name: str, destination: Optional[Destination], dataset_name: Optional[str],
                 dev_mode: bool = False, progress: Any = None, refresh: Optional[str] = None) -> None:
        self.pipeline_name = pipeline_name
        self.destination = destination
        self.dev_mode = dev_mode
        self.refresh = refresh
        self.progress = progress
        self.first_run = False
        self._dataset_name = dataset_name
        self._native = None
        self._last_trace: Any = None
        self._extracting: Dict[str, DltResource] = {}
        if destination is not None:
            self._open_native()

    # --- identity -----------------------------------------------------------------------------
    @property
    def dataset_name(self) -> str:
        return self._dataset_name or f"{self.pipeline_name}_dataset"

    @property
    def working_dir(self) -> str:
        return self._require_native().working_dir

    @property
    def pipelines_dir(self) -> str:
        return os.path.dirname(self.working_dir)

    @property
    def default_schema_name(self) -> str:
        return self.pipeline_name

    def __repr__(self) -> str:
        dest = self.destination.destination_name if self.destination else None
        return f"Pipeline(pipeline_name={self.pipeline_name!r}, destination={dest!r}, dataset_name={self.dataset_name!r})"

    # --- steps --------------------------------------------------------------------------------
    def run(self, data: Any = None, *, destination: Any = None, staging: Any = None, dataset_name: Optional[str] = None,
            credentials: Any = None, table_name: Optional[str] = None, write_disposition: Any = None,
            columns: Any = None, primary_key: Any = None, schema: Any = None, loader_file_format: Any = None,
            table_format: Any = None, schema_contract: Any = None, refresh: Optional[str] = None) -> LoadInfo:
        """Loads pending packages of earlier runs, then extracts, normalizes and loads `data`."""
        self._configure(destination, dataset_name, credentials)
        if staging is not None:
            raise NotImplementedError("staging destinations are not supported by dlt-cpp yet")
        resources = self._resources(data, table_name=table_name, write_disposition=write_disposition,
                                    columns=columns, primary_key=primary_key, schema_contract=schema_contract)
        current._activate(self)
        started = datetime.now(timezone.utc)
        result = self._native.run(resources)
        finished = datetime.now(timezone.utc)
        if not result["ok"]:
            self._raise_failed(result)
        return self._load_info(result["info"], started, finished)

    # --- what user code reads ---------------------------------------------------------------------
    @property
    def last_trace(self) -> Any:
        return self._last_trace

    @property
    def has_pending_data(self) -> bool:
        return False

    def sql_client(self, schema_name: Optional[str] = None) -> Any:
        """A SQL client on the pipeline's dataset (use it as a context manager)."""
        from dlt.destinations.sql_client import SqlClient

        self._require_destination()
        return SqlClient(self)

    def dataset(self, schema: Any = None, dataset_type: str = "auto") -> Any:
        """The pipeline's dataset: its tables as relations you can fetch or query with SQL."""
        from dlt.dataset import Dataset

        self._require_destination()
        return Dataset(self)

    # --- internals ------------------------------------------------------------------------------
    def _require_native(self) -> Any:
        if self._native is None:
            from dlt.pipeline.exceptions import PipelineConfigMissing

            raise PipelineConfigMissing(self.pipeline_name, "destination", "load",
                                        "Pass `destination` to dlt.pipeline() or to run().")
        return self._native

    def _open_native(self) -> None:
        ws = _engine.workspace()
        try:
            self._native = _engine.native.Pipeline(ws, self.pipeline_name, self.destination.destination_name,
                                                   self.dataset_name, _progress_on(self.progress))
        except _engine.native.EngineError as e:
            from dlt.pipeline.exceptions import PipelineConfigMissing

            raise PipelineConfigMissing(self.pipeline_name, "destination", "load", str(e)) from None

    def _configure(self, destination: Any, dataset_name: Optional[str], credentials: Any) -> None:
        changed = False
        if destination is not None:
            self.destination = Destination.from_reference(destination)
            changed = True
        if dataset_name is not None and dataset_name != self._dataset_name:
            self._dataset_name = dataset_name
            changed = True
        if credentials is not None:
            if self.destination is None:
                raise ValueError("credentials were given but no destination")
            self.destination.credentials = credentials
            changed = True
        if self.destination is not None and self.destination.credentials is not None:
            _set_process_credentials(self.destination)
        if changed or self._native is None:
            self._require_destination()
            self._open_native()

    def _require_destination(self) -> None:
        if self.destination is None:
            from dlt.pipeline.exceptions import PipelineConfigMissing

            raise PipelineConfigMissing(self.pipeline_name, "destination", "load",
                                        "Pass `destination` to dlt.pipeline() or to run().")

    def _resources(self, data: Any, **hints: Any) -> List[Any]:
        """[(engine options, open callable)] for the resources `data` stands for."""
        if data is None:
            return []
        items: Sequence[Any]
        if isinstance(data, (list, tuple)) and data and all(isinstance(d, (DltSource, DltResource)) for d in data):
            items = data
        else:
            items = [data]
        picked: List[Any] = []  # (resource, defaults from its source)
        for item in items:
            if isinstance(item, DltSource):
                defaults: Dict[str, Any] = {}
                if item.max_table_nesting is not None:
                    defaults["max_table_nesting"] = item.max_table_nesting
                if item.schema_contract is not None:
                    defaults["schema_contract"] = item.schema_contract
                for r in item.selected_resources.values():
                    picked.append((r._clone(), defaults))
            elif isinstance(item, DltResource):
                picked.append((item._clone(), {}))
            else:
                picked.append((DltResource.from_data(item, name=hints.get("table_name")), {}))
        given = {k: v for k, v in hints.items() if v is not None}
        for r, _ in picked:
            if given:
                r.apply_hints(**given)
        # A resource loaded itself and read by a transformer of the same run is read once: its
        # items are recorded while it loads and replayed to the transformer, which runs after it.
        tees: Dict[int, _Tee] = {}
        for r, _ in picked:
            parent = r._parent
            if parent is None or isinstance(parent, _ReplayParent):
                continue
            for other, _d in picked:
                if other is not r and not other.is_transformer and other.name == parent.name and \
                        other._fn is parent._fn and other._data is parent._data:
                    r._parent = _ReplayParent(tees.setdefault(id(other), _Tee(other)))
                    break
        picked.sort(key=lambda rd: 0 if id(rd[0]) in tees else 1)
        self._extracting = {r.name: r for r, _ in picked}
        from dlt.sources.rest_api import RestApiResource

        out = []
        specs: Dict[int, Any] = {}  # REST API resources of one configuration go to the engine together
        for r, defaults in picked:
            if isinstance(r, RestApiResource):
                if id(r._spec) not in specs:
                    specs[id(r._spec)] = (r._spec, [])
                    out.append(specs[id(r._spec)])
                specs[id(r._spec)][1].append(r.name)
                continue
            out.append((r._native_options(defaults), _opener(r, tees.get(id(r)))))
        return out

    def _raise_failed(self, result: Dict[str, Any]) -> None:
        py_error = result.get("python_error")
        step = result.get("step") or "extract"
        load_id = result.get("load_id")
        if py_error is not None:
            name = result.get("resource") or "?"
            r = self._extracting.get(name)
            gen = (r._fn or r._data) if r is not None else py_error
            exc = ResourceExtractionError(name, gen, str(py_error), "generator")
            exc.__cause__ = py_error
            raise PipelineStepFailed(self, "extract", None, exc) from exc
        from dlt.common.exceptions import DltException

        exc = DltException(result["message"])
        raise PipelineStepFailed(self, step, load_id, exc) from None

    def _load_info(self, info: Dict[str, Any], started: datetime, finished: datetime) -> LoadInfo:
        dest_type, _, location = info["destination"].partition(" ")
        if dest_type == "duckdb" and not location.startswith(("duckdb:", "md:")):
            location = "duckdb:///" + location  # as dlt shows DuckDB credentials
        load_seconds = sum(s["seconds"] for s in info["steps"] if s["step"] == "load")
        load_started = finished - timedelta(seconds=load_seconds) if info["load_ids"] else None
        packages = [
            LoadPackageInfo(load_id, "", "loaded", self.pipeline_name, {}, finished, {"completed_jobs": [], "failed_jobs": []})
            for load_id in info["load_ids"]
        ]
        return LoadInfo(self, list(info["load_ids"]), packages, destination_type=dest_type,
                        destination_name=self.destination.destination_name,
                        destination_displayable_credentials=location, dataset_name=info["dataset_name"],
                        started_at=load_started, finished_at=finished if load_started else None,
                        row_counts=info["rows_per_table"])


class _ReplayParent:
    """Stands for a transformer's parent whose items are recorded by a _Tee."""

    def __init__(self, tee: _Tee) -> None:
        self._tee = tee
        self._parent = None

    def _items(self) -> Any:
        return self._tee.replay()


def _opener(resource: DltResource, tee: Optional[_Tee]) -> Any:
    def open_items(last_value_json: Optional[str]) -> Any:
        inc = resource.incremental
        if inc is not None:
            inc._set_state(last_value_json)
        items = resource._items()
        return tee.record(items) if tee is not None else items

    return open_items


def _progress_on(progress: Any) -> bool:
    if progress is None or progress is False:
        return False
    if isinstance(progress, str):
        return progress in ("log", "tqdm", "enlighten", "alive_progress")
    return bool(progress)


def _set_process_credentials(destination: Destination) -> None:
    """Credentials given in code: seen by the engine's configuration lookup (environment first),
    for this process and the scripts it runs."""
    creds = destination.credentials
    if not isinstance(creds, str):
        creds = getattr(creds, "to_native_representation", lambda: None)() or str(creds)
    key = f"DESTINATION__{destination.destination_name.upper()}__CREDENTIALS"
    os.environ[key] = creds
