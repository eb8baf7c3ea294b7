"""dlt.load.exceptions: what a failed load job raises (jobs are named by `load_id` and `job_id`)."""

from dlt.common.destination.exceptions import (
    DestinationTerminalException,
    DestinationTransientException,
    WithJobError,
)


class LoadClientJobException(Exception, WithJobError):
    pass


class LoadClientJobFailed(DestinationTerminalException, LoadClientJobException):
    def __init__(self, load_id: str, job_id: str, failed_message: str) -> None:
        self.load_id = load_id
        self.job_id = job_id
        self.failed_message = failed_message
        super().__init__(f"Job with `{job_id=:}` and `{load_id=:}` failed terminally with message: {failed_message}")


class LoadClientJobRetry(DestinationTransientException, LoadClientJobException):
    def __init__(self, load_id: str, job_id: str, retry_count: int, max_retry_count: int, failed_message: str,
                 exception: BaseException = None) -> None:
        self.load_id = load_id
        self.job_id = job_id
        self.retry_count = retry_count
        self.max_retry_count = max_retry_count
        self.failed_message = failed_message
        self.client_exception = exception
        super().__init__(f"Job with `{job_id=:}` had {retry_count} retries which is a multiple of `{max_retry_count=:}`."
                         f" Exiting retry loop. You can still rerun the load package to retry this job. Last failure "
                         f"message was: {failed_message}")
