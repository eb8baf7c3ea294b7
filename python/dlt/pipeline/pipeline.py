"""dlt's Pipeline on the native engine: run/extract/normalize/load, state, trace, SQL access.

Data given to run() becomes resources (python/dlt/extract/); the engine reads each resource's
items through its `_open` callable, writes load packages and normalizes and loads them in C++,
in the same folders, profiles and destinations as the CLI.
"""

import contextlib
import json
import os
import sys
from datetime import datetime
from typing import Any, Dict, Iterator, List, Optional

from dlt import _engine
from dlt.common.pipeline import ExtractInfo, LoadInfo, LoadPackageInfo, NormalizeInfo
from dlt.destinations import Destination
from dlt.extract.resource import DltResource
from dlt.pipeline import current
from dlt.pipeline._data import _schema_groups, engine_resources
from dlt.pipeline._failures import chained, raise_chained, step_failed
from dlt.pipeline.exceptions import PipelineStepFailed
from dlt.pipeline._infos import _package, _packages, _span
from dlt.pipeline._tracing import _now, _Tracing


# In the working folder of a pipeline made with dev_mode=True (dlt's `_dev_mode` of the local
# state): the next one made without it starts with a new local state, as in dlt.
DEV_MODE_MARKER = ".dev_mode"


def pipeline_folder(pipeline_name: str) -> str:
    """The working folder of pipeline `pipeline_name` in the active profile (the engine's
    `<data dir>/pipelines/<name>`), also before the engine's pipeline is opened."""
    return os.path.join(_engine.workspace().data_dir, "pipelines", pipeline_name)


