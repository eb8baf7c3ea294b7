"""dlt.common.pipeline: LoadInfo and the package infos a run returns, printed as dlt prints them."""

import os
from datetime import datetime, timedelta, timezone
from typing import Any, Dict, List, NamedTuple, Optional


def precisedelta(seconds: float) -> str:
    """As humanize.precisedelta with dlt's defaults (seconds the smallest unit, "%0.2f"):
    "0.45 seconds", "1 second", "2 minutes and 1.50 seconds", "1 hour, 2 minutes and 3 seconds"."""
    days, rest = divmod(max(seconds, 0.0), 86400.0)
    hours, rest = divmod(rest, 3600.0)
    minutes, secs = divmod(rest, 60.0)
    parts = []
    for value, unit in ((int(days), "day"), (int(hours), "hour"), (int(minutes), "minute")):
        if value:
            parts.append(f"{value} {unit}" + ("" if value == 1 else "s"))
    if secs > 0 or not parts:
        # humanize: singular only for exactly one; a fraction is shown with two decimals
        whole = secs == int(secs)
        count = int(secs) if whole or not 1 < secs < 2 else 2
        text = f"{int(secs)}" if whole else f"{secs:0.2f}"
        parts.append(f"{text} second" + ("" if count == 1 else "s"))
    if len(parts) == 1:
        return parts[0]
    return ", ".join(parts[:-1]) + " and " + parts[-1]


class ParsedLoadJobFileName(NamedTuple):
    """A job file name in a load package, as dlt names them: <table>.<file_id>.<retry_count>.<format>[.gz]."""
    table_name: str
    file_id: str
    retry_count: int
    file_format: str
    is_compressed: bool = False

    def job_id(self) -> str:
        return f"{self.table_name}.{self.file_id}.{self.file_format}" + (".gz" if self.is_compressed else "")

    def file_name(self) -> str:
        return (f"{self.table_name}.{self.file_id}.{int(self.retry_count)}.{self.file_format}"
                + (".gz" if self.is_compressed else ""))

    @staticmethod
    def parse(file_name: str) -> "ParsedLoadJobFileName":
        parts = os.path.basename(file_name).split(".")
        compressed = len(parts) == 5 and parts[-1] == "gz"
        if compressed:
            parts = parts[:-1]
        if len(parts) != 4 or not parts[2].isdigit():
            raise ValueError(f"`{file_name}` is not a load job file name (<table>.<file_id>.<retry>.<format>)")
        return ParsedLoadJobFileName(parts[0], parts[1], int(parts[2]), parts[3], compressed)


class LoadJobInfo(NamedTuple):
    state: str
    file_path: str
    file_size: int
    created_at: Optional[datetime]
    elapsed: Optional[float]
    job_file_info: ParsedLoadJobFileName
    failed_message: Optional[str]

    def asdict(self) -> Dict[str, Any]:
        d = self._asdict()
        del d["job_file_info"]
        d.update(self.job_file_info._asdict())
        d["job_id"] = self.job_file_info.job_id()
        return d

    def asstr(self, verbosity: int = 0) -> str:
        elapsed = precisedelta(self.elapsed) if self.elapsed else "---"
        msg = (f"Job: {self.job_file_info.job_id()}, table: {self.job_file_info.table_name} in {self.state}. "
               f"File type: {self.job_file_info.file_format}, size: {_naturalsize(self.file_size)}. "
               f"Started on: {self.created_at} and completed in {elapsed}.")
        if self.failed_message:
            msg += "\nThe job FAILED TERMINALLY and cannot be restarted."
            if verbosity > 0:
                msg += "\n" + self.failed_message
        return msg


def _naturalsize(size: int) -> str:
    """As humanize.naturalsize(size, binary=True, gnu=True): "812B", "1.5K", "2.0M"."""
    if size < 1024:
        return f"{size}B"
    value = float(size)
    for unit in "KMGTPEZY":
        value /= 1024.0
        if value < 1024.0 or unit == "Y":
            return f"{value:.1f}{unit}"
    return f"{size}B"


