"""dlt's `duck_case` naming convention (dlt.common.normalizers.naming.duck_case.NamingConvention)."""

from dlt.common.normalizers.naming import naming


class NamingConvention(naming.NamingConvention):
    _CONVENTION = "duck_case"
