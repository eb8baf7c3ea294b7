"""dlt.current: the active pipeline, its source and resource state, and the workspace.

The state user code keeps with source_state()/resource_state() is a plain dict: during an extract
it is the pipeline's `sources.<schema>` part, which the engine stores with the package (and the
destination) once the resources' rows are read; outside an extract it is a copy whose changes are
discarded, as in dlt.
"""

import contextlib
import threading
from typing import Any, Callable, Dict, Iterator, List, Optional

_active_pipeline: Any = None
_current_resource: Optional[str] = None  # the resource whose items the engine reads now
# A transformer's parent while the thread advancing it makes an item (extract/resource.py
# _as_current): per thread, so that the transformer's calls running in a pool meanwhile still
# see the transformer.
_parent_running = threading.local()


def _running_resource() -> Optional[str]:
    return getattr(_parent_running, "name", None) or _current_resource


_source_schemas: List[Callable[[], Any]] = []  # what source_schema() returns now (innermost last)


def pipeline() -> Any:
    """The pipeline made last by dlt.pipeline() (or running now)."""
    return _active_pipeline


def interval() -> Any:
    """The active time interval of an external scheduler as (start, end), or None: from
    DLT_INTERVAL_START / DLT_INTERVAL_END, else Airflow's task context."""
    from dlt.extract.incremental.context import interval as _interval

    return _interval()


def pipeline_name_or_none() -> Optional[str]:
    return _active_pipeline.pipeline_name if _active_pipeline is not None else None


def _activate(p: Any) -> None:
    global _active_pipeline
    _active_pipeline = p


def _enter_resource(name: Optional[str]) -> None:
    global _current_resource
    _current_resource = name


def source_state(source_state_key: Optional[str] = None) -> Dict[str, Any]:
    """The source-scoped state: kept across runs, loaded to the destination with the data."""
    from dlt.common.exceptions import PipelineStateNotAvailable

    p = _active_pipeline
    if p is None:
        raise PipelineStateNotAvailable(source_state_key)
    return p._user_source_state(source_state_key)


def resource_state(resource_name: Optional[str] = None, source_state_: Optional[Dict[str, Any]] = None, /) -> Dict[str, Any]:
    """The state of the resource being extracted (or of `resource_name`), inside the source state."""
    from dlt.common.exceptions import ResourceNameNotAvailable

    state_ = source_state() if source_state_ is None else source_state_
    name = resource_name or _running_resource()
    if not name:
        raise ResourceNameNotAvailable()
    return state_.setdefault("resources", {}).setdefault(name, {})


def reset_resource_state(resource_name: str, source_state_: Optional[Dict[str, Any]] = None, /) -> None:
    """Removes the state of `resource_name` from the source state."""
    state_ = source_state() if source_state_ is None else source_state_
    if "resources" in state_ and resource_name in state_["resources"]:
        state_["resources"].pop(resource_name)


def resource_name() -> str:
    """The name of the resource being extracted."""
    from dlt.common.exceptions import ResourceNameNotAvailable

    name = _running_resource()
    if not name:
        raise ResourceNameNotAvailable()
    return name


def source_schema() -> Any:
    """The schema of the source being made or extracted: inside a @dlt.source function its new
    schema (named after the source), while resources are read the schema their data goes to.
    Elsewhere dlt's CurrentSourceSchemaNotAvailable is raised."""
    if not _source_schemas:
        from dlt.extract.exceptions import CurrentSourceSchemaNotAvailable

        raise CurrentSourceSchemaNotAvailable()
    return _source_schemas[-1]()


@contextlib.contextmanager
def _source_schema_scope(make: Callable[[], Any]) -> Iterator[List[Any]]:
    """source_schema() returns what `make` returns (made once, when first asked) in this scope;
    the scope yields the list that holds it once made (the source takes it as its schema)."""
    made: List[Any] = []

    def get() -> Any:
        if not made:
            made.append(make())
        return made[0]

    _source_schemas.append(get)
    try:
        yield made
    finally:
        _source_schemas.pop()


state = source_state


def workspace() -> Any:
    from dlt._workspace import WorkspaceRunContext

    return WorkspaceRunContext.current()


def run_context() -> Any:
    return workspace()