class Pipeline(_Tracing):
    _schema_files: Any = None  # import_schema_path / export_schema_path (see _schema_files.py)

    def __init__(self, pipeline_name: str, destination: Optional[Destination], dataset_name: Optional[str],
                 dev_mode: bool = False, progress: Any = None, refresh: Optional[str] = None,
                 open_destination: bool = True) -> None:
        """`open_destination` False: the destination (one the local state named) is resolved when a
        step needs it, as dlt does, not now."""
        self.pipeline_name = pipeline_name
        self.destination = destination
        self.dev_mode = dev_mode
        self.refresh = refresh
        self.progress = progress
        # As dlt: True for a pipeline with no local state yet (made now, or in dev_mode), until a
        # load completes or a state is restored from the destination.
        self.first_run = not os.path.exists(os.path.join(pipeline_folder(pipeline_name), "state.json"))
        self._dataset_name = dataset_name
        self._native = None
        self._native_destination = ""  # the destination name self._native was opened with ("" none)
        self._destination_failed = False  # it could not be opened for reading (see _require_native)
        self._last_trace: Any = None
        self._trace: Any = None  # the trace of the call in progress (see _traced)
        self._extracting: Dict[str, DltResource] = {}
        self._pending_refresh: Optional[str] = None  # run/extract(refresh=...), for the next engine call
        # The source state of the extract in progress: its stored text (read before the engine
        # takes the pipeline's lock) and, once user code asked for it, the dict it changes.
        self._state_text: Optional[str] = None
        self._state_session: Optional[Dict[str, Any]] = None
        # The schema the data being run goes to: a source's name (dlt names a source's schema after
        # the source), None for the pipeline's default schema.
        self._run_schema: Optional[str] = None
        if dev_mode:
            # As dlt: a new dataset per pipeline instance, and no state from earlier runs.
            # as dlt: a name that ends in `_` takes the suffix without its own
            suffix = datetime.now().strftime("_%Y%m%d%H%M%S")
            self._dataset_name = self.dataset_name + (suffix[1:] if self.dataset_name.endswith("_") else suffix)
        if destination is not None and open_destination:
            self._register_custom_destination()
            self._open_native()
        if dev_mode:
            if self._native is None:
                self._open_native(with_destination=False)
            self._native.drop_local()
            self._mark_dev_mode()
            self.first_run = True

    def _mark_dev_mode(self) -> None:
        """As dlt's `_dev_mode` in the local state: the next pipeline made without dev_mode starts
        afresh (dlt.pipeline() sees this marker)."""
        os.makedirs(self._folder(), exist_ok=True)
        with open(os.path.join(self._folder(), DEV_MODE_MARKER), "w", encoding="utf-8"):
            pass

    # --- identity -----------------------------------------------------------------------------
    @property
    def dataset_name(self) -> str:
        return self._dataset_name or f"{self.pipeline_name}_dataset"

    @property
    def working_dir(self) -> str:
        return self._folder()

    @property
    def pipelines_dir(self) -> str:
        return os.path.dirname(self.working_dir)

    @property
    def runtime_config(self) -> Any:
        """dlt's RuntimeConfiguration: the profile's [runtime] settings (slack_incoming_hook, log_level,
        request_timeout, ...), first under `<pipeline_name>.runtime`; read when asked for."""
        from dlt.common.configuration.specs.runtime_configuration import resolve_runtime_configuration

        return resolve_runtime_configuration(self.pipeline_name)

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
            # the engine opens the destination again: settings given in code must be seen
            with _code_credentials(self.destination):
                native.sync_destination(self.destination.destination_name, self.dataset_name)
        except _engine.native.EngineError as e:
            from dlt.common.destination.exceptions import DestinationConnectionError

            raise DestinationConnectionError(self.destination.destination_type, self.dataset_name, str(e), e) from None
        self._state_text = None
        self._state_session = None
        if os.path.exists(os.path.join(self.working_dir, "state.json")) and self._native.state_json():
            self.first_run = False

    def drop_pending_packages(self, with_partial_loads: bool = True) -> None:
        """Deletes the packages that were extracted or normalized but not loaded (their data is
        not loaded), as dlt does; the state they carried is not applied."""
        self._configure(None, None, None, need_destination=False)
        self._require_native().drop_pending_packages()

    @property
    def default_schema(self) -> Any:
        """The pipeline's schema as the engine stored it after the last extract/normalize (dlt's
        Schema: tables, columns, version, to_pretty_yaml()); an empty schema before the first run.
        Its settings may be edited (add_type_detection, merge_hints, ...): the next run or extract
        of resources alone (no source, no `schema=`) brings them, as dlt's live schema does."""
        import json

        from dlt.common.schema import Schema

        text = self._require_native().schema_json()
        schema = Schema.from_dict(json.loads(text)) if text else Schema(self.pipeline_name)
        view = getattr(self, "_default_view", None)
        if view is not None and view.name == schema.name and view._settings_changes():
            schema.settings.clear()  # edits not yet run stay
            schema.settings.update(json.loads(json.dumps(view.settings)))
        self._default_view = schema
        return schema

    def _default_schema_settings(self, schema: Any, groups: List[Any]) -> Optional[str]:
        """run/extract: the settings of `schema=`, else the edits of `default_schema` when only
        resources (no source) go to the default schema."""
        given = _schema_settings(schema)
        if given is not None:
            return given
        view = getattr(self, "_default_view", None)
        if view is None or len(groups) != 1 or groups[0][0] is not None:
            return None
        changes = view._settings_changes()
        return json.dumps(changes) if changes else None

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
            merge_key: Any = None) -> Optional[LoadInfo]:
        """Loads pending packages of earlier runs, then extracts, normalizes and loads `data`
        (None when there was neither)."""
        with self._traced("run") as run_step:
            self._configure(destination, dataset_name, credentials)
            if staging is not None:
                raise NotImplementedError("staging destinations are not supported by dlt-cpp yet")
            if data is not None and self.has_pending_data:
                # as dlt: the pending packages are loaded and the run ends there
                print("WARNING: The pipeline `run` method will now load the pending load packages. The data you "
                      "passed to the run function will not be extracted. In order to do that you must run the "
                      "pipeline again", file=sys.stderr)
                data = None
            hints = dict(table_name=table_name, write_disposition=write_disposition, columns=columns,
                         primary_key=primary_key, merge_key=merge_key, schema_contract=schema_contract,
                         file_format=self._file_format_hint(loader_file_format))
            groups = _schema_groups(data, schema)
            hints["schema_settings"] = self._default_schema_settings(schema, groups)
            if len(groups) > 1:
                # Sources of different names: as dlt, each is extracted into a package and schema
                # of its own (one extract step); the run then normalizes and loads them all.
                with self._traced("extract") as extract_step:
                    extract_step["info"] = self._extract_info(
                        [self._extract_group(name, part, hints, refresh or self.refresh) for name, part in groups])
                self._run_schema = None
                info = self._call("run", [])
            else:
                self._run_schema = groups[0][0] if groups else None
                resources = self._resources(data, **hints)
                self._refresh(refresh or self.refresh)
                info = self._call("run", resources)
            run_step["info"] = load_info = self._load_info(info)
        # as dlt: run() with no data and nothing pending returns None
        return None if data is None and not load_info.loads_ids else load_info

    def _extract_group(self, schema_name: Optional[str], data: Any, hints: Dict[str, Any], refresh: Optional[str]) -> Dict[str, Any]:
        self._run_schema = schema_name
        resources = self._resources(data, **hints)
        self._refresh(refresh)
        return self._call("extract", resources)

    def _file_format_hint(self, loader_file_format: Any) -> Optional[str]:
        """run/extract(loader_file_format=...): as dlt, the file_format hint of every resource of
        the call, kept in their tables' schema (later runs write the same format). The filesystem
        destination writes parquet, jsonl or csv files; the SQL destinations load the engine's own
        job files whatever is asked."""
        if loader_file_format is None:
            return None
        known = ("jsonl", "typed-jsonl", "insert_values", "parquet", "csv", "reference", "model")
        if loader_file_format not in known:
            raise ValueError(f"loader_file_format `{loader_file_format}` is not one of dlt's formats: "
                             + ", ".join(known))
        dest = self.destination
        if dest is not None and dest.destination_type == "filesystem" and \
                loader_file_format not in ("parquet", "jsonl", "csv"):
            raise ValueError(f"loader_file_format `{loader_file_format}`: the filesystem destination writes "
                             "parquet, jsonl or csv")
        return str(loader_file_format)

    def extract(self, data: Any, *, table_name: Optional[str] = None, parent_table_name: Optional[str] = None,
                write_disposition: Any = None, columns: Any = None, primary_key: Any = None, schema: Any = None,
                max_parallel_items: Optional[int] = None, workers: Optional[int] = None,
                table_format: Any = None, schema_contract: Any = None, refresh: Optional[str] = None,
                loader_file_format: Any = None, merge_key: Any = None) -> ExtractInfo:
        """Extracts `data` into a load package (normalize() and load() take it further)."""
        with self._traced("extract") as step:
            self._configure(None, None, None, need_destination=False)
            hints = dict(table_name=table_name, write_disposition=write_disposition, columns=columns,
                         primary_key=primary_key, merge_key=merge_key, schema_contract=schema_contract,
                         file_format=self._file_format_hint(loader_file_format))
            groups = _schema_groups(data, schema)
            hints["schema_settings"] = self._default_schema_settings(schema, groups)
            step["info"] = info = self._extract_info(
                [self._extract_group(name, part, hints, refresh or self.refresh) for name, part in groups])
        return info

    def _extract_info(self, infos: List[Dict[str, Any]]) -> ExtractInfo:
        packages = [p for info in infos for p in _packages(info, self.working_dir)]
        spans = [_span(info, "extract") for info in infos]
        started = min((s[0] for s in spans if s[0] is not None), default=None)
        finished = max((s[1] for s in spans if s[1] is not None), default=None)
        return ExtractInfo(self, [p.load_id for p in packages], packages, started, finished,
                           first_run=infos[0]["first_run"] if infos else False)

    def normalize(self, workers: int = 1, loader_file_format: Any = None) -> NormalizeInfo:
        """Normalizes every extracted package."""
        with self._traced("normalize") as step:
            self._configure(None, None, None, need_destination=False)
            info = self._call("normalize", [])
            step["info"] = n_info = NormalizeInfo(
                self, [p["load_id"] for p in info["packages"]], _packages(info, self.working_dir),
                *_span(info, "normalize"), first_run=info["first_run"], row_counts=dict(info["rows_normalized"]))
        return n_info

    def load(self, destination: Any = None, dataset_name: Optional[str] = None, credentials: Any = None,
             *, workers: int = 20, raise_on_failed_jobs: bool = True) -> LoadInfo:
        """Loads every normalized package."""
        with self._traced("load") as step:
            self._configure(destination, dataset_name, credentials)
            step["info"] = load_info = self._load_info(self._call("load", []))
        return load_info

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
        if self.dev_mode:
            self._mark_dev_mode()  # as dlt's drop(), which makes the pipeline again with dev_mode
        self._last_trace = None
        return self

    @property
    def state(self) -> Dict[str, Any]:
        """The pipeline state (as stored: restored from the destination when the folder is new)."""
        from dlt.common.json import typed_loads

        return typed_loads(self._require_native().state_json())

    @property
    def has_data(self) -> bool:
        """As dlt: the pipeline ran before, or has a schema or packages not loaded yet."""
        return not self.first_run or bool(self.schema_names) or self.has_pending_data

    @property
    def is_active(self) -> bool:
        """Whether this is the active pipeline (dlt.current.pipeline()): the one made last by
        dlt.pipeline() or dlt.attach(), or activated."""
        return current.pipeline() is self

    def activate(self) -> None:
        """Makes this the active pipeline: dlt.current.source_state() / resource_state() outside a
        run read its state."""
        current._activate(self)

    def deactivate(self) -> None:
        """No pipeline is active afterwards; PipelineNotActive when this one is not."""
        if not self.is_active:
            from dlt.pipeline.exceptions import PipelineNotActive

            raise PipelineNotActive(self.pipeline_name)
        current._activate(None)

    def get_local_state_val(self, key: str) -> Any:
        """A value of the state's `_local` part (kept in the working folder, never sent to the
        destination): KeyError when it has none."""
        return self.state["_local"][key]

    @property
    def has_pending_data(self) -> bool:
        return bool(self._require_native().has_pending_data())

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
        """The trace of this pipeline's last run in this process, else (as dlt) the one the last
        process kept in the working folder (trace.pickle), else None."""
        if self._last_trace is not None:
            return self._last_trace
        from dlt.pipeline.trace import load_trace

        return load_trace(self._folder())

    def _folder(self) -> str:
        """The pipeline's working folder, also before the engine's pipeline is opened."""
        if self._native is not None:
            return str(self._native.working_dir)
        return pipeline_folder(self.pipeline_name)

    def sql_client(self, schema_name: Optional[str] = None) -> Any:
        """A SQL client on the pipeline's dataset (use it as a context manager)."""
        from dlt.destinations.sql_client import SqlClient

        self._configure(None, None, None)
        return SqlClient(self)

    def dataset(self, schema: Any = None, dataset_type: str = "auto") -> Any:
        """The pipeline's dataset: its tables as relations you can fetch or query with SQL;
        `schema` (a name or a Schema) picks the schema it reads (the default schema when None)."""
        from dlt.dataset import Dataset

        self._configure(None, None, None)
        return Dataset(self, schema=schema)

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

    def _without_replaced_states(self, text: Optional[str]) -> Optional[str]:
        """As dlt's extract (and the engine's): the state of a resource that replaces its table,
        or of a parent read for one, starts empty, its incremental cursor too; so does the state a
        refresh resets (the source's with drop_sources, the resources' with the others)."""
        from dlt.common.json import typed_dumps, typed_loads

        refresh = self._pending_refresh
        if text and refresh == "drop_sources":
            stored = typed_loads(text)
            schema = self._run_schema or stored.get("default_schema_name") or self.pipeline_name
            if schema in stored.get("sources", {}):
                stored["sources"].pop(schema)
                text = typed_dumps(stored)
        names = set(self._extracting or {}) if refresh in ("drop_resources", "drop_data") else set()
        for r in (self._extracting or {}).values():
            while r is not None:
                wd = getattr(r, "write_disposition", None)
                if wd == "replace" or (isinstance(wd, dict) and wd.get("disposition") == "replace"):
                    names.add(r.name)
                r = getattr(r, "_parent", None)
        if not text or not names:
            return text
        stored = typed_loads(text)
        schema = self._run_schema or stored.get("default_schema_name") or self.pipeline_name
        resources = stored.get("sources", {}).get(schema, {}).get("resources", {})
        if not any(n in resources for n in names):
            return text
        for n in names:
            resources.pop(n, None)
        return typed_dumps(stored)

    def _state_for_engine(self, schema_name: str) -> Optional[str]:
        """Called by the engine once the rows are read: the source state as user code left it."""
        from dlt.common.json import typed_dumps

        if self._state_session is None:
            return None
        return typed_dumps(self._state_session)

    def _require_native(self) -> Any:
        """The engine's pipeline, opened with the destination when there is one; for what reads
        the working folder only (state, schema, packages), without it when it cannot be opened."""
        from dlt.pipeline.exceptions import PipelineConfigMissing

        wanted = self.destination.destination_name if self.destination is not None else ""
        if self._native is None or (self._native_destination != wanted and not self._destination_failed):
            try:
                if self.destination is not None:
                    self._register_custom_destination()
                self._open_native()
            except PipelineConfigMissing:
                # (tried once: _configure opens it again when a step needs the destination)
                self._destination_failed = True
                if self._native is None:
                    self._open_native(with_destination=False)
        return self._native

    def _open_native(self, with_destination: bool = True) -> None:
        ws = _engine.workspace()
        destination = self.destination if with_destination else None
        try:
            # The engine resolves the destination when the pipeline is made: credentials and
            # settings given in code are seen by it then, and by no other pipeline of the process.
            with _code_credentials(destination):
                self._native = _engine.native.Pipeline(ws, self.pipeline_name,
                                                       destination.destination_name if destination else "",
                                                       self.dataset_name, _progress_on(self.progress))
                self._native_destination = destination.destination_name if destination else ""
        except _engine.native.EngineError as e:
            from dlt.pipeline.exceptions import PipelineConfigMissing

            message = str(e)
            secret_at = message.find("Provider `config.toml` cannot hold secret values but key `")
            if secret_at >= 0:
                # destination credentials found in config.toml: dlt's ValueNotSecretException
                from dlt.common.configuration.exceptions import ValueNotSecretException

                key = message[secret_at:].split("`")[3]
                raise ValueNotSecretException("config.toml", key, message[secret_at:]) from None
            raise PipelineConfigMissing(self.pipeline_name, "destination", "load", message) from None

    def _configure(self, destination: Any, dataset_name: Optional[str], credentials: Any,
                   need_destination: bool = True) -> None:
        """`need_destination` False: extract and normalize, which dlt runs without a destination
        (names in the schema's convention; a later load or run gives the destination)."""
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
        if need_destination:
            self._require_destination()
        wanted = self.destination.destination_name if self.destination is not None else ""
        if changed:
            self._destination_failed = False
        if changed or self._native is None or self._native_destination != wanted:
            self._register_custom_destination()
            if need_destination:
                self._open_native()
            else:
                self._require_native()  # extract and normalize go on without a destination that cannot open

    def _register_custom_destination(self) -> None:
        if self._custom_destination():
            from dlt.destinations import _sink

            _sink.register(self.destination)

    def _custom_destination(self) -> bool:
        return self.destination is not None and self.destination.destination_type == "destination"

    def _require_destination(self) -> None:
        if self.destination is None:
            from dlt.pipeline.exceptions import PipelineConfigMissing

            raise PipelineConfigMissing(self.pipeline_name, "destination", "load",
                                        "Pass `destination` to dlt.pipeline() or to run().")

    def _resources(self, data: Any, **hints: Any) -> List[Any]:
        """[(engine options, open callable)] for the resources `data` stands for."""
        nesting = getattr(self.destination, "max_table_nesting", None) if self._custom_destination() else None
        from dlt.extract.exceptions import PipeException

        try:
            resources, self._extracting = engine_resources(data, hints, nesting)
        except PipeException as e:
            # as dlt binds a resource's incremental in its extract step (an external scheduler's
            # interval that is missing or cannot be joined)
            from dlt.pipeline._failures import chained
            from dlt.pipeline.exceptions import PipelineStepFailed

            raise chained(PipelineStepFailed(self, "extract", None, e), e) from e
        if self._schema_files is not None:
            self._schema_files.prepare(self, resources, self._extracting)
        self._warn_file_formats()
        return resources

    def _warn_file_formats(self) -> None:
        """As dlt's normalize: a resource's file_format hint the filesystem destination cannot
        write is ignored with a warning (its files get the destination's format)."""
        dest = self.destination
        if dest is None or dest.destination_type != "filesystem":
            return
        for name, r in (self._extracting or {}).items():
            ff = getattr(r, "_file_format", None) or r._hints.get("file_format")
            if ff is not None and ff not in ("parquet", "jsonl", "csv", "preferred"):
                print(f"WARNING: The configured value `{ff}` for `loader_file_format` is not supported for table "
                      f"of resource `{name}` and will be ignored: the filesystem destination writes parquet, jsonl "
                      "or csv files; it writes its default format instead.", file=sys.stderr)

    def _refresh(self, mode: Optional[str]) -> None:
        """dlt's refresh of the extract that follows: drop_sources drops every table of the
        pipeline's schema and resets the source's state; drop_resources drops the tables of the
        resources being run and resets their state; drop_data empties those tables (their schema
        stays) and resets their state. As in dlt, the destination changes only when the extract
        and normalize succeeded: the engine resets the state in the extract and the load of its
        package drops or empties the tables, in its transaction."""
        if mode is not None and mode not in ("drop_sources", "drop_resources", "drop_data"):
            raise ValueError(f"refresh must be drop_sources, drop_resources or drop_data, got {mode!r}")
        self._pending_refresh = mode

    def _synced_state(self) -> str:
        """The state the step starts from (restored from the destination when the folder is new);
        a failure there is dlt's PipelineStepFailed of the `sync` step."""
        try:
            return self._native.state_json()
        except _engine.native.EngineError as e:
            kind = "destination" if self.destination is not None else "config"
            raise_chained(step_failed(self, {"ok": False, "step": "sync", "kind": kind, "message": str(e)}))
            raise  # not reached

    def _call(self, step: str, resources: List[Any]) -> Dict[str, Any]:
        """Runs one engine call; a failure raises PipelineStepFailed. The steps of a `run` call
        (extract, normalize, load) join the trace in progress."""
        current._activate(self)
        started = _now()
        self._custom_destination_error(step)  # nothing left over from an earlier call
        native_call = getattr(self._native, step)
        if step in ("run", "extract"):
            try:
                self._native.use_schema(self._run_schema or "")
                self._native.use_refresh(self._pending_refresh or "")
                self._state_text, self._state_session = self._without_replaced_states(self._synced_state()), None
                with current._source_schema_scope(self._extract_schema):
                    result = native_call(resources, self._state_for_engine)
            finally:
                self._state_text, self._state_session = None, None
                self._native.use_schema("")
                self._native.use_refresh("")
                self._pending_refresh = None
                current._enter_resource(None)
        else:
            result = native_call()
        sink_error = self._custom_destination_error(step)
        if not result["ok"]:
            err = step_failed(self, result, self._failed_step_info(result, started))
            if sink_error is not None:  # what the custom destination's function raised
                err = chained(PipelineStepFailed(self, "load", result.get("load_id") or getattr(sink_error, "load_id", None),
                                                 sink_error, err.step_info), sink_error)
            if step == "run" and self._trace is not None:
                self._trace_failed_run(err, started, bool(resources))
            raise_chained(err)
        info = result["info"]
        if step in ("run", "load") and info.get("packages"):
            self.first_run = False  # as dlt, once a load completed
        if self._schema_files is not None:
            self._schema_files.after(self, step)
        if step == "run" and self._trace is not None:
            self._trace_run(info)
        if sink_error is not None:
            # a job the function gave up (DestinationTerminalException): the package completed
            # without it, as dlt aborts it; the step fails as dlt's does
            raise_chained(chained(PipelineStepFailed(self, "load", getattr(sink_error, "load_id", None), sink_error,
                                                     self._load_info(info) if step in ("run", "load") else None),
                                  sink_error))
        return info

    def _custom_destination_error(self, step: str) -> Any:
        if step not in ("run", "load") or not self._custom_destination():
            return None
        from dlt.destinations import _sink

        return _sink.step_exception(_sink.take_failures())

    def _extract_schema(self) -> Any:
        """dlt.current.source_schema() during an extract: the schema the data goes to, as stored
        before this extract (a new, empty one on the first run)."""
        import json

        from dlt.common.schema import Schema

        text = self._native.schema_json(self._run_schema or "")
        if text:
            return Schema.from_dict(json.loads(text))
        return Schema(self._run_schema or self.default_schema_name or self.pipeline_name)

    def _stored_source_state(self) -> Dict[str, Any]:
        """The stored state of the source being extracted (read-only: no session is opened)."""
        from dlt.common.json import typed_loads

        text = self._state_text if self._state_text is not None else (
            self._native.state_json() if self._native is not None else None)
        if not text:
            return {}
        stored = typed_loads(text)
        schema = self._run_schema or stored.get("default_schema_name") or self.pipeline_name
        return stored.get("sources", {}).get(schema, {})

    def _load_info(self, info: Dict[str, Any]) -> LoadInfo:
        dest_type = info.get("destination_type") or info["destination"].partition(" ")[0]
        location = info.get("destination_location") or info["destination"].partition(" ")[2]
        if dest_type == "duckdb" and not location.startswith(("duckdb:", "md:")):
            location = "duckdb:///" + location  # as dlt shows DuckDB credentials
        if dest_type == "destination" and not location:
            location = None  # a custom destination has no credentials to show (dlt prints None)
        started, finished = _span(info, "load")
        loaded = [p for p in info["packages"] if p["state"] == "loaded"] or info["packages"]
        return LoadInfo(self, [p["load_id"] for p in loaded], [_package(p, self.working_dir) for p in loaded],
                        destination_type=dest_type,
                        destination_name=self.destination.destination_name if self.destination else dest_type,
                        destination_displayable_credentials=location, dataset_name=info["dataset_name"],
                        started_at=started, finished_at=finished, first_run=info["first_run"],
                        row_counts=info["rows_per_table"])


