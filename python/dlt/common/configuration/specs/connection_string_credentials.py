"""dlt.common.configuration.specs: ConnectionStringCredentials, the credentials of a database
given as one URL (`postgresql://user:password@host:5432/db`, `sqlite:///path/to.db`,
`mysql://...`) or as its parts (drivername, username, password, host, port, database, query).

The engine connects with the URL; the Python object only carries it. Its repr and str show the
URL with the password replaced by `***`, so printing credentials (or an error that formats
them) never shows the secret.
"""

from typing import Any, Dict, Optional
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit

_FIELDS = ("drivername", "username", "password", "host", "port", "database", "query")


class ConnectionStringCredentials:
    """Database credentials as dlt's ConnectionStringCredentials: a URL or its parts."""

    def __init__(self, connection_string: Any = None, **fields: Any) -> None:
        self.drivername: Optional[str] = None
        self.username: Optional[str] = None
        self.password: Optional[str] = None
        self.host: Optional[str] = None
        self.port: Optional[int] = None
        self.database: Optional[str] = None
        self.query: Optional[Dict[str, Any]] = None
        if isinstance(connection_string, dict):
            fields = {**connection_string, **fields}
        elif isinstance(connection_string, str):
            self.parse_native_representation(connection_string)
        elif connection_string is not None:
            raise TypeError("ConnectionStringCredentials takes a connection URL (str) or a dict of its parts, got "
                            f"{type(connection_string).__name__}")
        unknown = set(fields) - set(_FIELDS)
        if unknown:
            raise TypeError(f"ConnectionStringCredentials: unknown field(s) {sorted(unknown)}; the fields are "
                            f"{', '.join(_FIELDS)}")
        for k, v in fields.items():
            setattr(self, k, v)

    def parse_native_representation(self, native_value: str) -> None:
        """Takes the parts of a URL `driver://user:password@host:port/database?query`."""
        if "://" not in native_value:
            # Never echo the value: it may hold a password.
            raise ValueError("a connection string must be a URL such as postgresql://user:password@host:5432/db "
                             "or sqlite:///path/to.db (the value given has no `://`)")
        parts = urlsplit(native_value)
        self.drivername = parts.scheme
        self.username = unquote(parts.username) if parts.username else None
        self.password = unquote(parts.password) if parts.password else None
        self.host = parts.hostname
        try:
            self.port = parts.port
        except ValueError:
            raise ValueError("the port of the connection string is not a number") from None
        path = parts.path
        if self.drivername.startswith("sqlite"):
            self.database = path[1:] if path.startswith("/") else path  # sqlite:///rel.db, sqlite:////abs.db
        else:
            self.database = unquote(path[1:]) if path.startswith("/") else (path or None)
        self.query = dict(parse_qsl(parts.query)) if parts.query else None

    def to_url(self, mask_password: bool = False) -> str:
        if not self.drivername:
            raise ValueError("ConnectionStringCredentials: `drivername` is missing (postgresql, mysql, sqlite, ...)")
        netloc = ""
        if self.username:
            netloc = quote(str(self.username), safe="")
            if self.password:
                netloc += ":" + ("***" if mask_password else quote(str(self.password), safe=""))
            netloc += "@"
        if self.host:
            netloc += str(self.host)
        if self.port:
            netloc += f":{int(self.port)}"
        url = f"{self.drivername}://{netloc}"
        if self.database:
            url += "/" + (str(self.database) if self.drivername.startswith("sqlite") else quote(str(self.database)))
        if self.query:
            url += "?" + urlencode(self.query)
        return url

    def to_native_representation(self) -> str:
        return self.to_url()

    def get(self, key: str, default: Any = None) -> Any:
        return getattr(self, key, default) if key in _FIELDS else default

    def __str__(self) -> str:
        return self.to_url(mask_password=True)

    def __repr__(self) -> str:
        return f"ConnectionStringCredentials({self.to_url(mask_password=True)!r})"


__all__ = ["ConnectionStringCredentials"]
