"""dlt's auth classes as descriptions for the engine's REST API client: each stands for the dict
form ({"type": "bearer", "token": ...}). Their reprs never show a secret. An auth class of one's
own subclasses AuthConfigBase and implements `__call__(request)`, which changes the request's
headers or params and returns it, as dlt's docs write it; RESTClient.paginate and request call
it before each request."""

from typing import Any, Dict


class AuthConfigBase:
    _type = ""
    _secret_field = ""

    def __init__(self, **settings: Any) -> None:
        self._settings = settings

    def _rest_api_config(self) -> Dict[str, Any]:
        settings = self.__dict__.get("_settings") or {}
        return {"type": self._type, **{k: v for k, v in settings.items() if v is not None}}

    def __getattr__(self, name: str) -> Any:
        settings = self.__dict__.get("_settings", {})
        if name in settings:
            return settings[name]
        raise AttributeError(name)

    def __repr__(self) -> str:
        # an auth class of one's own may not call super().__init__: no settings, nothing shown
        settings = self.__dict__.get("_settings") or {}
        shown = ", ".join(f"{k}={'***' if k == self._secret_field else repr(v)}" for k, v in settings.items())
        return f"{type(self).__name__}({shown})"

    __str__ = __repr__


def is_custom(auth: Any) -> bool:
    """An auth object of one's own: called with each request, not one the engine knows."""
    if isinstance(auth, AuthConfigBase):
        return not type(auth)._type
    return auth is not None and not isinstance(auth, (str, dict, tuple)) and callable(auth)


class BearerTokenAuth(AuthConfigBase):
    _type = "bearer"
    _secret_field = "token"

    def __init__(self, token: str) -> None:
        super().__init__(token=token)


class APIKeyAuth(AuthConfigBase):
    _type = "api_key"
    _secret_field = "api_key"

    def __init__(self, name: str = "Authorization", api_key: str = None, location: str = "header") -> None:
        super().__init__(name=name, api_key=api_key, location=location)


class HttpBasicAuth(AuthConfigBase):
    _type = "http_basic"
    _secret_field = "password"

    def __init__(self, username: str, password: str) -> None:
        super().__init__(username=username, password=password)
