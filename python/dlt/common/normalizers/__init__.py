"""dlt.common.normalizers: dlt's naming conventions (naming/)."""
