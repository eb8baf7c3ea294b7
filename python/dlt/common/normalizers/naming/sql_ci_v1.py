"""dlt's `sql_ci_v1` naming convention (dlt.common.normalizers.naming.sql_ci_v1.NamingConvention)."""

from dlt.common.normalizers.naming import naming


class NamingConvention(naming.NamingConvention):
    _CONVENTION = "sql_ci_v1"
