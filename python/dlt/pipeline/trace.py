"""dlt.pipeline.trace: what the last run did (pipeline.last_trace)."""

from datetime import datetime
from typing import Any, List, Optional


class PipelineStepTrace:
    def __init__(self, step: str, started_at: Optional[datetime], finished_at: Optional[datetime],
                 step_info: Any = None, step_exception: Optional[str] = None) -> None:
        self.step = step
        self.started_at = started_at
        self.finished_at = finished_at
        self.step_info = step_info
        self.step_exception = step_exception

    def __repr__(self) -> str:
        return f"PipelineStepTrace({self.step!r}, {self.started_at}, {self.finished_at})"


class PipelineTrace:
    def __init__(self, pipeline_name: str, started_at: datetime) -> None:
        self.pipeline_name = pipeline_name
        self.started_at = started_at
        self.finished_at: Optional[datetime] = None
        self.steps: List[PipelineStepTrace] = []

    def _last(self, step: str) -> Any:
        for s in reversed(self.steps):
            if s.step == step:
                return s.step_info
        return None

    @property
    def last_extract_info(self) -> Any:
        return self._last("extract")

    @property
    def last_normalize_info(self) -> Any:
        return self._last("normalize")

    @property
    def last_load_info(self) -> Any:
        return self._last("load")

    def __str__(self) -> str:
        lines = [f"Run started at {self.started_at} and COMPLETED in "
                 f"{(self.finished_at - self.started_at).total_seconds() if self.finished_at else '---'}"]
        for s in self.steps:
            state = "FAILED" if s.step_exception else "COMPLETED"
            lines.append(f"Step {s.step} {state}")
        return "\n".join(lines)
