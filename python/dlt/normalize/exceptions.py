"""dlt.normalize.exceptions: what a failed normalize step raises."""

from typing import Any, List, Optional

from dlt.common.destination.exceptions import WithJobError
from dlt.common.exceptions import DltException


class NormalizeException(DltException):
    def __init__(self, msg: str) -> None:
        super().__init__(msg)


class NormalizeJobFailed(NormalizeException, WithJobError):
    """A job of a package could not be normalized; the error that failed it is its context."""

    def __init__(self, load_id: str, job_id: str, failed_message: str,
                 writer_metrics: Optional[List[Any]] = None) -> None:
        self.load_id = load_id
        self.job_id = job_id
        self.failed_message = failed_message
        self.writer_metrics = list(writer_metrics or [])
        super().__init__(f"Job for `{job_id=:}` failed terminally in load with `{load_id=:}` with message:"
                         f" {failed_message}.")
