"""The operations guide and the deployment files name only what exists: every `upright`
command and option in the guide is one the CLI has, and every `UPRIGHT_*` variable is a
setting (or one the CLI reads itself)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import click
import pytest
import typer

from server.cli import app
from server.settings import Settings
from tests.deploy.artefacts import DEPLOY

GUIDE = DEPLOY / "README.md"
SERVER_SOURCES = Path(__file__).parents[2] / "server"
SHELL_OPERATORS = {"|", "||", "&&", ";", "<", ">", ">>", "2>&1", "\\"}


def names_upright(token: str, line: str) -> bool:
    """`upright` (or a path to it), the guide's `upright-admin` wrapper, the image run
    by docker, or the compose migration service (whose entrypoint is `upright`)."""
    return (
        token in {"upright", "upright-admin"}
        or token.endswith("/bin/upright")
        or re.fullmatch(r"upright:[\d.]+", token) is not None
        or (token == "migrate" and "compose run" in line)
    )


def code_in_guide() -> str:
    """Fenced blocks and inline code spans: where commands are shown."""
    text = GUIDE.read_text()
    blocks = re.findall(r"```[a-z]*\n(.*?)```", text, re.DOTALL)
    prose = re.sub(r"```[a-z]*\n.*?```", "", text, flags=re.DOTALL)
    spans = re.findall(r"`([^`\n]+)`", prose.replace("`\n", "` "))
    spans += re.findall(r"`([^`]+)`", prose)  # spans broken across a line
    return "\n".join(blocks + [" ".join(span.split()) for span in spans])


def invocations() -> list[str]:
    """The words after each `upright` at a command position, up to a shell operator."""
    found = set()
    text = code_in_guide().replace("\\\n", " ")
    for raw in text.splitlines():
        line = re.sub(r"(^|\s)#.*", "", raw)  # shell comments
        tokens = line.split()
        for i, token in enumerate(tokens):
            before = tokens[i - 1] if i else ""
            if not names_upright(token, line):
                continue
            # `--namespace upright`, `<your upright ...>`: an argument, not the command.
            if before.startswith(("-", "<")) and before != "--" and "/" not in token:
                continue
            rest = tokens[i + 1 :]
            if token == "upright-admin" and rest[:1] == ["--env"]:
                rest = rest[2:]
            words = []
            for word in rest:
                if word in SHELL_OPERATORS:
                    break
                if word != "...":
                    words.append(word)
            if words and re.match(r"[a-z]", words[0]):
                found.add(" ".join(words))
    return sorted(found)


def resolve(words: list[str]) -> tuple[Any, list[str], list[str]]:
    """The click command a command line names, its path, and the words after it."""
    command: Any = typer.main.get_command(app)
    path: list[str] = []
    rest = list(words)
    while rest and hasattr(command, "list_commands"):
        context = click.Context(command)
        if rest[0] not in command.list_commands(context):
            break
        command = command.get_command(context, rest[0])
        path.append(rest.pop(0))
    return command, path, rest


def test_the_guide_shows_commands() -> None:
    found = invocations()
    assert len(found) >= 15
    assert any(line.startswith("db upgrade") for line in found)
    assert any(line.startswith("keys add-version") for line in found)


@pytest.mark.parametrize("line", invocations())
def test_every_command_in_the_guide_exists(line: str) -> None:
    words = line.split()
    command, path, rest = resolve(words)
    assert path, f"`upright {line}`: no command {words[0]!r}"
    if hasattr(command, "list_commands"):
        # A group: what follows must be one of its commands (or nothing, or an option).
        invoked_alone = getattr(command, "invoke_without_command", False)
        assert not rest or rest[0].startswith("-") or invoked_alone, (
            f"`upright {line}`: {' '.join(path)} has no command {rest[0]!r}"
        )
    options = {option for param in command.params for option in param.opts}
    options.add("--help")
    for word in rest:
        if word.startswith("--"):
            assert word.split("=")[0] in options, f"`upright {line}`: no option {word}"


def test_the_checker_refuses_what_does_not_exist() -> None:
    _, path, rest = resolve(["keys", "retire", "--root", "kek"])
    assert (path, rest[0]) == (["keys"], "retire")
    command, path, _ = resolve(["keys", "promote"])
    assert path == ["keys", "promote"]
    assert "--force" not in {option for param in command.params for option in param.opts}


ENV_PREFIX = Settings.model_config.get("env_prefix", "")
SETTINGS = {f"{ENV_PREFIX}{name}".upper() for name in Settings.model_fields}
READ_BY_THE_CLI = {
    name
    for path in SERVER_SOURCES.rglob("*.py")
    for name in re.findall(r"[\"'](UPRIGHT_[A-Z0-9_]+)[\"']", path.read_text())
}
DEPLOYMENT_FILES = sorted(
    path
    for path in DEPLOY.rglob("*")
    if path.is_file() and path.suffix in {".md", ".yaml", ".conf", ".service", ""}
)


def test_the_prefix_is_upright() -> None:
    assert ENV_PREFIX == "UPRIGHT_"
    assert "UPRIGHT_DATABASE_URL" in SETTINGS


@pytest.mark.parametrize("path", DEPLOYMENT_FILES, ids=lambda p: str(p.relative_to(DEPLOY)))
def test_every_variable_named_is_a_setting(path: Path) -> None:
    named = set(re.findall(r"\bUPRIGHT_[A-Z0-9_]*[A-Z0-9]", path.read_text()))
    unknown = named - SETTINGS - READ_BY_THE_CLI
    assert not unknown, f"{path.name} names {sorted(unknown)}, which upright does not read"


def test_the_variable_check_covers_the_files_and_refuses_inventions() -> None:
    names = {path.name for path in DEPLOYMENT_FILES}
    assert {"README.md", "compose.yaml", "deployment.yaml", "upright.service"} <= names
    assert "UPRIGHT_KEYS_FILE" in SETTINGS
    assert "UPRIGHT_SECRET_KEY" not in SETTINGS | READ_BY_THE_CLI


def commands_in_guide() -> list[str]:
    """Each command line of the guide's fenced blocks, continuations joined."""
    return [line.strip() for line in code_in_guide().replace("\\\n", " ").splitlines()]


