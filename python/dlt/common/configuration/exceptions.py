"""dlt.common.configuration.exceptions: what a missing configuration value raises."""

from typing import Any, Dict, List, Tuple

from dlt.common.exceptions import DltException, TerminalException


class ConfigurationException(DltException, TerminalException):
    pass


class LookupTrace:
    def __init__(self, provider: str, sections: List[str], key: str, value: Any = None) -> None:
        self.provider = provider
        self.sections = sections
        self.key = key
        self.value = value

    def __repr__(self) -> str:
        return f"LookupTrace({self.provider!r}, {self.key!r})"


def _spec_name(fn: Any) -> str:
    name = getattr(fn, "__name__", "function")
    return "".join(part[:1].upper() + part[1:] for part in name.split("_")) + "Configuration"


class ConfigFieldMissingException(KeyError, ConfigurationException):
    """Values of `fields` were not found in any configuration provider."""

    def __init__(self, spec_name: str, traces: Dict[str, List[LookupTrace]]) -> None:
        self.traces = traces
        self.spec_name = spec_name
        self.fields = list(traces.keys())
        super().__init__(spec_name, self.fields)

    @classmethod
    def for_function(cls, fn: Any, missing: List[Tuple[str, List[Tuple[str, str]]]]) -> "ConfigFieldMissingException":
        traces = {name: [LookupTrace(p, [], k) for p, k in tried] for name, tried in missing}
        return cls(_spec_name(fn), traces)

    def __str__(self) -> str:
        from dlt import _engine

        fields = ", ".join(f"`{f}`" for f in self.fields)
        msg = f"Missing {len(self.fields)} field(s) in configuration `{self.spec_name}`: {fields}\n"
        for field, traces in self.traces.items():
            msg += f"for field `{field}` the following (config provider, key) were tried in order:\n"
            for t in traces:
                msg += f"  ({t.provider}, {t.key})\n"
        try:
            ws = _engine.workspace()
            if ws.workspace_mode:
                msg += f"\nActive profile: `{ws.profile}`\n"
            for provider, loaded, probed in ws.provider_locations():
                if loaded:
                    msg += f"Provider `{provider}` loaded values from locations:\n"
                    msg += "".join(f"\t- {p}\n" for p in loaded)
                if probed:
                    msg += f"Provider `{provider}` probed but not found the following locations:\n"
                    msg += "".join(f"\t- {p}\n" for p in probed)
        except Exception:  # the message must not fail
            pass
        msg += "\nLearn more: https://dlthub.com/docs/general-usage/credentials/\n"
        return msg


class ConfigurationValueError(ConfigurationException, ValueError):
    pass


class ValueNotSecretException(ConfigurationException):
    """A secret (a `dlt.secrets.value` argument, a `TSecretValue` or credentials field, or a key
    whose name says it is a secret: `password`, `api_key`, ...) found in config.toml, which cannot
    hold secrets. `message` is the engine's, naming the file and line and what to do."""

    def __init__(self, provider_name: str, key: str, message: str = "") -> None:
        self.provider_name = provider_name
        self.key = key
        super().__init__(message or f"Provider `{provider_name}` cannot hold secret values but key `{key}` with"
                         " secret value is present")
