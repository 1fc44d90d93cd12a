"""The Dockerfile: a builder and a slim runtime stage, hash-checked installs, a numeric
non-root user, a readiness health check, serving without migrating; and a build
context that lets in what the image is built from and nothing else."""

from __future__ import annotations

import fnmatch
import json
import re
import shlex

from tests.deploy.artefacts import DEPLOY, pinned

BUILD_TOOLS = re.compile(r"\b(gcc|g\+\+|cc|clang|make|build-essential|libc6-dev|python3-dev)\b")


def instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments), continuation lines joined, comments dropped."""
    logical, current = [], ""
    for line in (DEPLOY / "Dockerfile").read_text().splitlines():
        if line.lstrip().startswith("#") and not current:
            continue
        if not line.strip():
            continue
        current += line.rstrip().removesuffix("\\") + " " if line.rstrip().endswith("\\") else line
        if not line.rstrip().endswith("\\"):
            logical.append(current.strip())
            current = ""
    parsed = []
    for line in logical:
        keyword, _, arguments = line.partition(" ")
        parsed.append((keyword.upper(), arguments.strip()))
    return parsed


def stages() -> list[list[tuple[str, str]]]:
    found: list[list[tuple[str, str]]] = []
    for keyword, arguments in instructions():
        if keyword == "FROM":
            found.append([])
        if found:
            found[-1].append((keyword, arguments))
    return found


def arguments_of(stage: list[tuple[str, str]], keyword: str) -> list[str]:
    return [arguments for k, arguments in stage if k == keyword]


def base_image(from_arguments: str) -> str:
    """The FROM image with global ARG defaults substituted."""
    defaults = {}
    for keyword, arguments in instructions():
        if keyword == "FROM":
            break
        if keyword == "ARG" and "=" in arguments:
            name, _, value = arguments.partition("=")
            defaults[name] = value
    image = from_arguments.split(maxsplit=1)[0]
    return re.sub(r"\$\{(\w+)\}|\$(\w+)", lambda m: defaults[m[1] or m[2]], image)


def exec_form(arguments: str) -> list[str]:
    value = json.loads(arguments)
    assert isinstance(value, list), "exec form: a JSON list, no shell"
    return value


def test_it_builds_in_two_stages_on_one_pinned_slim_base() -> None:
    froms = [stage[0][1] for stage in stages()]
    assert len(froms) >= 2
    images = {base_image(arguments) for arguments in froms}
    (image,) = images
    assert pinned(image)
    assert re.fullmatch(r"python:3\.11\.\d+-slim-bookworm(@sha256:[0-9a-f]{64})?", image)


def test_dependencies_are_installed_from_the_lock_with_hashes() -> None:
    runs = arguments_of(stages()[0], "RUN")
    installs = [part for run in runs for part in run.split("&&") if "pip install" in part]
    locked = [part for part in installs if "-r requirements.lock" in part]
    assert locked
    assert all("--require-hashes" in part for part in locked)
    assert any("--no-deps" in part and "-r " not in part for part in installs), "the project"
    assert all(part.strip().startswith("/opt/venv/bin/pip") for part in installs)


def test_the_runtime_stage_copies_only_the_venv() -> None:
    final = stages()[-1]
    copies = arguments_of(final, "COPY") + arguments_of(final, "ADD")
    assert copies
    for arguments in copies:
        assert arguments.startswith("--from="), arguments
        assert shlex.split(arguments)[1:] == ["/opt/venv", "/opt/venv"]


def test_the_runtime_stage_installs_no_build_tools() -> None:
    for arguments in arguments_of(stages()[-1], "RUN"):
        if re.search(r"\b(apt-get|apt|apk)\b.*\binstall\b", arguments):
            assert not BUILD_TOOLS.search(arguments), arguments


def test_it_runs_as_a_numeric_non_root_user() -> None:
    users = arguments_of(stages()[-1], "USER")
    assert users
    user, _, group = users[-1].partition(":")
    assert user.isdigit()
    assert int(user) > 0
    assert not group or int(group) > 0


def test_the_health_check_asks_readiness_on_the_exposed_port() -> None:
    final = stages()[-1]
    (healthcheck,) = arguments_of(final, "HEALTHCHECK")
    command = exec_form(healthcheck[healthcheck.index("CMD") + 3 :].strip())
    assert "curl" not in command[0]
    (exposed,) = arguments_of(final, "EXPOSE")
    assert f":{exposed}/readyz" in " ".join(command)


def test_it_serves_and_never_migrates() -> None:
    final = stages()[-1]
    (entrypoint,) = arguments_of(final, "ENTRYPOINT")
    (cmd,) = arguments_of(final, "CMD")
    assert exec_form(entrypoint) == ["upright"]
    command = exec_form(cmd)
    assert command[0] == "serve"
    assert "upgrade" not in command
    assert command[command.index("--port") + 1] == arguments_of(final, "EXPOSE")[0]
    assert command[command.index("--host") + 1] == "0.0.0.0"  # noqa: S104 (in a container)
    assert all("db upgrade" not in arguments for _, arguments in final)


def ignore_patterns() -> list[str]:
    lines = (DEPLOY / "Dockerfile.dockerignore").read_text().splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def in_context(path: str) -> bool:
    """Whether a path is sent to the builder (last matching pattern wins)."""
    included = True
    for pattern in ignore_patterns():
        negated = pattern.startswith("!")
        glob = pattern.removeprefix("!").rstrip("/")
        parts = path.split("/")
        prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
        if any(
            fnmatch.fnmatch(p, glob) or fnmatch.fnmatch(p, glob.removeprefix("**/"))
            for p in prefixes
        ):
            included = negated
    return included


def test_the_context_holds_what_the_image_is_built_from() -> None:
    assert ignore_patterns()[0] == "*", "an allow-list"
    sources = []
    for arguments in arguments_of(stages()[0], "COPY"):
        sources += shlex.split(arguments)[:-1]
    assert "requirements.lock" in sources
    for source in sources:
        assert in_context(source), source
        assert in_context(f"{source}/module.py") or "." in source, source


def test_the_context_keeps_secrets_and_databases_out() -> None:
    for path in (
        "upright-keys.json",
        "server/upright-keys.prod.json",
        "upright.db",
        ".env",
        "deploy/secrets/pgpass",
        "server/__pycache__/app.cpython-311.pyc",
        ".git/config",
    ):
        assert not in_context(path), path
