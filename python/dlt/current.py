"""dlt.current: the active pipeline, source/resource state and workspace."""

from dlt.pipeline.current import (  # noqa: F401
    interval,
    pipeline,
    resource_name,
    resource_state,
    run_context,
    source_schema,
    source_state,
    state,
    workspace,
)
