"""send_slack_message: a message to a Slack incoming webhook, as dlt's helper sends it: one POST
of `{"text": ..., "mrkdwn": ...}` (no retries, so a message is never posted twice).

The hook's URL is a secret (whoever has it can post to the channel): no error or log line shows
it, only the status Slack answered or the kind of connection failure."""

import json
import logging
import urllib.error
import urllib.request

_log = logging.getLogger("dlt")


def _timeout() -> float:
    try:
        from dlt.common.configuration.accessors import config

        value = config.get("runtime.request_timeout")
        return float(value) if value is not None else 60.0
    except Exception:  # noqa: BLE001  (no workspace, or not a number: dlt's default)
        return 60.0


def send_slack_message(incoming_hook: str, message: str, is_markdown: bool = True) -> None:
    """Posts `message` to the Slack `incoming_hook`, formatted as markdown unless is_markdown is
    False. A status of 400 or more logs a warning and raises HTTPError; an unreachable hook
    raises ConnectionError (both dlt.sources.helpers.requests' types)."""
    from dlt.sources.helpers.requests import ConnectionError as HookConnectionError, HTTPError

    if not incoming_hook:
        raise ValueError("send_slack_message: no incoming hook; set [runtime] slack_incoming_hook in secrets.toml "
                         "or RUNTIME__SLACK_INCOMING_HOOK")
    body = json.dumps({"text": message, "mrkdwn": is_markdown}).encode("utf-8")
    status, reason = 0, ""
    try:
        # inside the try: a malformed hook raises ValueError with the URL in its text
        request = urllib.request.Request(str(incoming_hook), data=body, method="POST",
                                         headers={"Content-Type": "application/json;charset=utf-8"})
        with urllib.request.urlopen(request, timeout=_timeout()) as response:
            status, reason = response.status, response.reason
    except urllib.error.HTTPError as e:
        status, reason = e.code, str(e.reason or "")
    except (urllib.error.URLError, OSError, ValueError) as e:
        why = e.reason if isinstance(e, urllib.error.URLError) else e
        kind = type(why).__name__ if isinstance(why, BaseException) else "error"
        raise HookConnectionError(f"could not reach the Slack incoming hook ({kind}; its URL is a secret and is not "
                                  "shown)") from None
    if status >= 400:
        _log.warning(f"Could not post the notification to slack: {status}")
        raise HTTPError(f"{status} Error: {reason} posting to the Slack incoming hook (its URL is a secret and is not "
                        "shown)")