class LoadPackageInfo(NamedTuple):
    load_id: str
    package_path: str
    state: str
    schema_name: str
    schema_update: Dict[str, Any]
    completed_at: Optional[datetime]
    jobs: Dict[str, List[LoadJobInfo]]

    @property
    def schema_hash(self) -> Optional[str]:
        """The version hash of the schema the package was made with (its schema.json)."""
        import json
        import os

        try:
            with open(os.path.join(self.package_path, "schema.json"), encoding="utf-8") as f:
                return json.load(f).get("version_hash")
        except (OSError, ValueError):
            return None

    def asdict(self) -> Dict[str, Any]:
        """As dlt's: a dict dlt can load (`pipeline.run([info.asdict()], table_name=...)`): jobs as
        a list, and the tables the package updated as a list, each with its columns as a list."""
        import copy

        d = self._asdict()
        d.pop("schema_name")
        d.pop("schema_update")
        d["jobs"] = [job.asdict() for jobs in self.jobs.values() for job in jobs]
        d["schema_hash"] = self.schema_hash
        d["schema_name"] = self.schema_name
        tables = copy.deepcopy(list(self.schema_update.values()))
        for table in tables:
            table.pop("filters", None)
            table["schema_name"] = self.schema_name
            table["load_id"] = self.load_id
            columns = []
            for column in (table.get("columns") or {}).values():
                column["table_name"] = table["name"]
                column["schema_name"] = self.schema_name
                column["load_id"] = self.load_id
                columns.append(column)
            table["columns"] = columns
        d["tables"] = tables
        return d

    def asstr(self, verbosity: int = 0) -> str:
        done = (f"The package was {self.state.upper()} at {self.completed_at}" if self.completed_at
                else "The package is NOT YET LOADED to the destination")
        msg = (f"The package with load id {self.load_id} for schema {self.schema_name} is in "
               f"{self.state.upper()} state. It updated schema for {len(self.schema_update)} tables. {done}.\n")
        msg += "Jobs details:\n"
        msg += "\n".join(j.asstr(verbosity) for jobs in self.jobs.values() for j in jobs)
        return msg

    def __str__(self) -> str:
        return self.asstr(verbosity=0)


def _packages_asstr(packages: List[LoadPackageInfo], verbosity: int) -> str:
    msg = ""
    for p in packages:
        cstr = p.state.upper() if p.completed_at else f"{p.state.upper()} and NOT YET LOADED to the destination"
        failed = p.jobs.get("failed_jobs", [])
        jobs_str = "no failed jobs" if not failed else f"{len(failed)} FAILED job(s)!"
        msg += f"\nLoad package {p.load_id} is {cstr} and contains {jobs_str}"
        if verbosity > 0:
            for j in failed:
                msg += f"\n\t[{j.job_file_info.job_id()}]: {j.failed_message}\n"
    return msg


class _StepInfo:
    pipeline: Any
    loads_ids: List[str]
    load_packages: List[LoadPackageInfo]
    started_at: Optional[datetime]
    finished_at: Optional[datetime]
    first_run: bool

    def asdict(self) -> Dict[str, Any]:
        """As dlt's: the pipeline by name and the packages as dicts, so that the info loads with
        dlt (`pipeline.run([load_info], table_name="_load_info")`)."""
        d = {k: v for k, v in self.__dict__.items() if k != "pipeline"}
        d["pipeline"] = {"pipeline_name": self.pipeline.pipeline_name}
        d["load_packages"] = [p.asdict() for p in self.load_packages]
        return d

    @property
    def is_empty(self) -> bool:
        """True when the step processed no load package (dlt's split-loading loops stop on it)."""
        return not self.loads_ids

    def __str__(self) -> str:
        return self.asstr(verbosity=1)

    def asstr(self, verbosity: int = 0) -> str:  # pragma: no cover - overridden
        return _packages_asstr(self.load_packages, verbosity)


