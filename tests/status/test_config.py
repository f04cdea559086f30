from __future__ import annotations

import pytest

from functions.status.config import StatusConfig, Target
from functions.status.report import p95
from spotifiuby.config import ConfigError


def test_explicit_targets_and_webhooks():
    config = StatusConfig.from_env(
        {
            "STATUS_TARGETS": " users=http://127.0.0.1:8081/ready , gateway=https://x.example/ready",
            "STATUS_FAILURES_TO_DOWN": "5",
            "STATUS_TIMEOUT": "1.5",
            "STATUS_WEBHOOKS": "https://discord.com/api/webhooks/1/a,http://hooks.local/x",
            "UPSTREAM_MUSIC_URL": "http://ignored",
        }
    )
    assert config.targets == (
        Target("users", "http://127.0.0.1:8081/ready"),
        Target("gateway", "https://x.example/ready"),
    )
    assert config.failures_to_down == 5 and config.timeout == 1.5
    assert config.webhooks == ("https://discord.com/api/webhooks/1/a", "http://hooks.local/x")


def test_defaults_are_the_upstreams_and_the_gateway():
    config = StatusConfig.from_env(
        {
            "UPSTREAM_USERS_URL": "http://127.0.0.1:8081/",
            "UPSTREAM_MUSIC_URL": "http://127.0.0.1:8082",
            "GATEWAY_URL": "http://127.0.0.1:8080",
        }
    )
    assert config.targets == (
        Target("music", "http://127.0.0.1:8082/ready"),
        Target("users", "http://127.0.0.1:8081/ready"),
        Target("gateway", "http://127.0.0.1:8080/ready"),
    )
    assert (config.failures_to_down, config.timeout, config.webhooks) == (3, 5.0, ())
    assert StatusConfig.from_env({}).targets == ()


@pytest.mark.parametrize(
    "env",
    [
        {"STATUS_TARGETS": "nourl"},
        {"STATUS_TARGETS": "a=ftp://x"},
        {"STATUS_TARGETS": "a=http://x,a=http://y"},
        {"STATUS_TARGETS": "Bad Name=http://x"},
        {"STATUS_FAILURES_TO_DOWN": "0"},
        {"STATUS_TIMEOUT": "soon"},
    ],
)
def test_bad_configuration_is_refused(env):
    with pytest.raises(ConfigError):
        StatusConfig.from_env(env)


def test_p95_is_nearest_rank():
    assert p95([]) is None
    assert p95([7.0]) == 7.0
    assert p95([float(i) for i in range(1, 101)]) == 95.0
    assert p95([float(i) for i in range(1, 21)]) == 19.0
