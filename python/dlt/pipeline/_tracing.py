"""dlt's runtime trace of a Pipeline's calls (`pipeline.last_trace`): each of run, extract,
normalize and load is a step of the trace in progress, or starts one; the steps an engine `run`
reports (extract, normalize, load, with their times and infos) join it, and a failed step and
the run around it say FAILED with the error."""

import contextlib
import os
from datetime import datetime, timezone
from typing import Any, Dict, Iterator

from dlt.common.pipeline import ExtractInfo, NormalizeInfo, utc_from_iso
from dlt.pipeline._infos import _packages, snapshot
from dlt.pipeline.trace import PipelineStepTrace, PipelineTrace, merge_traces, save_trace


def _now() -> datetime:
    return datetime.now(timezone.utc)


class _Tracing:
    """The trace part of Pipeline (it keeps `_trace`, the trace in progress, and `_last_trace`)."""

    _trace: Any
    _last_trace: Any

    @contextlib.contextmanager
    def _traced(self, step: str) -> Iterator[Dict[str, Any]]:
        """dlt's runtime trace of a step: the step (its info, or the error it raised) joins the
        trace in progress, or starts one that becomes last_trace when the step ends."""
        is_new = self._trace is None
        if is_new:
            self._trace = PipelineTrace(self.pipeline_name, _now())
        trace, started, outcome = self._trace, _now(), {}
        try:
            yield outcome
            trace.steps.append(PipelineStepTrace(step, started, _now(), outcome.get("info")))
        except Exception as ex:
            trace.steps.append(PipelineStepTrace.failed(step, started, _now(), ex))
            raise
        finally:
            if is_new:
                trace.finished_at = _now()
                self._last_trace = merge_traces(self._last_trace, trace)
                self._trace = None
                # kept for pipeline.last_trace in a later process (no folder: nothing ran)
                try:
                    folder = self._folder()
                except Exception:  # no workspace: nothing ran, nothing to keep
                    folder = None
                if folder and os.path.isdir(folder):
                    save_trace(folder, self._last_trace)

    def _trace_run(self, info: Dict[str, Any]) -> None:
        """The steps of an engine `run` in the trace, each with its info as of its end."""
        packages = _packages(info, self.working_dir)
        for s in info["steps"]:
            started, finished = utc_from_iso(s.get("started_at")), utc_from_iso(s.get("finished_at"))
            step_info: Any = None
            if s["step"] == "extract":
                step_info = ExtractInfo(self, info["load_ids"], snapshot(packages, "extracted"), started, finished,
                                        info["first_run"])
            elif s["step"] == "normalize":
                step_info = NormalizeInfo(self, info["load_ids"], snapshot(packages, "normalized"), started, finished,
                                          info["first_run"], row_counts=dict(info["rows_normalized"]))
            elif s["step"] == "load":
                step_info = self._load_info(info)
            self._trace.steps.append(PipelineStepTrace(s["step"], started, finished, step_info))
        if not any(t.step == "normalize" for t in self._trace.steps):
            # Nothing was extracted: as dlt's run, which normalizes nothing, the trace still has
            # the step (last_normalize_info.row_counts is empty).
            now = _now()
            self._trace.steps.append(PipelineStepTrace("normalize", now, now, NormalizeInfo(
                self, [], [], now, now, info["first_run"], row_counts={})))

    def _trace_failed_run(self, err: Any, started: datetime, extracted: bool) -> None:
        """The steps of a failed engine `run`: those before the failed one (their times are not
        reported by the engine) and the failed one."""
        order = ["extract", "normalize", "load"]
        if err.step not in order:
            return  # failed before any step (state sync, locks): only the run step says so
        for done in order[(0 if extracted else 1):order.index(err.step)]:
            self._trace.steps.append(PipelineStepTrace(done, started, None, None))
        self._trace.steps.append(PipelineStepTrace.failed(err.step, started, _now(), err))

    def _failed_step_info(self, result: Dict[str, Any], started: datetime) -> Any:
        """The info of a failed extract or normalize step (no packages came out of it), as dlt
        gives PipelineStepFailed.step_info."""
        step = "extract" if result.get("python_error") is not None else result.get("step")
        if step == "extract":
            return ExtractInfo(self, [], [], started, _now())
        if step == "normalize":
            return NormalizeInfo(self, [], [], started, _now(), row_counts={})
        return None
