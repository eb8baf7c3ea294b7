"""dlt.load.exceptions."""

from dlt.common.destination.exceptions import DestinationTerminalException, DestinationTransientException


class LoadClientJobFailed(DestinationTerminalException):
    def __init__(self, load_id: str, job_id: str, failed_message: str) -> None:
        self.load_id = load_id
        self.job_id = job_id
        self.failed_message = failed_message
        super().__init__(f"Job with `{job_id=:}` and `{load_id=:}` failed terminally with message: {failed_message}")


class LoadClientJobRetry(DestinationTransientException):
    pass