def test_a_prompting_command_run_in_a_container_gets_a_terminal() -> None:
    """`upright admin create` prompts for the password: `kubectl exec` needs -it, and
    `docker compose exec` (a terminal by default) must not be told -T."""
    prompting = [
        line for line in commands_in_guide() if "admin create" in line and " exec " in line
    ]
    assert any(line.startswith("kubectl") for line in prompting)
    for line in prompting:
        words = line.split(" upright admin create")[0].split()
        if words[0] == "kubectl":
            interactive = {"-it", "-ti"} & set(words) or {"--stdin", "--tty"} <= set(words)
            assert interactive, line
        else:
            assert not {"-T", "--no-TTY"} & set(words), line


def test_compose_upgrades_build_then_migrate_then_recreate() -> None:
    text = GUIDE.read_text()
    upgrade = text[text.index("## Upgrade") : text.index("## Scaling out")]
    lines = [line.strip() for line in upgrade.splitlines()]

    def first(prefix: str) -> int:
        return next(i for i, line in enumerate(lines) if line.startswith(prefix))

    build = first("docker compose build")
    migrate = first("docker compose run --rm migrate")
    recreate = first("docker compose up")
    assert build < migrate < recreate
    # The guide does not promise what `upright serve` refuses: an old replica that
    # restarts after the migration does not come back.
    assert "keep serving while" not in upgrade
    assert "cannot start again" in upgrade


def test_the_readiness_snippets_are_python() -> None:
    snippets = re.findall(r'python -c "([^"]+)"', GUIDE.read_text())
    assert snippets
    for snippet in snippets:
        compile(snippet, "<guide>", "exec")
        assert "http://127.0.0.1:8000/readyz" in snippet
