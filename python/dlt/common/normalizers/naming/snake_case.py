"""dlt's `snake_case` naming convention (dlt.common.normalizers.naming.snake_case.NamingConvention)."""

from dlt.common.normalizers.naming import naming


class NamingConvention(naming.NamingConvention):
    _CONVENTION = "snake_case"
