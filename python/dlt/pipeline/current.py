"""dlt.current: the active pipeline, its source and resource state, and the workspace."""

from typing import Any, Dict, Optional

_active_pipeline: Any = None


def pipeline() -> Any:
    """The pipeline made last by dlt.pipeline() (or running now)."""
    return _active_pipeline


def pipeline_name_or_none() -> Optional[str]:
    return _active_pipeline.pipeline_name if _active_pipeline is not None else None


def _activate(p: Any) -> None:
    global _active_pipeline
    _active_pipeline = p


def source_state() -> Dict[str, Any]:
    """Not supported by dlt-cpp yet: raises NotImplementedError (incremental cursors made with
    dlt.sources.incremental keep their state in the engine)."""
    raise NotImplementedError(
        "dlt.current.source_state() is not supported by dlt-cpp yet: keep cursors with dlt.sources.incremental "
        "(their state is saved and restored by the engine)")


def resource_state(resource_name: Optional[str] = None) -> Dict[str, Any]:
    """Not supported by dlt-cpp yet (see source_state)."""
    raise NotImplementedError(
        "dlt.current.resource_state() is not supported by dlt-cpp yet: keep cursors with dlt.sources.incremental "
        "(their state is saved and restored by the engine)")


def resource_name() -> Optional[str]:
    return None


def state() -> Dict[str, Any]:
    return source_state()


def workspace() -> Any:
    from dlt._workspace import WorkspaceRunContext

    return WorkspaceRunContext.current()


def run_context() -> Any:
    return workspace()
