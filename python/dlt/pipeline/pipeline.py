"""dlt's Pipeline on the native engine: run/extract/normalize/load, state, trace, SQL access.

Data given to run() becomes resources (python/dlt/extract/); the engine reads each resource's
items through its `_open` callable, writes load packages and normalizes and loads them in C++,
in the same folders, profiles and destinations as the CLI.
"""

import contextlib
import os
from datetime import datetime, timezone
from typing import Any, Dict, Iterator, List, Optional, Sequence

from dlt import _engine
from dlt.common.pipeline import ExtractInfo, LoadInfo, LoadPackageInfo, NormalizeInfo, utc_from_iso
from dlt.destinations import Destination
from dlt.extract.exceptions import ResourceExtractionError
from dlt.extract.resource import DltResource
from dlt.extract.source import DltSource
from dlt.pipeline import current
from dlt.pipeline._data import _opener, _ReplayParent, _schema_groups, _Tee
from dlt.pipeline._infos import _package, _packages, _span
from dlt.pipeline.exceptions import PipelineStepFailed


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
        # The source state of the extract in progress: its stored text (read before the engine
        # takes the pipeline's lock) and, once user code asked for it, the dict it changes.
        self._state_text: Optional[str] = None
        self._state_session: Optional[Dict[str, Any]] = None
        # The schema the data being run goes to: a source's name (dlt names a source's schema after
        # the source), None for the pipeline's default schema.
        self._run_schema: Optional[str] = None
        if dev_mode:
            # As dlt: a new dataset per pipeline instance, and no state from earlier runs.
            self._dataset_name = self.dataset_name + datetime.now().strftime("_%Y%m%d%H%M%S")
        if destination is not None:
            if destination.credentials is not None or destination.config_params:
                _set_process_credentials(destination)
            self._open_native()
            if dev_mode:
                self._native.drop_local()

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
    def default_schema_name(self) -> Optional[str]:
        """The first schema the pipeline extracted into (None before it ran, as in dlt)."""
        names = self.schema_names
        return names[0] if names else None

    def _stored_schema_names(self) -> List[str]:
        if self._native is None:
            return []
        import json

        state = json.loads(self._native.state_json())
        names = state.get("schema_names") or ([state["default_schema_name"]] if state.get("default_schema_name") else [])
        return [n for n in names if isinstance(n, str)]

    def sync_destination(self, destination: Any = None, staging: Any = None, dataset_name: Optional[str] = None) -> None:
        """As dlt: when the destination holds a state of this pipeline at least as new as the local
        one and different from it (another machine ran it since), that state and its schema
        replace the local ones. Nothing changes when the destination has no state of it (dlt also
        wipes the local state when the dataset itself is gone; this keeps it)."""
        self._configure(destination, dataset_name, None)
        if staging is not None:
            raise NotImplementedError("staging destinations are not supported by dlt-cpp yet")
        native = self._require_native()
        try:
            native.sync_destination(self.destination.destination_name, self.dataset_name)
        except _engine.native.EngineError as e:
            from dlt.common.destination.exceptions import DestinationConnectionError

            raise DestinationConnectionError(self.destination.destination_type, self.dataset_name, str(e), e) from None
        self._state_text = None
        self._state_session = None

    def drop_pending_packages(self, with_partial_loads: bool = True) -> None:
        """Deletes the packages that were extracted or normalized but not loaded (their data is
        not loaded), as dlt does; the state they carried is not applied."""
        self._configure(None, None, None)
        self._require_native().drop_pending_packages()

    @property
    def default_schema(self) -> Any:
        """The pipeline's schema as the engine stored it after the last extract/normalize (dlt's
        Schema: tables, columns, version, to_pretty_yaml()); an empty schema before the first run."""
        import json

        from dlt.common.schema import Schema

        text = self._require_native().schema_json()
        if not text:
            return Schema(self.pipeline_name)
        return Schema.from_dict(json.loads(text))

    @property
    def schemas(self) -> Dict[str, Any]:
        """The pipeline's schemas by name: one per source it ran (dlt names a source's schema after
        the source; data and resources run alone go to the default schema), the default first."""
        import json

        from dlt.common.schema import Schema

        out: Dict[str, Any] = {}
        for name in self._stored_schema_names():
            text = self._native.schema_json(name)
            if text:
                out[name] = Schema.from_dict(json.loads(text))
        return out

    @property
    def schema_names(self) -> List[str]:
        return list(self.schemas)

    def __repr__(self) -> str:
        dest = self.destination.destination_name if self.destination else None
        return f"Pipeline(pipeline_name={self.pipeline_name!r}, destination={dest!r}, dataset_name={self.dataset_name!r})"

    # --- steps --------------------------------------------------------------------------------
    def run(self, data: Any = None, *, destination: Any = None, staging: Any = None, dataset_name: Optional[str] = None,
            credentials: Any = None, table_name: Optional[str] = None, write_disposition: Any = None,
            columns: Any = None, primary_key: Any = None, schema: Any = None, loader_file_format: Any = None,
            table_format: Any = None, schema_contract: Any = None, refresh: Optional[str] = None,
            merge_key: Any = None) -> LoadInfo:
        """Loads pending packages of earlier runs, then extracts, normalizes and loads `data`."""
        self._configure(destination, dataset_name, credentials)
        if staging is not None:
            raise NotImplementedError("staging destinations are not supported by dlt-cpp yet")
        hints = dict(table_name=table_name, write_disposition=write_disposition, columns=columns,
                     primary_key=primary_key, merge_key=merge_key, schema_contract=schema_contract)
        groups = _schema_groups(data, schema)
        with self._file_format(loader_file_format):
            if len(groups) > 1:
                # Sources of different names: as dlt, each is extracted into a package and schema
                # of its own; the run then normalizes and loads them all.
                for name, part in groups:
                    self._extract_group(name, part, hints, refresh or self.refresh)
                self._run_schema = None
                info = self._call("run", [])
            else:
                self._run_schema = groups[0][0] if groups else None
                resources = self._resources(data, **hints)
                self._refresh(refresh or self.refresh)
                info = self._call("run", resources)
        return self._load_info(info)

    def _extract_group(self, schema_name: Optional[str], data: Any, hints: Dict[str, Any], refresh: Optional[str]) -> Dict[str, Any]:
        self._run_schema = schema_name
        resources = self._resources(data, **hints)
        self._refresh(refresh)
        return self._call("extract", resources)

    @contextlib.contextmanager
    def _file_format(self, loader_file_format: Any) -> Iterator[None]:
        """run(loader_file_format=...): the files the filesystem destination writes in this run
        (parquet, jsonl, csv), as its `loader_file_format` setting for the run. Other
        destinations take the engine's own job files, whatever is asked."""
        dest = self.destination
        if loader_file_format is None or dest is None or dest.destination_type != "filesystem":
            yield
            return
        if loader_file_format not in ("parquet", "jsonl", "csv"):
            raise ValueError(f"loader_file_format `{loader_file_format}`: the filesystem destination writes "
                             "parquet, jsonl or csv")
        key = f"DESTINATION__{dest.destination_name.upper()}__LOADER_FILE_FORMAT"
        before = os.environ.get(key)
        os.environ[key] = loader_file_format
        try:
            self._open_native()
            yield
        finally:
            if before is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = before
            self._open_native()

    def extract(self, data: Any, *, table_name: Optional[str] = None, parent_table_name: Optional[str] = None,
                write_disposition: Any = None, columns: Any = None, primary_key: Any = None, schema: Any = None,
                max_parallel_items: Optional[int] = None, workers: Optional[int] = None,
                table_format: Any = None, schema_contract: Any = None, refresh: Optional[str] = None,
                loader_file_format: Any = None, merge_key: Any = None) -> ExtractInfo:
        """Extracts `data` into a load package (normalize() and load() take it further)."""
        self._configure(None, None, None)
        hints = dict(table_name=table_name, write_disposition=write_disposition, columns=columns,
                     primary_key=primary_key, merge_key=merge_key, schema_contract=schema_contract)
        infos = [self._extract_group(name, part, hints, refresh or self.refresh) for name, part in
                 _schema_groups(data, schema)]
        packages = [p for info in infos for p in _packages(info)]
        spans = [_span(info, "extract") for info in infos]
        started = min((s[0] for s in spans if s[0] is not None), default=None)
        finished = max((s[1] for s in spans if s[1] is not None), default=None)
        return ExtractInfo(self, [p.load_id for p in packages], packages, started, finished,
                           first_run=infos[0]["first_run"] if infos else False)

    def normalize(self, workers: int = 1, loader_file_format: Any = None) -> NormalizeInfo:
        """Normalizes every extracted package."""
        self._configure(None, None, None)
        info = self._call("normalize", [])
        return NormalizeInfo(self, [p["load_id"] for p in info["packages"]], _packages(info),
                             *_span(info, "normalize"), first_run=info["first_run"],
                             row_counts=dict(info["rows_normalized"]))

    def load(self, destination: Any = None, dataset_name: Optional[str] = None, credentials: Any = None,
             *, workers: int = 20, raise_on_failed_jobs: bool = True) -> LoadInfo:
        """Loads every normalized package."""
        self._configure(destination, dataset_name, credentials)
        info = self._call("load", [])
        return self._load_info(info)

    def drop(self, pipeline_name: Optional[str] = None) -> "Pipeline":
        """Deletes the pipeline's working folder (state, schema, pending packages); the destination is
        untouched and the next run restores the state from it."""
        if pipeline_name is not None and pipeline_name != self.pipeline_name:
            from dlt.pipeline import pipeline as make

            return make(pipeline_name, destination=self.destination, dataset_name=self._dataset_name).drop()
        try:
            self._require_native().drop_local()
        except _engine.native.EngineError as e:
            from dlt.common.exceptions import PipelineException

            raise PipelineException(self.pipeline_name, str(e)) from None
        self._last_trace = None
        return self

    @property
    def state(self) -> Dict[str, Any]:
        """The pipeline state (as stored: restored from the destination when the folder is new)."""
        from dlt.common.json import typed_loads

        return typed_loads(self._require_native().state_json())

    @property
    def has_pending_data(self) -> bool:
        if self._native is None:
            return False
        return bool(self._native.has_pending_data())

    def list_extracted_load_packages(self) -> List[str]:
        return list(self._require_native().list_packages("extracted"))

    def list_normalized_load_packages(self) -> List[str]:
        return list(self._require_native().list_packages("normalized"))

    def list_completed_load_packages(self) -> List[str]:
        return list(self._require_native().list_packages("loaded"))

    def get_load_package_info(self, load_id: str) -> LoadPackageInfo:
        return _package(self._require_native().get_package(load_id), self.working_dir)

    # --- what user code reads ---------------------------------------------------------------------
    @property
    def last_trace(self) -> Any:
        return self._last_trace

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
    def _user_source_state(self, key: Optional[str]) -> Dict[str, Any]:
        """dlt.current.source_state(): during an extract the dict the engine stores afterwards;
        otherwise (or for another source's key) a copy whose changes are discarded."""
        from dlt.common.json import typed_loads

        if self._state_text is not None:
            stored = typed_loads(self._state_text)
            schema = self._run_schema or stored.get("default_schema_name") or self.pipeline_name
            if key in (None, schema):
                if self._state_session is None:
                    self._state_session = stored.get("sources", {}).get(schema, {})
                return self._state_session
            return stored.get("sources", {}).get(key, {})
        if self._native is None:
            return {}
        stored = typed_loads(self._native.state_json())
        schema = self._run_schema or stored.get("default_schema_name") or self.pipeline_name
        return stored.get("sources", {}).get(key or schema, {})

    def _state_for_engine(self, schema_name: str) -> Optional[str]:
        """Called by the engine once the rows are read: the source state as user code left it."""
        from dlt.common.json import typed_dumps

        if self._state_session is None:
            return None
        return typed_dumps(self._state_session)

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
        if self.destination is not None and (self.destination.credentials is not None or self.destination.config_params):
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
        from dlt.sources.filesystem import FileReaderResource
        from dlt.sources.rest_api import RestApiResource
        from dlt.sources.sql_database.helpers import SqlTableResource

        out = []
        specs: Dict[int, Any] = {}  # REST API / SQL resources of one configuration go to the engine together
        for r, defaults in picked:
            if isinstance(r, RestApiResource):
                if id(r._spec) not in specs:
                    specs[id(r._spec)] = (r._spec, [])
                    out.append(specs[id(r._spec)])
                specs[id(r._spec)][1].append(r.name)
                continue
            if isinstance(r, FileReaderResource):
                out.append(r._engine_item(defaults))  # rows read by the engine
                continue
            if isinstance(r, SqlTableResource):
                # Tables of one sql_database() call are read over one connection.
                if id(r._sql) not in specs:
                    specs[id(r._sql)] = (r._sql, [])
                    out.append(specs[id(r._sql)])
                specs[id(r._sql)][1].append(r._sql_options(defaults))
                continue
            opts = r._native_options(defaults)
            table_fn = r._table_name_fn()
            if table_fn is not None:
                out.append((opts, _opener(r, tees.get(id(r)), defaults), table_fn))  # each row to the table it names
            else:
                out.append((opts, _opener(r, tees.get(id(r)), defaults)))
        return out

    def _refresh(self, mode: Optional[str]) -> None:
        """dlt's refresh before extracting: drop_sources drops every table of the pipeline's schema
        and resets its resources' state; drop_resources only those of the resources being run;
        drop_data empties the tables of the resources being run (their schema stays) and resets
        their state."""
        if mode is None:
            return
        if mode not in ("drop_sources", "drop_resources", "drop_data"):
            raise ValueError(f"refresh must be drop_sources, drop_resources or drop_data, got {mode!r}")
        try:
            schema_name = self._run_schema or ""
            if mode == "drop_sources":
                self._native.drop_tables([], True, False, schema_name)
            else:
                import json

                schema_text = self._native.schema_json(schema_name)
                tables = json.loads(schema_text).get("tables", {}) if schema_text else {}
                known = {t.get("resource") for t in tables.values() if not t.get("parent")}
                names = [n for n in self._extracting if n in known]
                if names:
                    self._native.drop_tables(names, False, mode == "drop_data", schema_name)
        except _engine.native.EngineError as e:
            from dlt.common.exceptions import PipelineException

            raise PipelineException(self.pipeline_name, f"refresh={mode!r} failed: {e}") from None

    def _call(self, step: str, resources: List[Any]) -> Dict[str, Any]:
        """Runs one engine call; records it in last_trace; a failure raises PipelineStepFailed."""
        from dlt.pipeline.trace import PipelineStepTrace, PipelineTrace

        current._activate(self)
        trace = PipelineTrace(self.pipeline_name, datetime.now(timezone.utc))
        self._last_trace = trace
        native_call = getattr(self._native, step)
        if step in ("run", "extract"):
            try:
                self._native.use_schema(self._run_schema or "")
                self._state_text, self._state_session = self._native.state_json(), None
                result = native_call(resources, self._state_for_engine)
            finally:
                self._state_text, self._state_session = None, None
                self._native.use_schema("")
                current._enter_resource(None)
        else:
            result = native_call()
        trace.finished_at = datetime.now(timezone.utc)
        if not result["ok"]:
            trace.steps.append(PipelineStepTrace(result.get("step") or step, trace.started_at, trace.finished_at,
                                                 None, result["message"]))
            self._raise_failed(result)
        info = result["info"]
        for s in info["steps"]:
            started, finished = utc_from_iso(s.get("started_at")), utc_from_iso(s.get("finished_at"))
            step_info: Any = None
            if s["step"] == "extract":
                step_info = ExtractInfo(self, info["load_ids"], _packages(info), started, finished, info["first_run"])
            elif s["step"] == "normalize":
                step_info = NormalizeInfo(self, info["load_ids"], _packages(info), started, finished,
                                          info["first_run"], row_counts=dict(info["rows_normalized"]))
            elif s["step"] == "load":
                step_info = self._load_info(info)
            trace.steps.append(PipelineStepTrace(s["step"], started, finished, step_info))
        if step == "run" and not any(t.step == "normalize" for t in trace.steps):
            # Nothing was extracted: as dlt's run, which normalizes nothing, the trace still has
            # the step (last_normalize_info.row_counts is empty).
            trace.steps.append(PipelineStepTrace("normalize", trace.finished_at, trace.finished_at,
                                                 NormalizeInfo(self, [], [], trace.finished_at, trace.finished_at,
                                                               info["first_run"], row_counts={})))
        return info

    def _raise_failed(self, result: Dict[str, Any]) -> None:
        from dlt.common.exceptions import DltException

        py_error = result.get("python_error")
        step = result.get("step") or "extract"
        load_id = result.get("load_id")
        kind = result.get("kind")
        msg = result["message"]
        exc: BaseException
        if py_error is not None:
            name = result.get("resource") or "?"
            r = self._extracting.get(name)
            gen = (r._fn or r._data) if r is not None else py_error
            exc = ResourceExtractionError(name, gen, str(py_error), "generator")
            exc.__cause__ = py_error
            raise PipelineStepFailed(self, "extract", None, exc) from exc
        if kind == "schema_contract":
            from dlt.common.schema.exceptions import DataValidationError

            exc = DataValidationError(self._run_schema or self.default_schema_name, None, None, None, "freeze",
                                      extended_info=msg)
        elif kind == "data":
            from dlt.normalize.exceptions import NormalizeException

            exc = NormalizeException(msg)
        elif kind == "destination":
            from dlt.common.destination.exceptions import DestinationConnectionError, DestinationTerminalException

            dtype = self.destination.destination_type if self.destination else "?"
            if "connect" in msg.lower() or "could not" in msg.lower() or "unreachable" in msg.lower():
                exc = DestinationConnectionError(dtype, self.dataset_name, msg)
            else:
                exc = DestinationTerminalException(msg)
        elif kind == "config":
            from dlt.common.configuration.exceptions import ConfigurationException

            exc = ConfigurationException(msg)
        elif kind == "source":
            from dlt.extract.exceptions import ExtractorException

            exc = ExtractorException(msg)
        else:
            exc = DltException(msg)
        raise PipelineStepFailed(self, step, load_id, exc) from exc

    def _load_info(self, info: Dict[str, Any]) -> LoadInfo:
        dest_type = info.get("destination_type") or info["destination"].partition(" ")[0]
        location = info.get("destination_location") or info["destination"].partition(" ")[2]
        if dest_type == "duckdb" and not location.startswith(("duckdb:", "md:")):
            location = "duckdb:///" + location  # as dlt shows DuckDB credentials
        started, finished = _span(info, "load")
        loaded = [p for p in info["packages"] if p["state"] == "loaded"] or info["packages"]
        return LoadInfo(self, [p["load_id"] for p in loaded], [_package(p, self.working_dir) for p in loaded],
                        destination_type=dest_type,
                        destination_name=self.destination.destination_name if self.destination else dest_type,
                        destination_displayable_credentials=location, dataset_name=info["dataset_name"],
                        started_at=started, finished_at=finished, first_run=info["first_run"],
                        row_counts=info["rows_per_table"])