class ExtractInfo(_StepInfo):
    def __init__(self, pipeline: Any, loads_ids: List[str], load_packages: List[LoadPackageInfo],
                 started_at: Optional[datetime] = None, finished_at: Optional[datetime] = None,
                 first_run: bool = False, metrics: Optional[Dict[str, Any]] = None) -> None:
        self.pipeline = pipeline
        self.loads_ids = loads_ids
        self.load_packages = load_packages
        self.started_at = started_at
        self.finished_at = finished_at
        self.first_run = first_run
        self.metrics = metrics or {}


class NormalizeInfo(ExtractInfo):
    def __init__(self, *args: Any, row_counts: Optional[Dict[str, int]] = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The pipeline state's row (a package whose state changed holds one) comes after the
        # data tables, as dlt lists them.
        counts = dict(row_counts or {})
        state_rows = counts.pop("_dlt_pipeline_state", None)
        if state_rows is not None:
            counts["_dlt_pipeline_state"] = state_rows
        self.row_counts = counts

    def asstr(self, verbosity: int = 0) -> str:
        if self.row_counts:
            msg = "Normalized data for the following tables:\n"
            for k, v in self.row_counts.items():
                msg += f"- {k}: {v} row(s)\n"
        else:
            msg = "No data found to normalize"
        return msg + _packages_asstr(self.load_packages, verbosity)


class LoadInfo(ExtractInfo):
    """What `pipeline.run()` and `pipeline.load()` return."""

    def __init__(self, pipeline: Any, loads_ids: List[str], load_packages: List[LoadPackageInfo], *,
                 destination_type: str, destination_name: str, destination_displayable_credentials: str,
                 dataset_name: str, started_at: Optional[datetime] = None, finished_at: Optional[datetime] = None,
                 first_run: bool = False, row_counts: Optional[Dict[str, int]] = None) -> None:
        super().__init__(pipeline, loads_ids, load_packages, started_at, finished_at, first_run)
        self.destination_type = destination_type
        self.destination_name = destination_name
        self.destination_displayable_credentials = destination_displayable_credentials
        self.dataset_name = dataset_name
        self.staging_name = None
        self.staging_type = None
        self.row_counts = dict(row_counts or {})

    def asstr(self, verbosity: int = 0) -> str:
        msg = f"Pipeline {self.pipeline.pipeline_name} load step completed in "
        if self.started_at and self.finished_at:
            msg += precisedelta((self.finished_at - self.started_at).total_seconds())
        else:
            msg += "---"
        msg += (f"\n{len(self.loads_ids)} load package(s) were loaded to destination"
                f" {self.destination_name} and into dataset {self.dataset_name}\n")
        msg += (f"The {self.destination_name} destination used"
                f" {self.destination_displayable_credentials} location to store data")
        return msg + _packages_asstr(self.load_packages, verbosity)

    @property
    def has_failed_jobs(self) -> bool:
        return any(p.jobs.get("failed_jobs") for p in self.load_packages)

    def raise_on_failed_jobs(self) -> None:
        from dlt.common.destination.exceptions import DestinationHasFailedJobs

        for p in self.load_packages:
            failed = p.jobs.get("failed_jobs")
            if failed:
                raise DestinationHasFailedJobs(self.destination_name, p.load_id, failed)

    def __repr__(self) -> str:
        return f"LoadInfo(pipeline={self.pipeline.pipeline_name!r}, loads_ids={self.loads_ids!r})"


def utc_from_iso(text: Optional[str]) -> Optional[datetime]:
    if not text:
        return None
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def now_utc() -> datetime:
    return datetime.now(timezone.utc)


__all__ = ["LoadInfo", "ExtractInfo", "NormalizeInfo", "LoadPackageInfo", "LoadJobInfo", "precisedelta", "timedelta"]
