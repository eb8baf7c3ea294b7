"""dlt.current: the active pipeline, its source and resource state, and the workspace."""

from typing import Any, Dict, Optional

_active_pipeline: Any = None
_state_stack: list = []  # (source_state dict, resource name) while a resource runs


def pipeline() -> Any:
    """The pipeline made last by dlt.pipeline() (or running now)."""
    return _active_pipeline


def pipeline_name_or_none() -> Optional[str]:
    return _active_pipeline.pipeline_name if _active_pipeline is not None else None


def _activate(p: Any) -> None:
    global _active_pipeline
    _active_pipeline = p


def source_state() -> Dict[str, Any]:
    """The state of the source being extracted (a dict kept across runs)."""
    if not _state_stack:
        from dlt.common.exceptions import DltException

        raise DltException("source_state() can be called only while a source or resource is being extracted")
    return _state_stack[-1][0]


def resource_state(resource_name: Optional[str] = None) -> Dict[str, Any]:
    """The state of the resource being extracted (`resources.<name>` of the source state)."""
    state = source_state()
    name = resource_name or _state_stack[-1][1]
    return state.setdefault("resources", {}).setdefault(name, {})


def resource_name() -> Optional[str]:
    return _state_stack[-1][1] if _state_stack else None


def state() -> Dict[str, Any]:
    return source_state()


def workspace() -> Any:
    from dlt._workspace import WorkspaceRunContext

    return WorkspaceRunContext.current()


def run_context() -> Any:
    return workspace()