def _progress_on(progress: Any) -> bool:
    if progress is None or progress is False:
        return False
    if isinstance(progress, str):
        return progress in ("log", "tqdm", "enlighten", "alive_progress")
    return bool(progress)


def _set_process_credentials(destination: Destination) -> None:
    """Credentials and settings given in code (a destination factory's arguments): seen by the
    engine's configuration lookup (environment first), for this process and the scripts it runs.
    A dict (or an object with attributes) of credentials sets one variable per field."""
    prefix = f"DESTINATION__{destination.destination_name.upper()}__"
    for k, v in (destination.config_params or {}).items():
        if v is not None and isinstance(v, (str, int, float, bool)):
            os.environ[prefix + k.upper()] = str(v).lower() if isinstance(v, bool) else str(v)
    creds = destination.credentials
    if creds is None:
        return
    fields = creds if isinstance(creds, dict) else None
    if fields is None and not isinstance(creds, str) and not hasattr(creds, "to_native_representation") \
            and hasattr(creds, "__dict__"):
        fields = {k: v for k, v in vars(creds).items() if not k.startswith("_")}
    if fields is not None:
        for k, v in fields.items():
            if v is not None:
                os.environ[prefix + "CREDENTIALS__" + k.upper()] = str(v)
        return
    if not isinstance(creds, str):
        creds = getattr(creds, "to_native_representation", lambda: None)() or str(creds)
    os.environ[prefix + "CREDENTIALS"] = creds
