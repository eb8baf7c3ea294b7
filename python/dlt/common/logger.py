"""dlt.common.logger: `from dlt.common import logger; logger.info(...)`, as dlt's sources log.

The messages go to Python's `dlt` logger, at the level of the active profile's `[runtime]
log_level` (WARNING unless set, as dlt), with dlt's record format on stderr. `LOGGER` is that
logging.Logger; `debug`, `info`, `warning`, `error`, `critical`, `exception` log through it with
the caller's frame as the record's origin."""

import contextlib
import logging
from typing import Any, Iterator, Mapping, Optional

LOGGER: Optional[logging.Logger] = None
_FORMAT = "{asctime}|[{levelname}]|{process}|{thread}|{name}|{filename}|{funcName}:{lineno}|{message}"
_METHODS = ("debug", "info", "warning", "warn", "error", "critical", "exception", "fatal")


def _configured_level() -> str:
    try:
        from dlt.common.configuration.accessors import config

        level = config.get("runtime.log_level")
    except Exception:  # no workspace or no configuration: dlt's default
        level = None
    return str(level).upper() if level else "WARNING"


def _create_logger() -> logging.Logger:
    logger = logging.getLogger("dlt")
    logger.propagate = False
    if not any(getattr(h, "_dlt_handler", False) for h in logger.handlers):
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter(_FORMAT, style="{"))
        handler._dlt_handler = True  # type: ignore[attr-defined]
        logger.addHandler(handler)
    try:
        logger.setLevel(_configured_level())
    except ValueError:  # not a level name: dlt's default
        logger.setLevel(logging.WARNING)
    return logger


def _logger() -> logging.Logger:
    global LOGGER
    if LOGGER is None:
        LOGGER = _create_logger()
    return LOGGER


def _log(name: str, *args: Any, **kwargs: Any) -> Any:
    # the caller of debug()/info()/... is the record's origin (one frame for _log, one for the method)
    kwargs.setdefault("stacklevel", 3)
    target = getattr(_logger(), "warning" if name == "warn" else name)
    return target(*args, **kwargs)


def debug(*args: Any, **kwargs: Any) -> Any:
    return _log("debug", *args, **kwargs)


def info(*args: Any, **kwargs: Any) -> Any:
    return _log("info", *args, **kwargs)


def warning(*args: Any, **kwargs: Any) -> Any:
    return _log("warning", *args, **kwargs)


def warn(*args: Any, **kwargs: Any) -> Any:
    return _log("warn", *args, **kwargs)


def error(*args: Any, **kwargs: Any) -> Any:
    return _log("error", *args, **kwargs)


def critical(*args: Any, **kwargs: Any) -> Any:
    return _log("critical", *args, **kwargs)


def fatal(*args: Any, **kwargs: Any) -> Any:
    return _log("critical", *args, **kwargs)


def exception(*args: Any, **kwargs: Any) -> Any:
    kwargs.setdefault("stacklevel", 2)
    return _logger().exception(*args, **kwargs)


def metrics(name: str, extra: Mapping[str, Any], stacklevel: int = 1) -> None:
    _logger().info(name, extra=extra, stacklevel=stacklevel)


@contextlib.contextmanager
def suppress_and_warn(msg: str) -> Iterator[None]:
    """Logs an exception of the block as a warning (with its traceback) instead of raising it."""
    try:
        yield
    except Exception:
        _logger().warning(msg, exc_info=True)


def is_logging() -> bool:
    return True


def log_level() -> str:
    return logging.getLevelName(_logger().level)
