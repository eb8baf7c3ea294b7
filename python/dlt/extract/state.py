"""dlt.extract.state: source and resource state (see dlt.pipeline.current)."""

from dlt.pipeline.current import (  # noqa: F401
    reset_resource_state,
    resource_name as get_current_pipe_name,
    resource_state,
    source_state,
)
