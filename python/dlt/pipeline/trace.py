"""dlt.pipeline.trace: what the last run did (`pipeline.last_trace`), printed as dlt prints it.

A run's trace has a step for each of extract, normalize and load and a last `run` step (its info
is the run's LoadInfo); a failed step and the run that called it say FAILED with the error. A
trace of one step (`pipeline.extract()` alone) is added to the trace before it, as dlt merges
them, so extract(), normalize() and load() called in turn read as one trace.
"""

import io
import logging
import os
import pickle
import tempfile
import uuid
from datetime import datetime, timezone
from typing import Any, Dict, List, Optional

from dlt.common.pipeline import ExtractInfo, LoadInfo, NormalizeInfo, precisedelta

TRACE_ENGINE_VERSION = 1
TRACE_FILE_NAME = "trace.pickle"


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _elapsed(started: Optional[datetime], finished: Optional[datetime]) -> str:
    if started is None or finished is None:
        return "---"
    return precisedelta((finished - started).total_seconds())


class PipelineStepTrace:
    """One step: its timing, its info (ExtractInfo, NormalizeInfo, LoadInfo) or its error."""

    def __init__(self, step: str, started_at: Optional[datetime], finished_at: Optional[datetime] = None,
                 step_info: Any = None, step_exception: Optional[str] = None,
                 exception_traces: Optional[List[Dict[str, Any]]] = None, span_id: Optional[str] = None) -> None:
        self.span_id = span_id or uuid.uuid4().hex[:16]
        self.step = step
        self.started_at = started_at
        self.finished_at = finished_at
        self.step_info = step_info
        self.step_exception = step_exception
        self.exception_traces = exception_traces

    @classmethod
    def failed(cls, step: str, started_at: Optional[datetime], finished_at: Optional[datetime],
               exc: BaseException) -> "PipelineStepTrace":
        """A step that raised `exc`: PipelineStepFailed keeps its step info, as in dlt."""
        from dlt.pipeline.exceptions import PipelineStepFailed

        text = str(exc)
        if isinstance(exc, PipelineStepFailed):
            info = exc.step_info
        else:
            info = None
            if exc.__context__ is not None:
                text += "caused by: " + str(exc.__context__)
        return cls(step, started_at, finished_at, info, text, _exception_traces(exc))

    def asstr(self, verbosity: int = 0) -> str:
        msg = f"Step {self.step} {'FAILED' if self.step_exception else 'COMPLETED'} in " \
              f"{_elapsed(self.started_at, self.finished_at)}."
        if self.step_exception:
            msg += f"\nFailed due to: {self.step_exception}"
        if self.step_info is not None and hasattr(self.step_info, "asstr"):
            info = self.step_info.asstr(verbosity)
            if info:
                msg += f"\n{info}"
        if verbosity > 0:
            msg += f"\nspan id: {self.span_id}"
        return msg

    def asdict(self) -> Dict[str, Any]:
        d: Dict[str, Any] = {"span_id": self.span_id, "step": self.step, "started_at": self.started_at,
                             "finished_at": self.finished_at, "step_exception": self.step_exception,
                             "exception_traces": self.exception_traces}
        if self.step_info is not None and hasattr(self.step_info, "asdict"):
            d[f"{self.step}_info"] = self.step_info.asdict()
        return d

    def __str__(self) -> str:
        return self.asstr(verbosity=0)

    def __repr__(self) -> str:
        return f"PipelineStepTrace({self.step!r}, {self.started_at}, {self.finished_at})"


class PipelineTrace:
    """The steps of one run (or of extract/normalize/load called one after another)."""

    def __init__(self, pipeline_name: str, started_at: datetime, transaction_id: Optional[str] = None) -> None:
        self.transaction_id = transaction_id or uuid.uuid4().hex[:16]
        self.pipeline_name = pipeline_name
        self.started_at = started_at
        self.finished_at: Optional[datetime] = None
        self.steps: List[PipelineStepTrace] = []
        self.resolved_config_values: List[Any] = []
        self.engine_version = TRACE_ENGINE_VERSION

    def asstr(self, verbosity: int = 0) -> str:
        failed = bool(self.steps) and bool(self.steps[-1].step_exception)
        msg = (f"Run started at {self.started_at} and {'FAILED' if failed else 'COMPLETED'} in "
               f"{_elapsed(self.started_at, self.finished_at)} with {len(self.steps)} steps.")
        if self.steps:
            msg += "\n" + "\n\n".join(s.asstr(verbosity) for s in self.steps)
        return msg

    def last_pipeline_step_trace(self, step_name: str) -> Optional[PipelineStepTrace]:
        matching = [s for s in self.steps if s.step == step_name]
        if not matching:
            return None
        return max(matching, key=lambda s: s.started_at or self.started_at)

    def _last_info(self, step: str, cls: type) -> Any:
        s = self.last_pipeline_step_trace(step)
        return s.step_info if s is not None and isinstance(s.step_info, cls) else None

    @property
    def last_extract_info(self) -> Optional[ExtractInfo]:
        return self._last_info("extract", ExtractInfo)

    @property
    def last_normalize_info(self) -> Optional[NormalizeInfo]:
        return self._last_info("normalize", NormalizeInfo)

    @property
    def last_load_info(self) -> Optional[LoadInfo]:
        return self._last_info("load", LoadInfo)

    def asdict(self) -> Dict[str, Any]:
        # as dlt: the run step repeats the load step, so it is left out unless it failed
        return {"transaction_id": self.transaction_id, "pipeline_name": self.pipeline_name,
                "started_at": self.started_at, "finished_at": self.finished_at,
                "engine_version": self.engine_version, "resolved_config_values": list(self.resolved_config_values),
                "steps": [s.asdict() for s in self.steps if s.step != "run" or s.step_exception is not None]}

    def __str__(self) -> str:
        return self.asstr(verbosity=0)

    def __repr__(self) -> str:
        return f"PipelineTrace({self.pipeline_name!r}, {self.started_at}, steps={[s.step for s in self.steps]})"


