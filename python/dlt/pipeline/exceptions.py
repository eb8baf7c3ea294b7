"""dlt.pipeline.exceptions: what a failed pipeline step raises."""

from typing import Any, Optional

from dlt.common.exceptions import PipelineException


class InvalidPipelineName(PipelineException, ValueError):
    def __init__(self, pipeline_name: str, details: str) -> None:
        super().__init__(pipeline_name, f"The pipeline name `{pipeline_name}` contains invalid characters. {details}")


class PipelineConfigMissing(PipelineException):
    def __init__(self, pipeline_name: str, config_elem: str, step: str, _help: str = "") -> None:
        self.config_elem = config_elem
        self.step = step
        msg = f"Configuration element `{config_elem}` was not provided and `{step}` step cannot be executed"
        if _help:
            msg += f"\n{_help}\n"
        super().__init__(pipeline_name, msg)


class CannotRestorePipelineException(PipelineException):
    def __init__(self, pipeline_name: str, pipelines_dir: str, reason: str) -> None:
        super().__init__(pipeline_name, f"Pipeline with name `{pipeline_name}` in working directory `{pipelines_dir}` could not be restored: {reason}")


class PipelineNeverRan(PipelineException):
    def __init__(self, pipeline_name: str, pipelines_dir: str) -> None:
        super().__init__(
            pipeline_name,
            f"Pipeline `{pipeline_name}` has never been run in working directory `{pipelines_dir}` "
            "and the operation cannot proceed. Run the pipeline first.",
        )


class PipelineNotActive(PipelineException):
    def __init__(self, pipeline_name: str) -> None:
        super().__init__(pipeline_name, f"Pipeline `{pipeline_name}` is not active so it cannot be deactivated")


class PipelineStepFailed(PipelineException):
    """A step (extract, normalize, load) failed; `exception` is what failed it."""

    def __init__(self, pipeline: Any, step: str, load_id: Optional[str], exception: BaseException, step_info: Any = None) -> None:
        self.pipeline = pipeline
        self.step = step
        self.load_id = load_id
        self.exception = exception
        self.step_info = step_info
        self.has_pending_data = bool(getattr(pipeline, "has_pending_data", False))
        package_str = f" when processing package with `load_id='{load_id}'`" if load_id else ""
        msg = (
            f"Pipeline execution failed at `step={step}`{package_str} with exception:"
            f"\n\n{type(exception)}\n{exception}"
        )
        if self.has_pending_data:
            msg += (
                "\n\nPending packages are left in the pipeline and will be re-tried on the next pipeline"
                " run. If you pass new data to extract to next run, it will be ignored. Run"
                f" `dlt pipeline {pipeline.pipeline_name} info` for more information or `dlt pipeline"
                f" {pipeline.pipeline_name} drop-pending-packages` to drop pending packages."
            )
        super().__init__(pipeline.pipeline_name, msg)
