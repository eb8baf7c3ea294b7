"""dlt's NamingConvention, whose names are the engine's: normalize_identifier and normalize_path
give the table and column names a load gives (dlt._native.Naming), shortened with dlt's tag to
`max_length` when one is given (a destination's identifier limit, as PostgreSQL's 63)."""

from typing import Any, Optional, Sequence


class NamingConvention:
    """A naming convention; the module of each convention defines its own `NamingConvention`."""

    _CONVENTION = "snake_case"
    PATH_SEPARATOR = "__"

    def __init__(self, max_length: Optional[int] = None) -> None:
        from dlt._engine import native

        self.max_length = max_length
        self._naming: Any = native.Naming(self._CONVENTION, max_length)
        self.PATH_SEPARATOR = self._naming.path_separator

    @property
    def is_case_sensitive(self) -> bool:
        return bool(self._naming.is_case_sensitive)

    def normalize_identifier(self, identifier: str) -> str:
        """One identifier (a table or column name) as the convention writes it."""
        if identifier is None:
            raise ValueError("name is None")
        if not identifier.strip():
            raise ValueError(identifier)
        return self._naming.normalize_identifier(identifier)

    def normalize_table_identifier(self, identifier: str) -> str:
        return self.normalize_identifier(identifier)

    def make_path(self, *identifiers: str) -> str:
        """Identifiers joined into a path (`parent__child`), blank ones left out."""
        return self.PATH_SEPARATOR.join(i for i in identifiers if i.strip())

    def break_path(self, path: str) -> Sequence[str]:
        return [i for i in path.split(self.PATH_SEPARATOR) if i.strip()]

    def normalize_path(self, path: str) -> str:
        """Each part of a path normalized, joined and shortened as a whole."""
        return self._naming.normalize_path(path)

    def normalize_tables_path(self, path: str) -> str:
        return self.normalize_path(path)

    def shorten_fragments(self, *normalized_idents: str) -> str:
        """Normalized identifiers joined into a path and shortened as a whole."""
        return self._naming.make_path([i for i in normalized_idents])

    @staticmethod
    def shorten_identifier(normalized_ident: str, identifier: str, max_length: Optional[int],
                           collision_prob: float = 0.001) -> str:
        if not max_length:
            return normalized_ident
        from dlt._engine import native

        return native.Naming.shorten_identifier(normalized_ident, identifier, max_length)

    @classmethod
    def name(cls) -> str:
        return cls._CONVENTION

    def __str__(self) -> str:
        return f"{self.name()} naming convention" + (f" (max_length={self.max_length})" if self.max_length else "")

    def __repr__(self) -> str:
        return f"NamingConvention({self._CONVENTION!r}, max_length={self.max_length!r})"


def naming_of(convention: str, max_length: Optional[int] = None) -> NamingConvention:
    """The NamingConvention of a convention's name or dlt's module path of one."""
    short = convention.rsplit(".", 1)[-1]
    cls = type("NamingConvention", (NamingConvention,), {"_CONVENTION": short})
    return cls(max_length)