def merge_traces(last_trace: Optional[PipelineTrace], new_trace: PipelineTrace) -> PipelineTrace:
    """A trace of one step joins the trace before it (the last 100 steps kept); others replace it."""
    if len(new_trace.steps) > 1 or last_trace is None:
        return new_trace
    last_trace.steps = (last_trace.steps + new_trace.steps)[-100:]
    last_trace.finished_at = new_trace.finished_at
    return last_trace


def _exception_traces(exc: BaseException) -> List[Dict[str, Any]]:
    """The chain of exceptions under `exc` (it first, then its cause or context), as dicts."""
    out: List[Dict[str, Any]] = []
    seen = set()
    e: Optional[BaseException] = exc
    while e is not None and id(e) not in seen:
        seen.add(id(e))
        out.append({"exception_type": f"{type(e).__module__}.{type(e).__name__}", "message": str(e),
                    "is_terminal": _is_terminal(e)})
        e = e.__cause__ or e.__context__
    return out


def _is_terminal(e: BaseException) -> bool:
    from dlt.common.exceptions import TerminalException

    return isinstance(e, TerminalException)


class _PipelineShell:
    """The pipeline of a trace read back from the working folder: as dlt pickles a pipeline, only
    its name, dataset, working folder and default schema name."""

    def __init__(self, pipeline_name: str, dataset_name: Optional[str], working_dir: Optional[str],
                 default_schema_name: Optional[str]) -> None:
        self.pipeline_name = pipeline_name
        self.dataset_name = dataset_name
        self.working_dir = working_dir
        self.default_schema_name = default_schema_name

    def __repr__(self) -> str:
        return f"Pipeline(pipeline_name={self.pipeline_name!r}, dataset_name={self.dataset_name!r})"


def _or_none(get: Any) -> Any:
    try:
        return get()
    except Exception:
        return None


class _TracePickler(pickle.Pickler):
    def reducer_override(self, obj: Any) -> Any:
        from dlt.pipeline.pipeline import Pipeline

        if isinstance(obj, Pipeline):
            return _PipelineShell, (obj.pipeline_name, _or_none(lambda: obj.dataset_name),
                                    _or_none(lambda: obj.working_dir), _or_none(lambda: obj.default_schema_name))
        return NotImplemented


def save_trace(trace_dir: str, trace: PipelineTrace) -> None:
    """Keeps `trace` in `trace_dir` (trace.pickle, as dlt), so that pipeline.last_trace of the
    pipeline in a later process is this one. Never raises (it runs while a step's own error may
    be on its way): a trace that cannot be kept is logged as a warning, as dlt does, and the
    previous one is removed either way."""
    path = os.path.join(trace_dir, TRACE_FILE_NAME)
    tmp = None
    try:
        if os.path.isfile(path):
            os.unlink(path)
        buf = io.BytesIO()
        _TracePickler(buf).dump(trace)
        fd, tmp = tempfile.mkstemp(prefix=TRACE_FILE_NAME + ".", dir=trace_dir)
        with os.fdopen(fd, "wb") as f:
            f.write(buf.getvalue())
        os.replace(tmp, path)
        tmp = None
    except Exception as ex:
        logging.getLogger("dlt").warning("Failed to create trace dump via pickle: %s", ex)
    finally:
        if tmp is not None and os.path.exists(tmp):
            os.unlink(tmp)


def load_trace(trace_dir: str, ignore_errors: bool = True) -> Optional[PipelineTrace]:
    """The trace save_trace kept in `trace_dir`, or None (none kept, or one that cannot be read
    when `ignore_errors`)."""
    try:
        with open(os.path.join(trace_dir, TRACE_FILE_NAME), "rb") as f:
            return pickle.load(f)  # type: ignore[no-any-return]
    except FileNotFoundError:
        return None
    except Exception:
        if not ignore_errors:
            raise
        return None
