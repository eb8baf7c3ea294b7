"""Loads the native engine (dlt._native) and keeps the workspace of this process.

The workspace is found as the CLI finds it: from the current folder upwards to the first folder
holding `.dlt/.workspace`, with the profile chosen by the pin file, WORKSPACE__PROFILE or the
default. `dlt.current.workspace().switch_profile(name)` replaces it.
"""

import sys
from typing import Any, Optional

from dlt import _native as native  # noqa: F401  (the compiled engine)

_workspace = None
_banner_shown = False


def workspace(profile: Optional[str] = None):
    """The engine's Workspace of this process, opened on first use."""
    global _workspace
    if _workspace is None or profile is not None:
        _workspace = native.Workspace(None, profile)
        _show_banner(_workspace)
    return _workspace


def reset_workspace() -> None:
    global _workspace
    _workspace = None


def _show_banner(ws) -> None:
    # As the CLI: once per process, on stderr, for any profile but dev.
    global _banner_shown
    banner = ws.banner()
    if banner and not _banner_shown:
        _banner_shown = True
        print(banner, file=sys.stderr)


def engine_pages(item: Any) -> Any:
    """The rows of an engine resource (`item` as dlt.pipeline._data makes it for a run) read in
    Python: pages (lists) of dicts with typed values, as dlt yields pages."""
    from dlt.common.json import typed_loads

    for page in native.EngineRows(workspace(), item):
        yield typed_loads(page)

