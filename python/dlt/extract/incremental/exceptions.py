"""dlt.extract.incremental.exceptions: what an incremental cursor raises while rows are read
(pipe errors: a failed extract's PipelineStepFailed carries them as they are)."""

from typing import Any, Optional

from dlt.extract.exceptions import PipeException


class IncrementalCursorPathMissing(PipeException):
    """A row has no value at the cursor path (on_cursor_value_missing="raise")."""

    def __init__(self, pipe_name: str, json_path: str, item: Any = None, msg: Optional[str] = None) -> None:
        self.json_path = json_path
        self.item = item
        super().__init__(pipe_name, msg or (
            f"Cursor element with JSON path `{json_path}` was not found in extracted data item. All data items must "
            "contain this path. Use the same names of fields as in your JSON document because they can be different "
            "from the names you see in database."))


class IncrementalCursorPathHasValueNone(PipeException):
    """A row has None at the cursor path (on_cursor_value_missing="raise")."""

    def __init__(self, pipe_name: str, json_path: str, item: Any = None, msg: Optional[str] = None) -> None:
        self.json_path = json_path
        self.item = item
        super().__init__(pipe_name, msg or (
            f"Cursor element with JSON path `{json_path}` has the value `None` in extracted data item. All data items "
            "must contain a value != None. Construct the incremental with `on_cursor_value_missing='include'` if you "
            "want to include such rows"))


class IncrementalCursorInvalidCoercion(PipeException):
    """A row's cursor value cannot be compared with the start or end value."""

    def __init__(self, pipe_name: str, cursor_path: str, cursor_value: Any, cursor_value_type: str, item: Any,
                 item_type: Any, details: str) -> None:
        self.cursor_path = cursor_path
        self.cursor_value = cursor_value
        self.cursor_value_type = cursor_value_type
        self.item = item
        super().__init__(pipe_name, (
            f"Could not coerce `{cursor_value_type}` with value `{cursor_value}` and type `{type(cursor_value)}` to "
            f"actual data item `{item}` at path `{cursor_path}` with type `{item_type}`: {details}. You need to use "
            f"different data type for `{cursor_value_type}` or cast your data ie. by using `.add_map()` on this "
            "resource."))


class IncrementalPrimaryKeyMissing(PipeException):
    """A row lacks a column of the key its boundary rows are de-duplicated by."""

    def __init__(self, pipe_name: str, primary_key_column: str, item: Any) -> None:
        self.primary_key_column = primary_key_column
        self.item = item
        super().__init__(pipe_name, (
            f"Primary key column `{primary_key_column}` was not found in extracted data item. All data items must "
            "contain this column. Use the same names of fields as in your JSON document."))


class JoinSchedulerError(PipeException):
    pass


class ExternalSchedulerNotAvailable(PipeException):
    def __init__(self, pipe_name: str) -> None:
        super().__init__(pipe_name, "External scheduler interval is not available. The resource has "
                                    "allow_external_schedulers=True but no interval was provided by the runtime.")
