"""dlt.common.configuration.specs: configuration specs (`BaseConfiguration`,
`CredentialsConfiguration`, `@configspec`) and the credentials classes."""

from dlt.common.configuration.specs.base_configuration import (
    BaseConfiguration,
    CredentialsConfiguration,
    configspec,
)
from dlt.common.configuration.specs.aws_credentials import AwsCredentials
from dlt.common.configuration.specs.connection_string_credentials import ConnectionStringCredentials
from dlt.common.configuration.specs.runtime_configuration import RunConfiguration, RuntimeConfiguration

__all__ = ["BaseConfiguration", "CredentialsConfiguration", "configspec", "AwsCredentials", "ConnectionStringCredentials",
           "RuntimeConfiguration", "RunConfiguration"]
