"""dlt.common.configuration: specs and their resolution from the active profile's configuration
(`configspec`, `with_config`, `resolve_configuration`) and its exceptions."""

from dlt.common.configuration.exceptions import ConfigFieldMissingException, ConfigurationValueError
from dlt.common.configuration.inject import get_fun_spec, with_config
from dlt.common.configuration.resolve import resolve_configuration
from dlt.common.configuration.specs.base_configuration import configspec

__all__ = ["configspec", "with_config", "resolve_configuration", "get_fun_spec", "ConfigFieldMissingException",
           "ConfigurationValueError"]
