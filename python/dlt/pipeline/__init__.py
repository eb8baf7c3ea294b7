"""dlt.pipeline(), dlt.run(), dlt.attach()."""

import os
import sys
from typing import Any, Dict, Optional

from dlt.destinations import Destination
from dlt.pipeline import current
from dlt.pipeline.pipeline import DEV_MODE_MARKER, Pipeline, pipeline_folder


def _default_pipeline_name() -> str:
    main = sys.modules.get("__main__")
    f = getattr(main, "__file__", None)
    return "dlt_" + (os.path.splitext(os.path.basename(f))[0] if f else "pipeline")


def pipeline(pipeline_name: Optional[str] = None, pipelines_dir: Optional[str] = None, pipeline_salt: Any = None,
             destination: Any = None, staging: Any = None, dataset_name: Optional[str] = None,
             import_schema_path: Optional[str] = None, export_schema_path: Optional[str] = None,
             full_refresh: Optional[bool] = None, dev_mode: bool = False, refresh: Optional[str] = None,
             progress: Any = None, _impl_cls: Any = None, _attach: bool = False, **kwargs: Any) -> Pipeline:
    """Creates (or, without arguments, returns the active) pipeline, as dlt.pipeline does. Its
    working folder is the active profile's: `<data dir>/pipelines/<pipeline_name>`."""
    has_arguments = any(v not in (None, False) for v in (pipeline_name, pipelines_dir, destination, staging,
                                                         dataset_name, dev_mode, refresh, progress))
    if not has_arguments and current.pipeline() is not None:
        return current.pipeline()
    if pipelines_dir is not None:
        raise NotImplementedError("pipelines_dir: dlt-cpp keeps pipelines in the active profile's working folder "
                                  "(set `data_dir` of the workspace or switch the profile instead)")
    if staging is not None:
        raise NotImplementedError("staging destinations are not supported by dlt-cpp yet")
    if refresh is not None and refresh not in ("drop_sources", "drop_resources", "drop_data"):
        raise ValueError(f"refresh must be drop_sources, drop_resources or drop_data, got {refresh!r}")
    _check_naming()
    pipeline_name = pipeline_name or _default_pipeline_name()
    dev_mode = bool(dev_mode or full_refresh)
    factory = Destination.from_reference(destination)
    from_state = False
    if not dev_mode and not _attach and os.path.exists(os.path.join(pipeline_folder(pipeline_name), DEV_MODE_MARKER)):
        _leave_dev_mode(pipeline_name)
    elif not dev_mode and (destination is None or dataset_name is None):
        # As dlt: what is not given comes from the pipeline's local state (the destination and
        # dataset of its last run), when it has one; that destination is resolved when a step
        # needs it.
        state = _stored_state(pipeline_name) or {}
        if destination is None:
            try:
                factory = _state_destination(state)
            except Exception:  # a destination that cannot be made here: run() may be given one
                factory = None
            from_state = factory is not None
        if dataset_name is None:
            dataset_name = state.get("dataset_name") or None
    p = Pipeline(pipeline_name, factory, dataset_name, dev_mode=dev_mode, progress=progress, refresh=refresh,
                 open_destination=not from_state)
    p._schema_files = _make_schema_files(import_schema_path, export_schema_path)
    current._activate(p)
    return p


_NAMINGS = tuple(n for base in ("snake_case", "direct", "sql_cs_v1", "sql_ci_v1", "duck_case")
                 for n in (base, "dlt.common.normalizers.naming." + base))


def _check_naming() -> None:
    """dlt's `[schema] naming` (SCHEMA__NAMING): the engine names tables and columns with dlt's
    conventions (snake_case, direct, sql_cs_v1, sql_ci_v1, duck_case), so another (a custom module)
    is refused rather than ignored."""
    try:
        from dlt.common.configuration.accessors import config

        naming = config.get("schema.naming")
    except Exception:  # no workspace: nothing configured
        return
    if naming is not None and str(naming) not in _NAMINGS:
        raise NotImplementedError(
            f"naming convention `{naming}` ([schema] naming / SCHEMA__NAMING) is not supported: dlt-cpp names "
            "tables and columns with dlt's own conventions (" + ", ".join(_NAMINGS[::2]) + "); use one of them "
            "or remove the setting")


