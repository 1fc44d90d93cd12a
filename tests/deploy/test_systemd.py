"""One VM: the systemd units run sandboxed as an unprivileged user with the key file as
a credential, and the nginx sites (the VM's and compose's) terminate TLS, forward the
client's address and a request id, refuse /metrics and agree with the app's bounds."""

from __future__ import annotations

import configparser
import re
from pathlib import Path, PurePosixPath

import pytest

from server.settings import Settings
from tests.deploy.artefacts import DEPLOY

UNITS = sorted((DEPLOY / "systemd").glob("*.service"))
SERVER = DEPLOY / "systemd" / "upright.service"
MIGRATE = DEPLOY / "systemd" / "upright-migrate.service"
SITES = [DEPLOY / "nginx" / "upright.conf", DEPLOY / "nginx" / "compose.conf"]
# The app's own bounds, as shipped (not as this machine's environment may set them).
DEFAULTS = {name: field.default for name, field in Settings.model_fields.items()}
SANDBOX = {
    "NoNewPrivileges": "yes",
    "ProtectSystem": "strict",
    "ProtectHome": "yes",
    "PrivateTmp": "yes",
    "PrivateDevices": "yes",
    "ProtectKernelTunables": "yes",
    "ProtectKernelModules": "yes",
    "ProtectKernelLogs": "yes",
    "ProtectControlGroups": "yes",
    "RestrictNamespaces": "yes",
    "LockPersonality": "yes",
    "MemoryDenyWriteExecute": "yes",
    "CapabilityBoundingSet": "",
}


def service_section(path: Path) -> configparser.SectionProxy:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keys keep their case
    parser.read_string(path.read_text())
    return parser["Service"]


def all_values(path: Path, key: str) -> list[str]:
    """Every assignment of a key (systemd accumulates some; configparser keeps the last)."""
    pattern = re.compile(rf"^{key}=(.*)$", re.MULTILINE)
    return [value.strip() for value in pattern.findall(path.read_text())]


def test_there_is_a_server_unit_and_a_migration_unit() -> None:
    assert SERVER in UNITS
    assert MIGRATE in UNITS


@pytest.mark.parametrize("unit", UNITS, ids=lambda p: p.name)
def test_every_unit_runs_as_an_unprivileged_user(unit: Path) -> None:
    service = service_section(unit)
    assert service["User"] not in {"root", "0", ""}
    assert "DynamicUser" not in service or service["DynamicUser"] == "no"
    assert service["EnvironmentFile"] == "/etc/upright/upright.env"


@pytest.mark.parametrize("unit", UNITS, ids=lambda p: p.name)
def test_every_unit_is_sandboxed(unit: Path) -> None:
    service = service_section(unit)
    for key, expected in SANDBOX.items():
        assert service.get(key) == expected, key
    assert set(service["RestrictAddressFamilies"].split()) == {"AF_INET", "AF_INET6", "AF_UNIX"}
    filters = all_values(unit, "SystemCallFilter")
    assert "@system-service" in filters
    assert not any(f.startswith("~") and "@system-service" in f for f in filters)
    assert not service.get("AmbientCapabilities")


def test_the_server_gets_the_key_file_as_a_credential() -> None:
    service = service_section(SERVER)
    name, _, source = service["LoadCredential"].partition(":")
    assert source.startswith("/etc/upright/")
    assert f"UPRIGHT_KEYS_FILE=%d/{name}" in all_values(SERVER, "Environment")
    # The master copy's directory is hidden from the service (the credential is read
    # by the service manager, outside the sandbox), not merely left read-only.
    hidden = " ".join(all_values(SERVER, "InaccessiblePaths")).split()
    assert str(PurePosixPath(source).parent) in [path.lstrip("-+") for path in hidden]
    assert service["Restart"] == "on-failure"
    assert int(service["TimeoutStopSec"].removesuffix("s")) > DEFAULTS["request_timeout"]


def test_the_server_listens_on_loopback_and_never_migrates() -> None:
    command = service_section(SERVER)["ExecStart"].split()
    assert command[0].endswith("/upright")
    assert command[1] == "serve"
    assert command[command.index("--host") + 1] == "127.0.0.1"
    assert command[command.index("--port") + 1] == "8000"
    assert "upgrade" not in command
    upstream = re.search(r"upstream upright \{\s*server ([\d.]+:\d+)", SITES[0].read_text())
    assert upstream is not None
    assert upstream[1] == "127.0.0.1:8000"


def test_the_migration_is_one_shot_and_runs_first() -> None:
    service = service_section(MIGRATE)
    assert service["Type"] == "oneshot"
    assert service["ExecStart"].split()[1:] == ["db", "upgrade"]
    assert "LoadCredential" not in service
    assert "upright-migrate.service" in SERVER.read_text().split("After=")[1].splitlines()[0]


def directives(path: Path, name: str) -> list[str]:
    pattern = re.compile(rf"^\s*{name}\s+([^;]*);", re.MULTILINE)
    return [value.strip() for value in pattern.findall(path.read_text())]


def nginx_size(value: str) -> int:
    units = {"k": 2**10, "m": 2**20, "g": 2**30}
    suffix = value[-1].lower()
    return int(value[:-1]) * units[suffix] if suffix in units else int(value)


@pytest.mark.parametrize("site", SITES, ids=lambda p: p.name)
def test_the_body_limit_matches_the_app(site: Path) -> None:
    (size,) = directives(site, "client_max_body_size")
    limit = DEFAULTS["max_body_bytes"]
    # At least the app's bound (so the app answers with its own error), barely above.
    assert limit <= nginx_size(size) <= limit * 1.1


@pytest.mark.parametrize("site", SITES, ids=lambda p: p.name)
def test_timeouts_outlast_the_app_timeout(site: Path) -> None:
    timeout = DEFAULTS["request_timeout"]
    for name in ("proxy_read_timeout", "proxy_send_timeout"):
        (value,) = directives(site, name)
        assert timeout < int(value.removesuffix("s")) <= timeout * 2, name


@pytest.mark.parametrize("site", SITES, ids=lambda p: p.name)
def test_metrics_are_not_public(site: Path) -> None:
    block = re.search(r"location\s+(=|\^~)?\s*/metrics\s*\{([^}]*)\}", site.read_text())
    assert block is not None
    assert re.search(r"\bdeny\s+all;|\breturn\s+40[34];", block[2])
    assert "proxy_pass" not in block[2]


@pytest.mark.parametrize("site", SITES, ids=lambda p: p.name)
def test_tls_terminates_here_and_http_redirects(site: Path) -> None:
    text = site.read_text()
    assert any(re.search(r"\b443\b.*\bssl\b", listen) for listen in directives(site, "listen"))
    assert directives(site, "ssl_certificate")
    assert directives(site, "ssl_certificate_key")
    protocols = " ".join(directives(site, "ssl_protocols")).split()
    assert protocols
    assert set(protocols) <= {"TLSv1.2", "TLSv1.3"}
    assert re.search(r"return\s+301\s+https://\$host\$request_uri;", text)


@pytest.mark.parametrize("site", SITES, ids=lambda p: p.name)
def test_the_proxy_forwards_the_client_and_a_request_id(site: Path) -> None:
    headers = dict(value.split(None, 1) for value in directives(site, "proxy_set_header"))
    assert headers["X-Forwarded-For"] in {"$remote_addr", "$proxy_add_x_forwarded_for"}
    assert headers["X-Forwarded-Proto"] == "$scheme"
    assert headers["X-Request-ID"] == "$request_id"
    assert directives(site, "proxy_pass") == ["http://upright"]
