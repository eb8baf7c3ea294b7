"""dlt.pipeline.helpers: retry_load, the retry condition dlt's docs give to tenacity."""

from typing import Callable, Sequence


def retry_load(retry_on_pipeline_steps: Sequence[str] = ("load",)) -> Callable[[BaseException], bool]:
    """A condition for tenacity's `retry_if_exception`: True (retry) for a failure of one of
    `retry_on_pipeline_steps` (default: the load), False for a failure of another step and for
    terminal exceptions (missing configuration, ...) that a repeat would not fix.

    >>> for attempt in Retrying(stop=stop_after_attempt(3), retry=retry_if_exception(retry_load()), reraise=True):
    >>>     with attempt:
    >>>         p.run(data)
    """
    from dlt.common.exceptions import TerminalException
    from dlt.pipeline.exceptions import PipelineStepFailed

    def _retry_load(ex: BaseException) -> bool:
        if isinstance(ex, PipelineStepFailed) and ex.step not in retry_on_pipeline_steps:
            return False
        if isinstance(ex, TerminalException) or isinstance(ex.__context__, TerminalException):
            return False
        return True

    return _retry_load


__all__ = ["retry_load"]
