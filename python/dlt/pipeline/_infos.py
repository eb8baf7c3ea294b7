"""What an engine call reports (its `info` dict), as dlt's info objects: the packages with their
jobs (LoadPackageInfo, LoadJobInfo) and a step's time span."""

import os
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
        jobs.setdefault(j["state"], []).append(LoadJobInfo(
            j["state"], os.path.join(package_path, j["state"], j["job_id"]), j["file_size"], None, None, parsed,
            j["failed_message"] or None))
    return LoadPackageInfo(p["load_id"], package_path, p["state"],
                           p["schema_name"], {}, utc_from_iso(p.get("completed_at")), jobs)


def _packages(info: Dict[str, Any]) -> List[LoadPackageInfo]:
    return [_package(p, "") for p in info["packages"]]
