"""What an engine call reports (its `info` dict), as dlt's info objects: the packages with their
jobs (LoadPackageInfo, LoadJobInfo) and a step's time span."""

import json
import os
import time
from datetime import datetime, timezone
from typing import Any, Dict, List

from dlt.common.pipeline import LoadJobInfo, LoadPackageInfo, ParsedLoadJobFileName, utc_from_iso


def _span(info: Dict[str, Any], step: str) -> Any:
    """(started_at, finished_at) of a step of an engine call, or (None, None)."""
    times = [(utc_from_iso(s.get("started_at")), utc_from_iso(s.get("finished_at")))
             for s in info["steps"] if s["step"] == step and s.get("started_at")]
    if not times:
        return None, None
    return min(t[0] for t in times), max(t[1] for t in times)


def _package(p: Dict[str, Any], working_dir: str) -> LoadPackageInfo:
    package_path = os.path.join(working_dir, "load", p["state"], p["load_id"])
    jobs: Dict[str, List[LoadJobInfo]] = {"new_jobs": [], "started_jobs": [], "failed_jobs": [], "completed_jobs": []}
    for j in p["jobs"]:
        try:
            parsed = ParsedLoadJobFileName.parse(j["job_id"])
        except ValueError:
            parsed = ParsedLoadJobFileName(j["table_name"], j["job_id"], 0, j["file_format"])
        path = os.path.join(package_path, j["state"], j["job_id"])
        # as dlt: the job file's modification time, and the seconds since then
        created_at, elapsed = None, None
        try:
            mtime = os.path.getmtime(path)
            created_at, elapsed = datetime.fromtimestamp(mtime, timezone.utc), time.time() - mtime
        except OSError:
            pass
        jobs.setdefault(j["state"], []).append(LoadJobInfo(
            j["state"], path, j["file_size"], created_at, elapsed, parsed, j["failed_message"] or None))
    return LoadPackageInfo(p["load_id"], package_path, p["state"],
                           p["schema_name"], _applied_schema_update(package_path),
                           utc_from_iso(p.get("completed_at")), jobs)


def _applied_schema_update(package_path: str) -> Dict[str, Any]:
    """What loading the package changed in the destination's schema, as dlt reports it: each
    table created or altered, with only the columns it added (the engine writes
    `applied_schema_updates.json` into a loaded package); {} before the package is loaded."""
    path = os.path.join(package_path, "applied_schema_updates.json")
    try:
        with open(path, "r", encoding="utf-8") as f:
            update = json.load(f)
    except (FileNotFoundError, NotADirectoryError):
        return {}
    return update if isinstance(update, dict) else {}


def _packages(info: Dict[str, Any], working_dir: str = "") -> List[LoadPackageInfo]:
    return [_package(p, working_dir) for p in info["packages"]]


def snapshot(packages: List[LoadPackageInfo], state: str) -> List[LoadPackageInfo]:
    """The packages as they were when a step of a run ended (dlt's step infos are taken then):
    in `state` ("extracted", "normalized"), not yet loaded, their jobs new, no schema applied."""
    out = []
    for p in packages:
        jobs: Dict[str, List[LoadJobInfo]] = {"new_jobs": [], "started_jobs": [], "failed_jobs": [], "completed_jobs": []}
        for j in (j for js in p.jobs.values() for j in js):
            jobs["new_jobs"].append(j._replace(state="new_jobs", failed_message=None))
        out.append(p._replace(state=state, completed_at=None, schema_update={}, jobs=jobs))
    return out