def _schema_settings(schema: Any) -> Optional[str]:
    """The settings (JSON text) of a Schema object given as run/extract(schema=...): they replace
    the stored schema's, as a source's do."""
    settings = getattr(schema, "_engine_settings", None)
    return json.dumps(settings()) if callable(settings) else None


def _progress_on(progress: Any) -> bool:
    if progress is None or progress is False:
        return False
    if isinstance(progress, str):
        return progress in ("log", "tqdm", "enlighten", "alive_progress")
    return bool(progress)


def _code_settings(destination: Destination) -> Dict[str, str]:
    """Credentials and settings given in code (a destination factory's arguments) as the
    environment variables of the engine's configuration lookup (environment first). A dict (or
    an object with attributes) of credentials gives one variable per field."""
    prefix = f"DESTINATION__{destination.destination_name.upper()}__"
    out: Dict[str, str] = {}
    if destination.destination_name != destination.destination_type:
        # dlt.destinations.duckdb(destination_name="chessdb"): the factory names the type
        out[prefix + "DESTINATION_TYPE"] = destination.destination_type
    for k, v in (destination.config_params or {}).items():
        if k == "current_datetime" and v is not None:
            # the filesystem layout's "now": a datetime, or a function called when the pipeline opens
            v = v() if callable(v) else v
            if not isinstance(v, datetime):
                raise TypeError(f"current_datetime must be a datetime (or a function returning one), got {type(v).__name__}")
            v = v.isoformat()
        elif k == "extra_placeholders" and v is not None:
            if not isinstance(v, dict) or not all(isinstance(x, (str, int, float)) for x in v.values()):
                raise NotImplementedError("extra_placeholders: dlt-cpp takes a dict of static values (str, int, float) "
                                          "for the filesystem layout; functions computed per file are not supported")
            v = json.dumps({name: str(x) for name, x in v.items()})
        if v is not None and isinstance(v, (str, int, float, bool)):
            out[prefix + k.upper()] = str(v).lower() if isinstance(v, bool) else str(v)
    creds = destination.credentials
    if creds is None:
        return out
    fields = creds if isinstance(creds, dict) else None
    if fields is None and not isinstance(creds, str):
        native = getattr(creds, "to_native_representation", None)
        try:
            value = native() if callable(native) else None
        except NotImplementedError:  # a spec without one: its fields
            value = None
        if isinstance(value, dict):  # a spec of fields (AwsCredentials)
            fields = value
        elif value is None and hasattr(creds, "__dict__"):
            fields = {k: v for k, v in vars(creds).items() if not k.startswith("_")}
        elif isinstance(value, str):  # a URL (ConnectionStringCredentials)
            creds = value
    if fields is not None:
        for k, v in fields.items():
            if v is not None:
                out[prefix + "CREDENTIALS__" + k.upper()] = str(v)
        return out
    if not isinstance(creds, str):
        creds = getattr(creds, "to_native_representation", lambda: None)() or str(creds)
    out[prefix + "CREDENTIALS"] = creds
    return out


@contextlib.contextmanager
def _code_credentials(destination: Optional[Destination]) -> Iterator[None]:
    """Sets the variables of _code_settings for the block and puts the environment back after,
    so that a destination given in code applies to its own pipeline only (as in dlt, where it
    is the pipeline's destination object, not a process setting)."""
    values = _code_settings(destination) if destination is not None else {}
    before = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in before.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