def _make_schema_files(import_schema_path: Optional[str], export_schema_path: Optional[str]) -> Any:
    """The schema files of dlt.pipeline(import_schema_path=, export_schema_path=), or of the
    top-level `import_schema_path` / `export_schema_path` (and `external_schema_format`) config."""
    fmt = "yaml"
    try:
        from dlt.common.configuration.accessors import config

        import_schema_path = import_schema_path or config.get("import_schema_path")
        export_schema_path = export_schema_path or config.get("export_schema_path")
        fmt = config.get("external_schema_format") or fmt
    except Exception:  # no workspace: the arguments alone
        pass
    if not import_schema_path and not export_schema_path:
        return None
    from dlt.pipeline._schema_files import SchemaFiles

    return SchemaFiles(import_schema_path, export_schema_path, str(fmt))


def attach(pipeline_name: Optional[str] = None, pipelines_dir: Optional[str] = None, destination: Any = None,
           dataset_name: Optional[str] = None, **kwargs: Any) -> Pipeline:
    """The pipeline `pipeline_name` as its last run left it: its destination and dataset come
    from its local state unless given (as dlt's attach); a pipeline that never ran in the active
    profile raises CannotRestorePipelineException."""
    name = pipeline_name or _default_pipeline_name()
    if destination is None or dataset_name is None:
        from dlt.pipeline.exceptions import CannotRestorePipelineException

        try:
            state = _stored_state(name, strict=True)
        except ValueError as e:
            raise CannotRestorePipelineException(name, os.path.dirname(pipeline_folder(name)), str(e)) from None
        if state is None:
            folder = pipeline_folder(name)
            raise CannotRestorePipelineException(name, os.path.dirname(folder),
                                                 f"the pipeline was not found in {folder}: run it first in this "
                                                 "profile, or pass destination and dataset_name")
    # What is not given comes from the state, the destination opened when a step needs it (as
    # dlt's attach); a folder a dev_mode pipeline left is taken as it is.
    return pipeline(pipeline_name=name, destination=destination, dataset_name=dataset_name, _attach=True)


def _leave_dev_mode(name: str) -> None:
    """As dlt: a pipeline made without dev_mode after one made with it starts with a new local
    state (its working folder is wiped); the next run syncs the state from the destination."""
    from dlt import _engine
    from dlt.common import logger

    logger.warning(f"Pipeline {name} was previously created with dev_mode=True and is now being re-created with "
                   "dev_mode=False. Local pipeline state and schemas will be reset. The pipeline will sync state "
                   "from the destination on the next run or dataset access.")
    _engine.native.Pipeline(_engine.workspace(), name, "", name + "_dataset", False).drop_local()


def _stored_state(name: str, strict: bool = False) -> Optional[Dict[str, Any]]:
    """The pipeline's local state (its working folder's state.json in the active profile), None
    when it has none; one that cannot be read is None too, or with `strict` a ValueError naming
    the file (the engine reports it when it opens the pipeline)."""
    import json

    path = os.path.join(pipeline_folder(name), "state.json")
    try:
        with open(path, encoding="utf-8") as f:
            state = json.load(f)
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as e:
        if strict:
            raise ValueError(f"{path} cannot be read: {e}") from None
        return None
    if not isinstance(state, dict):
        if strict:
            raise ValueError(f"{path} holds no pipeline state (not a JSON object)")
        return None
    return state


def _state_destination(state: Dict[str, Any]) -> Optional[Destination]:
    """The destination a state names: its type, under its configured name when it has one."""
    dtype = state.get("destination_type")
    if not isinstance(dtype, str) or not dtype:
        return None
    if dtype.rsplit(".", 1)[-1] == "destination":
        return None  # a @dlt.destination function: only code can give it again (run(destination=...))
    name = state.get("destination_name")
    return Destination.from_reference(dtype, destination_name=name if isinstance(name, str) and name else None)


def run(data: Any, *, destination: Any = None, staging: Any = None, dataset_name: Optional[str] = None,
        table_name: Optional[str] = None, write_disposition: Any = None, columns: Any = None,
        schema: Any = None, loader_file_format: Any = None, table_format: Any = None,
        schema_contract: Any = None, refresh: Optional[str] = None, **kwargs: Any) -> Any:
    """Runs `data` with the active pipeline (or a default one)."""
    p = current.pipeline() or pipeline(destination=destination, dataset_name=dataset_name)
    return p.run(data, destination=destination, dataset_name=dataset_name, table_name=table_name,
                 write_disposition=write_disposition, columns=columns, schema=schema,
                 loader_file_format=loader_file_format, table_format=table_format,
                 schema_contract=schema_contract, refresh=refresh, **kwargs)


__all__ = ["pipeline", "attach", "run", "Pipeline"]
