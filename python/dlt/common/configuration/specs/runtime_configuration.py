"""dlt's RuntimeConfiguration: the `[runtime]` settings (`pipeline.runtime_config`), read from
`<pipeline_name>.runtime.<key>`, then `runtime.<key>`. `slack_incoming_hook` is a secret: read
from secrets.toml or the environment only (RUNTIME__SLACK_INCOMING_HOOK)."""

from typing import ClassVar, Optional

from dlt.common.configuration.specs.base_configuration import BaseConfiguration, configspec
from dlt.common.typing import TSecretStrValue


@configspec
class RuntimeConfiguration(BaseConfiguration):
    pipeline_name: Optional[str] = None
    sentry_dsn: Optional[str] = None
    slack_incoming_hook: Optional[TSecretStrValue] = None
    dlthub_telemetry: bool = True
    dlthub_telemetry_endpoint: Optional[str] = "https://telemetry.scalevector.ai"
    dlthub_telemetry_segment_write_key: Optional[str] = None
    log_format: str = "{asctime}|[{levelname}]|{process}|{thread}|{name}|{filename}|{funcName}:{lineno}|{message}"
    log_level: str = "WARNING"
    request_timeout: float = 60
    request_max_attempts: int = 5
    request_backoff_factor: float = 1
    request_max_retry_delay: float = 300
    config_files_storage_path: str = "/run/config/"
    dlthub_dsn: Optional[TSecretStrValue] = None
    run_id: Optional[str] = None
    http_show_error_body: bool = False
    http_max_error_body_length: int = 8192

    __section__: ClassVar[str] = "runtime"


def resolve_runtime_configuration(pipeline_name: Optional[str] = None) -> RuntimeConfiguration:
    """The active profile's [runtime] settings, first under the pipeline's name."""
    from dlt.common.configuration.resolve import fill_spec

    config = RuntimeConfiguration(pipeline_name=pipeline_name)
    candidates = ([[pipeline_name, "runtime"]] if pipeline_name else []) + [["runtime"]]
    fill_spec(config, candidates, False)
    if pipeline_name:
        config.pipeline_name = pipeline_name
    return config.resolve()


# dlt's older name
RunConfiguration = RuntimeConfiguration
