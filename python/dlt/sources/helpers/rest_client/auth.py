"""dlt's auth classes as descriptions for the engine's REST API client: each stands for the dict
form ({"type": "bearer", "token": ...}). Their reprs never show a secret. An auth class of one's
own subclasses AuthConfigBase and implements `__call__(request)`, which changes the request's
headers or params and returns it, as dlt's docs write it; RESTClient.paginate and request call
it before each request."""

from typing import Any, Dict, Optional, Tuple


class AuthConfigBase:
    _type = ""
    _secret_field = ""
    _secret_fields: Tuple[str, ...] = ()

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
        hidden = (self._secret_field, *self._secret_fields)
        shown = ", ".join(f"{k}={'***' if k in hidden else repr(v)}" for k, v in settings.items())
        return f"{type(self).__name__}({shown})"

    __str__ = __repr__


def is_custom(auth: Any) -> bool:
    """An auth object of one's own: called with each request, not one the engine knows."""
    if isinstance(auth, OAuth2ClientCredentials):
        return auth._runs_in_python()
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


class OAuth2ClientCredentials(AuthConfigBase):
    """dlt's OAuth2 client credentials flow: client_id and client_secret are posted (form-encoded,
    with grant_type=client_credentials and `access_token_request_data`) to `access_token_url`; the
    reply's access_token is sent as a bearer token until expires_in (else
    `default_token_expiration`) seconds pass, then a new one is obtained.

    The engine's REST API client runs it (rest_api_source, RESTClient.paginate). A subclass that
    overrides build_access_token_request, parse_access_token, parse_expiration_in_seconds or
    obtain_token (dlt's docs show one for APIs that want the credentials as HTTP basic auth), or
    one given a `session`, is run here in Python before each request instead (RESTClient)."""

    _type = "oauth2_client_credentials"
    _secret_fields = ("client_id", "client_secret", "access_token")
    _PYTHON_HOOKS = ("build_access_token_request", "parse_access_token", "parse_expiration_in_seconds",
                     "obtain_token", "is_token_expired", "__call__")

    def __init__(self, access_token: Optional[str] = None, access_token_url: Optional[str] = None,
                 client_id: Optional[str] = None, client_secret: Optional[str] = None,
                 access_token_request_data: Optional[Dict[str, Any]] = None, default_token_expiration: int = 3600,
                 session: Any = None) -> None:
        super().__init__(access_token_url=access_token_url, client_id=client_id, client_secret=client_secret,
                         access_token_request_data=access_token_request_data,
                         default_token_expiration=default_token_expiration)
        from dlt.common.pendulum import pendulum

        self.access_token = access_token
        self.access_token_url = access_token_url
        self.client_id = client_id
        self.client_secret = client_secret
        self.access_token_request_data = dict(access_token_request_data or {})
        self.default_token_expiration = default_token_expiration
        self.session = session
        self.token_expiry = pendulum.now()

    def _runs_in_python(self) -> bool:
        cls = type(self)
        overridden = any(getattr(cls, m) is not getattr(OAuth2ClientCredentials, m) for m in self._PYTHON_HOOKS)
        return overridden or self.session is not None

    def _rest_api_config(self) -> Dict[str, Any]:
        if not self.access_token_url:
            raise ValueError("OAuth2ClientCredentials needs access_token_url (the token endpoint's URL)")
        cfg: Dict[str, Any] = {"type": self._type, "access_token_url": self.access_token_url,
                               "client_id": self.client_id, "client_secret": self.client_secret,
                               "default_token_expiration": int(self.default_token_expiration)}
        if self.access_token_request_data:
            # as requests encodes a form: str() of each value, None left out
            cfg["access_token_request_data"] = {k: str(v) for k, v in self.access_token_request_data.items()
                                                if v is not None}
        return cfg

    def __call__(self, request: Any) -> Any:
        if self.access_token is None or self.is_token_expired():
            self.obtain_token()
        request.headers["Authorization"] = f"Bearer {self.access_token}"
        return request

    def is_token_expired(self) -> bool:
        from dlt.common.pendulum import pendulum

        return pendulum.now() >= self.token_expiry

    def obtain_token(self) -> None:
        from dlt.common.pendulum import pendulum

        session = self.session
        if session is None:
            from dlt.sources.helpers import requests

            session = requests.client.session
        response = session.post(self.access_token_url, **self.build_access_token_request())
        response.raise_for_status()
        response_json = response.json()
        self.access_token = self.parse_access_token(response_json)
        self.token_expiry = pendulum.now().add(seconds=self.parse_expiration_in_seconds(response_json))

    def build_access_token_request(self) -> Dict[str, Any]:
        return {
            "headers": {"Content-Type": "application/x-www-form-urlencoded"},
            "data": {"client_id": self.client_id, "client_secret": self.client_secret,
                     "grant_type": "client_credentials", **self.access_token_request_data},
        }

    def parse_expiration_in_seconds(self, response_json: Any) -> int:
        return int(response_json.get("expires_in", self.default_token_expiration))

    def parse_access_token(self, response_json: Any) -> str:
        return str(response_json.get("access_token"))
