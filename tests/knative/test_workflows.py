"""GitHub Actions workflows: actionlint-clean, tests before deploys, and the deploy's change detection
selecting the right functions. The detection step's script is run for real, in a scratch git
repository with this repository's functions/ folders, for each kind of change."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = ROOT / ".github" / "workflows"
FUNCTIONS = sorted(p.parent.name for p in (ROOT / "functions").glob("*/main.py"))


def tool(name: str) -> str:
    candidate = Path(sys.executable).parent / name
    found = str(candidate) if candidate.exists() else shutil.which(name)
    assert found, f"{name} not found: install requirements-dev.txt"
    return found


def load(name: str) -> dict:
    workflow = yaml.safe_load((WORKFLOWS / name).read_text())
    # YAML 1.1 reads the key "on" as True
    workflow["on"] = workflow.pop(True, workflow.get("on"))
    return workflow


@pytest.fixture(scope="module")
def test_workflow() -> dict:
    return load("test.yml")


@pytest.fixture(scope="module")
def deploy() -> dict:
    return load("deploy.yml")


def test_actionlint_passes() -> None:
    files = sorted(str(p) for p in WORKFLOWS.glob("*.y*ml"))
    assert {Path(f).name for f in files} >= {"test.yml", "deploy.yml"}
    # shellcheck and pyflakes integrations off: their presence differs between machines
    result = subprocess.run(
        [tool("actionlint"), "-shellcheck=", "-pyflakes=", *files],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def every_run_script(workflow: dict) -> list[str]:
    return [
        step["run"] for job in workflow["jobs"].values() for step in job.get("steps", []) if "run" in step
    ]


@pytest.mark.parametrize("name", ["test.yml", "deploy.yml"])
def test_run_scripts_are_valid_bash(name: str) -> None:
    for script in every_run_script(load(name)):
        plain = re.sub(r"\$\{\{.*?\}\}", "X", script)
        result = subprocess.run(["bash", "-n"], input=plain, capture_output=True, text=True)
        assert result.returncode == 0, f"{result.stderr}\n{script}"


def test_tests_run_on_push_and_pull_request_against_postgres_15(test_workflow: dict) -> None:
    assert {"push", "pull_request", "workflow_call"} <= set(test_workflow["on"])
    (job,) = test_workflow["jobs"].values()
    postgres = job["services"]["postgres"]
    assert postgres["image"] == "postgres:15"
    assert postgres["env"]["POSTGRES_HOST_AUTH_METHOD"] == "trust"
    assert "5432:5432" in postgres["ports"]
    assert "--health-cmd" in postgres["options"]
    steps = job["steps"]
    python = next(s for s in steps if s.get("uses", "").startswith("actions/setup-python@"))
    assert str(python["with"]["python-version"]) == "3.11"
    run = next(s for s in steps if s.get("run", "").strip() == "./dev test")
    assert run["env"]["TEST_DATABASE_URL"] == "postgresql+pg8000://postgres@localhost:5432/postgres"


def test_deploy_runs_on_main_after_tests_and_migrations(deploy: dict) -> None:
    assert deploy["on"] == {"push": {"branches": ["main"]}}
    jobs = deploy["jobs"]
    assert jobs["test"]["uses"] == "./.github/workflows/test.yml"
    assert {"test", "changes"} <= set(jobs["build"]["needs"])
    assert "build" in jobs["migrate"]["needs"]
    assert {"build", "migrate"} <= set(jobs["deploy"]["needs"])
    assert "needs.migrate.result" in jobs["deploy"]["if"]
    assert jobs["migrate"]["if"] == "needs.changes.outputs.migrate == 'true'"
    assert deploy["concurrency"]["cancel-in-progress"] is False


def test_build_job_pushes_one_image_per_function(deploy: dict) -> None:
    build = deploy["jobs"]["build"]
    assert "fromJSON(needs.changes.outputs.functions)" in build["strategy"]["matrix"]["function"]
    uses = {s["uses"].split("@")[0]: s for s in build["steps"] if "uses" in s}
    assert uses["docker/login-action"]["with"]["registry"] == "ghcr.io"
    push = uses["docker/build-push-action"]["with"]
    assert push["build-args"].strip() == "FUNCTION=${{ matrix.function }}"
    assert push["tags"] == (
        "${{ needs.changes.outputs.registry }}/spotifiuby-${{ matrix.function }}:${{ github.sha }}"
    )
    assert build["permissions"]["packages"] == "write"


def test_migrate_job_runs_the_migration_job_with_the_new_users_image(deploy: dict) -> None:
    steps = deploy["jobs"]["migrate"]["steps"]
    run = next(s for s in steps if "migrate-job.yaml" in s.get("run", ""))
    assert run["env"]["IMAGE"].endswith("/spotifiuby-users:${{ github.sha }}")
    assert "kubectl create" in run["run"] and "Complete" in run["run"]
    assert any("secrets.KUBECONFIG" in json.dumps(s) for s in steps)


def test_deploy_job_applies_the_knative_service(deploy: dict) -> None:
    job = deploy["jobs"]["deploy"]
    scripts = " ".join(s.get("run", "") for s in job["steps"])
    assert "knative/client/releases/download/knative-v${KN_VERSION}" in scripts
    assert re.fullmatch(r"\d+\.\d+\.\d+", deploy["env"]["KN_VERSION"])
    assert 'kn service apply "$FUNCTION" -f "knative/$FUNCTION.yaml" --image "$IMAGE"' in scripts
    assert deploy["env"]["NAMESPACE"] == "spotifiuby"
    assert any("secrets.KUBECONFIG" in json.dumps(s) for s in job["steps"])


# --- the change detection, run for real ---------------------------------------------------------


def git(repo: Path, *args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t"}
    env["GIT_COMMITTER_EMAIL"] = "t@t"
    return subprocess.run(
        ["git", *args], cwd=repo, env=env, check=True, capture_output=True, text=True
    ).stdout.strip()


@pytest.fixture(scope="module")
def detect_script(deploy: dict) -> str:
    steps = deploy["jobs"]["changes"]["steps"]
    return next(s for s in steps if s.get("id") == "detect")["run"]


@pytest.fixture
def scratch(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    for name in FUNCTIONS:
        (repo / "functions" / name).mkdir(parents=True)
        (repo / "functions" / name / "main.py").write_text("# v1\n")
    for path in ("shared/spotifiuby/db.py", "migrations/env.py", "knative/users.yaml", "README.md"):
        (repo / path).parent.mkdir(parents=True, exist_ok=True)
        (repo / path).write_text("v1\n")
    for path in ("requirements.txt", "Dockerfile", "alembic.ini", "knative/migrate-job.yaml"):
        (repo / path).write_text("v1\n")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "one")
    return repo


def detect(repo: Path, script: str, changed: list[str], before: str | None = None) -> dict[str, str]:
    base = git(repo, "rev-parse", "HEAD")
    for path in changed:
        (repo / path).parent.mkdir(parents=True, exist_ok=True)
        with open(repo / path, "a") as f:
            f.write("changed\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "--allow-empty", "-m", "two")
    output = repo.parent / "github_output"
    output.write_text("")
    env = {
        "PATH": os.environ["PATH"],
        "BEFORE": base if before is None else before,
        "OWNER": "SomeOwner",
        "GITHUB_OUTPUT": str(output),
    }
    subprocess.run(["bash", "-c", script], cwd=repo, env=env, check=True, capture_output=True, text=True)
    result = dict(line.split("=", 1) for line in output.read_text().splitlines())
    result["functions"] = json.loads(result["functions"])
    return result


@pytest.mark.parametrize("function", FUNCTIONS)
def test_a_change_in_one_function_redeploys_only_it(scratch: Path, detect_script: str, function: str) -> None:
    result = detect(scratch, detect_script, [f"functions/{function}/main.py"])
    assert result["functions"] == [function]
    assert result["any"] == "true"
    assert result["migrate"] == "false"
    assert result["registry"] == "ghcr.io/someowner"


@pytest.mark.parametrize(
    "path",
    ["shared/spotifiuby/db.py", "migrations/env.py", "requirements.txt", "Dockerfile", "alembic.ini"],
)
def test_a_common_change_redeploys_every_function_after_migrating(
    scratch: Path, detect_script: str, path: str
) -> None:
    result = detect(scratch, detect_script, [path, f"functions/{FUNCTIONS[0]}/main.py"])
    assert result["functions"] == FUNCTIONS
    assert result["migrate"] == "true"


def test_new_shared_file_redeploys_every_function(scratch: Path, detect_script: str) -> None:
    result = detect(scratch, detect_script, ["shared/spotifiuby/brand_new.py"])
    assert result["functions"] == FUNCTIONS


def test_manifest_changes(scratch: Path, detect_script: str) -> None:
    result = detect(scratch, detect_script, ["knative/users.yaml", "knative/postgres.yaml"])
    assert result["functions"] == ["users"]
    assert result["migrate"] == "false"
    result = detect(scratch, detect_script, ["knative/migrate-job.yaml"])
    assert result["functions"] == ["users"]
    assert result["migrate"] == "true"


def test_unrelated_change_deploys_nothing(scratch: Path, detect_script: str) -> None:
    result = detect(scratch, detect_script, ["README.md", "tests/test_x.py", "functions/music/README.md"])
    assert result["functions"] == ["music"]
    result = detect(scratch, detect_script, ["README.md"])
    assert result == {"functions": [], "any": "false", "migrate": "false", "registry": "ghcr.io/someowner"}


def test_unknown_previous_commit_falls_back_to_the_parent(scratch: Path, detect_script: str) -> None:
    result = detect(scratch, detect_script, ["functions/gateway/main.py"], before="0" * 40)
    assert result["functions"] == ["gateway"]
