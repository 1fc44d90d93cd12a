"""The compose file: pinned images, a one-shot migration the replicas wait for, two
replicas behind the only service that publishes ports, secrets as files."""

from __future__ import annotations

import ipaddress
import re
from typing import Any

import pytest
import yaml

from tests.deploy.artefacts import CREDENTIALS_IN_URL, DEPLOY, SECRET_WORDS, pinned

COMPOSE: dict[str, Any] = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
SERVICES: dict[str, dict[str, Any]] = COMPOSE["services"]
UPRIGHT = {name for name, s in SERVICES.items() if s["image"].split(":")[0] == "upright"}
APPS = sorted(name for name in UPRIGHT if "command" not in SERVICES[name])


def environment(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment", {})
    if isinstance(env, list):
        return dict(item.split("=", 1) for item in env)
    return {name: str(value) for name, value in env.items()}


def secret_targets(service: dict[str, Any]) -> dict[str, str]:
    """Secret name -> its path in the container."""
    targets = {}
    for entry in service.get("secrets", []):
        source = entry if isinstance(entry, str) else entry["source"]
        target = source if isinstance(entry, str) else entry.get("target", source)
        targets[source] = target if target.startswith("/") else f"/run/secrets/{target}"
    return targets


def test_the_stack_has_its_services() -> None:
    assert {"postgres", "redis", "migrate", "proxy"} <= set(SERVICES)
    assert len(APPS) >= 2


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_every_image_is_pinned(name: str) -> None:
    assert pinned(SERVICES[name]["image"]), SERVICES[name]["image"]


def test_upright_images_are_built_from_the_dockerfile() -> None:
    for name in UPRIGHT:
        build = SERVICES[name]["build"]
        assert (DEPLOY / build["context"] / build["dockerfile"]).resolve() == (
            DEPLOY / "Dockerfile"
        ).resolve()


def test_the_migration_runs_once_after_the_database_is_healthy() -> None:
    migrate = SERVICES["migrate"]
    assert migrate["command"] == ["db", "upgrade"]
    # Quoted in YAML: a bare `no` would be the boolean false.
    assert migrate["restart"] == "no"
    assert migrate["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert "pg_isready" in SERVICES["postgres"]["healthcheck"]["test"]


@pytest.mark.parametrize("name", APPS)
def test_replicas_start_after_a_successful_migration(name: str) -> None:
    app = SERVICES[name]
    assert app["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert "redis" in app["depends_on"]
    assert "command" not in app  # the image's `serve`, never a migration
    assert environment(app)["UPRIGHT_REDIS_URL"].startswith("redis://redis:")
    assert app["read_only"] is True
    assert app["cap_drop"] == ["ALL"]


def test_only_the_proxy_publishes_ports() -> None:
    assert [name for name, s in SERVICES.items() if s.get("ports")] == ["proxy"]
    assert all("network_mode" not in s for s in SERVICES.values())


def networks_of(service: dict[str, Any]) -> list[str]:
    networks = service.get("networks", ["default"])
    return list(networks)


def internal(network: str) -> bool:
    return bool((COMPOSE.get("networks", {}).get(network) or {}).get("internal"))


@pytest.mark.parametrize("name", APPS)
def test_the_apps_are_on_internal_networks_only(name: str) -> None:
    networks = networks_of(SERVICES[name])
    assert networks
    assert all(internal(network) for network in networks), networks


def test_the_proxy_publishes_from_a_public_network_and_reaches_the_apps_internally() -> None:
    proxy = networks_of(SERVICES["proxy"])
    # Docker publishes no port from an internal network: the proxy needs a public one too.
    assert any(not internal(network) for network in proxy)
    for name in APPS:
        shared = set(proxy) & set(networks_of(SERVICES[name]))
        assert shared
        assert all(internal(network) for network in shared), name


def test_the_databases_are_on_an_internal_network_without_the_proxy() -> None:
    for name in ("postgres", "redis"):
        networks = SERVICES[name]["networks"]
        assert all(COMPOSE["networks"][network].get("internal") for network in networks)
        assert not set(networks) & set(SERVICES["proxy"]["networks"])


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_no_environment_value_is_a_secret(name: str) -> None:
    secret_paths = set(secret_targets(SERVICES[name]).values())
    for variable, value in environment(SERVICES[name]).items():
        assert not CREDENTIALS_IN_URL.search(value), variable
        if any(word in variable for word in SECRET_WORDS):
            assert variable.endswith("_FILE"), variable
            assert value in secret_paths, variable
    assert "UPRIGHT_KEYS" not in environment(SERVICES[name])


def test_secrets_are_files_kept_out_of_the_repository() -> None:
    ignored = (DEPLOY / ".gitignore").read_text().split()
    for name, secret in COMPOSE["secrets"].items():
        assert set(secret) == {"file"}, name
        directory = secret["file"].removeprefix("./").split("/")[0]
        assert f"{directory}/" in ignored, name
    assert environment(SERVICES["postgres"])["POSTGRES_PASSWORD_FILE"].startswith("/run/secrets/")


@pytest.mark.parametrize("name", APPS)
def test_the_key_file_is_a_secret(name: str) -> None:
    app = SERVICES[name]
    keys_file = environment(app)["UPRIGHT_KEYS_FILE"]
    (secret,) = [s for s, target in secret_targets(app).items() if target == keys_file]
    assert "file" in COMPOSE["secrets"][secret]
    # Not mounted into the migration, which needs none.
    assert secret not in secret_targets(SERVICES["migrate"])


def test_the_database_password_reaches_the_apps_as_a_pgpass_file() -> None:
    for name in [*APPS, "migrate"]:
        env = environment(SERVICES[name])
        assert env["PGPASSFILE"] in secret_targets(SERVICES[name]).values(), name
        assert "@postgres:" in env["UPRIGHT_DATABASE_URL"], name


def test_the_apps_trust_the_proxy_and_only_it() -> None:
    proxy = SERVICES["proxy"]["networks"]
    for name in APPS:
        # The proxy's fixed address on the network the app shares with it: where the
        # app sees its connections come from.
        (shared,) = set(proxy) & set(networks_of(SERVICES[name]))
        proxy_address = ipaddress.ip_address(proxy[shared]["ipv4_address"])
        (subnet,) = [c["subnet"] for c in COMPOSE["networks"][shared]["ipam"]["config"]]
        assert proxy_address in ipaddress.ip_network(subnet)
        trusted = environment(SERVICES[name])["UPRIGHT_TRUSTED_PROXIES"].split(",")
        networks = [ipaddress.ip_network(t.strip(), strict=False) for t in trusted]
        assert any(proxy_address in network for network in networks)
        assert all(network.num_addresses == 1 for network in networks), trusted


def proxy_config() -> str:
    """The nginx site the proxy container is given (read-only)."""
    volumes: list[str] = SERVICES["proxy"]["volumes"]
    (config,) = [v for v in volumes if v.split(":")[1].startswith("/etc/nginx/conf.d")]
    source, _, mode = config.split(":")
    assert mode == "ro"
    return (DEPLOY / source).read_text()


def test_the_proxy_balances_every_replica() -> None:
    proxy = SERVICES["proxy"]
    text = proxy_config()
    upstream = set(re.findall(r"^\s*server\s+([\w.-]+:\d+)", text, re.MULTILINE))
    assert upstream == {f"{name}:8000" for name in APPS}
    assert all(proxy["depends_on"][name]["condition"] == "service_healthy" for name in APPS)


def test_the_proxy_resolves_the_replicas_again_when_they_are_recreated() -> None:
    text = proxy_config()
    # Docker's embedded DNS, with a short validity: a recreated replica's new address.
    resolver = re.search(r"^\s*resolver\s+127\.0\.0\.11\b([^;]*);", text, re.MULTILINE)
    assert resolver is not None
    assert re.search(r"\bvalid=\d+s\b", resolver[1])
    block = re.search(r"upstream\s+upright\s*\{([^}]*)\}", text)
    assert block is not None
    assert re.search(r"^\s*zone\s+\S+\s+\d+[km];", block[1], re.MULTILINE)
    servers = re.findall(r"^\s*server\s+([^;]*);", block[1], re.MULTILINE)
    assert servers
    assert all("resolve" in server.split()[1:] for server in servers), servers
    # `resolve` in an open-source nginx upstream: 1.27.3 and later.
    tag = SERVICES["proxy"]["image"].split("@")[0].rpartition(":")[2]
    version = tuple(int(part) for part in re.findall(r"\d+", tag)[:3])
    assert version >= (1, 27, 3), tag


def test_redis_keeps_nothing_on_disk() -> None:
    command = SERVICES["redis"]["command"]
    assert command[command.index("--save") + 1] == ""
    assert command[command.index("--appendonly") + 1] == "no"
    assert "volumes" not in SERVICES["redis"]


def test_postgres_keeps_its_data_in_a_volume() -> None:
    (volume,) = SERVICES["postgres"]["volumes"]
    name, _, path = volume.partition(":")
    assert name in COMPOSE["volumes"]
    assert path == "/var/lib/postgresql/data"
