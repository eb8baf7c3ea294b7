"""The workspace as Python sees it (dlt.current.workspace()): the active profile and its folders,
and switch_profile() to change the profile of this process."""

from typing import Any, List, Optional

from dlt import _engine


class WorkspaceRunContext:
    def __init__(self, native_ws: Any) -> None:
        self._ws = native_ws

    @classmethod
    def current(cls) -> "WorkspaceRunContext":
        return cls(_engine.workspace())

    @property
    def profile(self) -> str:
        return self._ws.profile

    @property
    def name(self) -> str:
        return self._ws.name

    @property
    def run_dir(self) -> str:
        return self._ws.run_dir

    @property
    def settings_dir(self) -> str:
        return self._ws.settings_dir

    @property
    def data_dir(self) -> str:
        return self._ws.data_dir

    @property
    def local_dir(self) -> str:
        return self._ws.local_dir

    def switch_profile(self, new_profile: str) -> "WorkspaceRunContext":
        """Makes `new_profile` active for this process (its configuration, secrets and folders)."""
        self._ws = _engine.workspace(profile=new_profile)
        return self

    def available_profiles(self) -> List[str]:
        return list(self._ws.profiles())

    def __repr__(self) -> str:
        return f"WorkspaceRunContext(profile={self.profile!r}, run_dir={self.run_dir!r})"
