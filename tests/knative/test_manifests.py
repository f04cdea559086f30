"""Offline checks of the manifests under knative/: they parse, validate against the Knative and
Kubernetes schemas (with no unknown field), and agree with the code: every variable a function's
production configuration requires is provided, the connection budget fits Postgres, and only the
gateway is reachable from outside the cluster. There is no cluster here: nothing is applied."""

from __future__ import annotations

import importlib
import re
import types
from pathlib import Path
from typing import Annotated, Any, Union, get_args, get_origin
from urllib.parse import urlsplit

import kubernetes_validate
import pytest
import yaml
from cloudcoil.models.knative_serving.serving import v1 as knative_v1
from pydantic import BaseModel, RootModel

from functions.gateway.routes import ROUTES
from functions.status.config import StatusConfig
from spotifiuby.config import ConfigError, Settings

ROOT = Path(__file__).resolve().parents[2]
KNATIVE = ROOT / "knative"
NAMESPACE = "spotifiuby"
KUBERNETES_VERSION = "1.37.0"  # a schema set kubernetes-validate ships
FUNCTIONS = sorted(path.parent.name for path in (ROOT / "functions").glob("*/main.py"))
CLUSTER_LOCAL = "networking.knative.dev/visibility"


def load(path: Path) -> list[dict[str, Any]]:
    with path.open() as stream:
        return [doc for doc in yaml.safe_load_all(stream) if doc is not None]


def kustomized() -> list[dict[str, Any]]:
    """Every object the base kustomization applies."""
    kustomization = load(KNATIVE / "kustomization.yaml")[0]
    return [doc for name in kustomization["resources"] for doc in load(KNATIVE / name)]


def service(function: str) -> dict[str, Any]:
    return load(KNATIVE / f"{function}.yaml")[0]


def container(function: str) -> dict[str, Any]:
    (only,) = service(function)["spec"]["template"]["spec"]["containers"]
    return only


def annotations(function: str) -> dict[str, str]:
    return service(function)["spec"]["template"]["metadata"]["annotations"]


def env_list(function: str) -> dict[str, dict[str, Any]]:
    return {item["name"]: item for item in container(function)["env"]}


def of_kind(kind: str) -> list[dict[str, Any]]:
    return [doc for doc in kustomized() if doc["kind"] == kind]


def resolved_env(spec: dict[str, Any]) -> dict[str, str]:
    """The environment a container would see, with the example Secret's placeholders as values."""
    config = {doc["metadata"]["name"]: doc["data"] for doc in of_kind("ConfigMap")}
    secrets = {doc["metadata"]["name"]: doc["stringData"] for doc in load(KNATIVE / "secrets.example.yaml")}
    env: dict[str, str] = {}
    for source in spec.get("envFrom", []):
        env.update(config[source["configMapRef"]["name"]])
    for item in spec.get("env", []):
        if "value" in item:
            env[item["name"]] = item["value"]
            continue
        ((kind, ref),) = item["valueFrom"].items()
        store = {"secretKeyRef": secrets, "configMapKeyRef": config}[kind]
        values = store.get(ref["name"], {})
        assert ref["key"] in values or ref.get("optional"), f"{item['name']}: {ref} is in no example"
        if ref["key"] in values:
            env[item["name"]] = values[ref["key"]]
    return env


class Captured(Exception):
    def __init__(self, needs: tuple[str, ...], database: bool) -> None:
        self.needs, self.database = needs, database


def production_requirements(function: str) -> tuple[tuple[str, ...], bool]:
    """``needs`` and ``database`` as the function's own ``create_app`` passes them (read, not copied)."""
    module = importlib.import_module(f"functions.{function}.app")

    def capture(*args: Any, needs: tuple[str, ...] = (), database: bool = True, **kwargs: Any) -> None:
        raise Captured(needs, database)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(module, "create_function_app", capture)
        with pytest.raises(Captured) as captured:
            module.create_app(Settings())
    return captured.value.needs, captured.value.database


# --- unknown fields: pydantic ignores them, a typo'd probe would pass silently -----------------


def unknown_fields(annotation: Any, value: Any, path: str) -> list[str]:
    origin, args = get_origin(annotation), get_args(annotation)
    if origin is Annotated:
        return unknown_fields(args[0], value, path)
    if origin in (Union, types.UnionType):
        attempts = [unknown_fields(arg, value, path) for arg in args if arg is not type(None)]
        return min(attempts, key=len, default=[])
    if origin is list and isinstance(value, list):
        return [p for i, item in enumerate(value) for p in unknown_fields(args[0], item, f"{path}[{i}]")]
    if origin is dict and isinstance(value, dict):
        return [p for key, item in value.items() for p in unknown_fields(args[1], item, f"{path}.{key}")]
    if isinstance(annotation, type) and issubclass(annotation, RootModel):
        return unknown_fields(annotation.model_fields["root"].annotation, value, path)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel) and isinstance(value, dict):
        fields = {field.alias or name: field.annotation for name, field in annotation.model_fields.items()}
        problems = []
        for key, item in value.items():
            if key in fields:
                problems += unknown_fields(fields[key], item, f"{path}.{key}")
            else:
                problems.append(f"{path}.{key}")
        return problems
    return []


def test_the_unknown_field_check_catches_a_typo() -> None:
    doc = service("users")
    doc["spec"]["template"]["spec"]["containers"][0]["readinesProbe"] = {"httpGet": {"path": "/ready"}}
    doc["spec"]["template"]["metadata"]["anotations"] = {}
    assert sorted(unknown_fields(knative_v1.Service, doc, "")) == [
        ".spec.template.metadata.anotations",
        ".spec.template.spec.containers[0].readinesProbe",
    ]


# --- parsing and schemas -------------------------------------------------------------------------


@pytest.mark.parametrize("path", sorted(KNATIVE.rglob("*.yaml")), ids=lambda p: str(p.relative_to(KNATIVE)))
def test_every_yaml_parses(path: Path) -> None:
    docs = load(path)
    assert docs
    assert all(isinstance(doc, dict) and doc.get("apiVersion") and doc.get("kind") for doc in docs)


@pytest.mark.parametrize("function", FUNCTIONS)
def test_a_function_manifest_is_one_knative_service(function: str) -> None:
    (doc,) = load(KNATIVE / f"{function}.yaml")  # kn reads only the first document
    assert (doc["apiVersion"], doc["kind"], doc["metadata"]["name"]) == (
        "serving.knative.dev/v1",
        "Service",
        function,
    )
    assert "namespace" not in doc["metadata"]  # kustomize sets it
    knative_v1.Service.model_validate(doc)
    assert unknown_fields(knative_v1.Service, doc, "") == []


def test_the_kustomization_applies_every_manifest_but_the_example_secret() -> None:
    kustomization = load(KNATIVE / "kustomization.yaml")[0]
    assert kustomization["namespace"] == NAMESPACE
    expected = {p.name for p in KNATIVE.glob("*.yaml")} - {"kustomization.yaml", "secrets.example.yaml"}
    assert sorted(kustomization["resources"]) == sorted(expected)
    assert {f"{function}.yaml" for function in FUNCTIONS} <= expected


def plain_objects() -> list[tuple[str, dict[str, Any]]]:
    docs = [*kustomized(), *load(KNATIVE / "secrets.example.yaml")]
    return [
        (f"{doc['kind']}/{doc['metadata']['name']}", doc)
        for doc in docs
        if not doc["apiVersion"].startswith("serving.knative.dev/")
    ]


@pytest.mark.parametrize(("name", "doc"), plain_objects(), ids=[name for name, _ in plain_objects()])
def test_plain_kubernetes_objects_validate(name: str, doc: dict[str, Any]) -> None:
    kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)
    assert "namespace" not in doc["metadata"]


def test_kubernetes_validate_rejects_an_unknown_field() -> None:
    job = next(doc for doc in kustomized() if doc["kind"] == "Job")
    job["spec"]["template"]["spec"]["containers"][0]["comand"] = ["true"]
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(job, KUBERNETES_VERSION, strict=True)


def all_annotation_maps(node: Any) -> list[dict[str, Any]]:
    if isinstance(node, dict):
        found = [node["annotations"]] if isinstance(node.get("annotations"), dict) else []
        return found + [m for value in node.values() for m in all_annotation_maps(value)]
    if isinstance(node, list):
        return [m for value in node for m in all_annotation_maps(value)]
    return []


def test_every_annotation_value_is_a_string() -> None:
    docs = [doc for path in KNATIVE.rglob("*.yaml") for doc in load(path)]
    maps = all_annotation_maps(docs)
    assert maps  # the Knative Services have some
    for annotation_map in maps:
        assert all(isinstance(value, str) for value in annotation_map.values()), annotation_map


# --- the functions' settings ---------------------------------------------------------------------


@pytest.mark.parametrize("function", FUNCTIONS)
def test_scaling_probes_and_resources(function: str) -> None:
    spec = service(function)["spec"]["template"]["spec"]
    env = resolved_env(container(function))
    threads = int(env["THREADS"])
    assert env["DB_POOL_SIZE"] == env["THREADS"]
    assert env["ENVIRONMENT"] == "production"
    assert spec["containerConcurrency"] == threads
    scaling = annotations(function)
    assert scaling["autoscaling.knative.dev/min-scale"] == "0"
    assert int(scaling["autoscaling.knative.dev/max-scale"]) >= 1
    assert 0 < int(scaling["autoscaling.knative.dev/target"]) <= threads
    assert spec["timeoutSeconds"] > 0
    assert container(function)["readinessProbe"]["httpGet"]["path"] == "/ready"
    assert container(function)["livenessProbe"]["httpGet"]["path"] == "/health"
    assert {"cpu", "memory"} <= container(function)["resources"]["requests"].keys()
    assert {"cpu", "memory"} <= container(function)["resources"]["limits"].keys()
    assert container(function)["image"] == f"ghcr.io/OWNER/spotifiuby-{function}:latest"


@pytest.mark.parametrize("function", FUNCTIONS)
def test_the_manifest_provides_what_production_requires(function: str) -> None:
    needs, database = production_requirements(function)
    settings = Settings.from_env(resolved_env(container(function)))
    settings.check_production(needs=needs, database=database)
    if function == "gateway":
        for upstream in {route.upstream for route in ROUTES}:
            assert settings.upstream(upstream), f"UPSTREAM_{upstream.upper()}_URL"
            assert settings.upstream(upstream).url == f"http://{upstream}.{NAMESPACE}.svc.cluster.local"
    if function == "status":
        checked = {target.name for target in StatusConfig.from_env(resolved_env(container(function))).targets}
        assert checked == set(FUNCTIONS) - {"status"}


@pytest.mark.parametrize("function", FUNCTIONS)
def test_without_its_secrets_a_function_would_refuse_to_start(function: str) -> None:
    """The check above can fail: the same environment minus the Secret's values is refused."""
    needs, database = production_requirements(function)
    spec = container(function)
    spec["env"] = [item for item in spec["env"] if "secretKeyRef" not in item.get("valueFrom", {})]
    with pytest.raises(ConfigError):
        Settings.from_env(resolved_env(spec)).check_production(needs=needs, database=database)


def test_only_the_gateway_is_reachable_from_outside() -> None:
    for function in FUNCTIONS:
        labels = service(function)["metadata"].get("labels", {})
        expected = None if function == "gateway" else "cluster-local"
        assert labels.get(CLUSTER_LOCAL) == expected, function


# --- the database --------------------------------------------------------------------------------


def postgres_setting(name: str) -> int:
    (statefulset,) = [doc for doc in of_kind("StatefulSet") if doc["metadata"]["name"] == "postgres"]
    (pg,) = statefulset["spec"]["template"]["spec"]["containers"]
    settings = dict(arg.split("=", 1) for arg in pg["args"] if "=" in arg)
    return int(settings[name])


def test_the_connection_budget_fits_postgres() -> None:
    budget = 0
    for function in FUNCTIONS:
        _, database = production_requirements(function)
        if database:
            max_scale = int(annotations(function)["autoscaling.knative.dev/max-scale"])
            budget += max_scale * int(resolved_env(container(function))["DB_POOL_SIZE"])
    jobs = of_kind("Job") + of_kind("CronJob")
    assert jobs
    budget += len(jobs)  # one connection each
    usable = postgres_setting("max_connections") - postgres_setting("superuser_reserved_connections")
    assert budget < usable, f"{budget} connections at full scale, Postgres accepts {usable}"


def test_postgres_keeps_its_data_and_is_probed() -> None:
    (statefulset,) = of_kind("StatefulSet")
    assert statefulset["spec"]["volumeClaimTemplates"]
    (pg,) = statefulset["spec"]["template"]["spec"]["containers"]
    assert pg["readinessProbe"]["exec"]["command"][0] == "pg_isready"
    assert pg["livenessProbe"]["exec"]["command"][0] == "pg_isready"
    password = {item["name"]: item for item in pg["env"]}["POSTGRES_PASSWORD"]
    assert "secretKeyRef" in password["valueFrom"]
    plain_services = {doc["metadata"]["name"] for doc in of_kind("Service") if doc["apiVersion"] == "v1"}
    assert plain_services == {"postgres"}
    hosts = {
        urlsplit(resolved_env(container(f))["DATABASE_URL"]).hostname for f in FUNCTIONS if f != "gateway"
    }
    assert hosts == {f"postgres.{NAMESPACE}.svc.cluster.local"}


def test_the_migration_job_migrates_then_creates_the_admin() -> None:
    (job,) = of_kind("Job")
    (spec,) = job["spec"]["template"]["spec"]["containers"]
    assert spec["image"] == "ghcr.io/OWNER/spotifiuby-users:latest"
    command = " ".join(spec["command"])
    assert command.index("alembic upgrade head") < command.index("python -m functions.users.cli create-admin")
    settings = Settings.from_env(resolved_env(spec))
    settings.check_production()
    assert settings.admin_email and settings.admin_password


def apply_replace(doc: dict[str, Any], operation: dict[str, Any]) -> None:
    """A JSON-patch ``replace``: the path must exist, as kustomize demands."""
    *parents, last = [part.replace("~1", "/").replace("~0", "~") for part in operation["path"].split("/")[1:]]
    node: Any = doc
    for part in parents:
        node = node[int(part)] if isinstance(node, list) else node[part]
    key = int(last) if isinstance(node, list) else last
    assert key in node if isinstance(node, dict) else key < len(node), operation["path"]
    node[key] = operation["value"]


def test_the_dev_overlay_patches_apply_and_scale_to_one_pod() -> None:
    overlay = load(KNATIVE / "overlays" / "dev" / "kustomization.yaml")[0]
    assert overlay["resources"] == ["../.."]
    docs = kustomized()
    for patch in overlay["patches"]:
        target = patch["target"]
        matched = [
            doc
            for doc in docs
            if doc["kind"] == target["kind"]
            and target.get("name", doc["metadata"]["name"]) == doc["metadata"]["name"]
            and doc["apiVersion"].startswith(target.get("group", ""))
        ]
        assert matched, target
        for doc in matched:
            for operation in yaml.safe_load(patch["patch"]):
                assert operation["op"] == "replace"
                apply_replace(doc, operation)
    services = [doc for doc in docs if doc["apiVersion"] == "serving.knative.dev/v1"]
    assert len(services) == len(FUNCTIONS)
    for doc in services:
        assert doc["spec"]["template"]["metadata"]["annotations"]["autoscaling.knative.dev/max-scale"] == "1"
        knative_v1.Service.model_validate(doc)
        assert unknown_fields(knative_v1.Service, doc, "") == []
    for doc in docs:
        if not doc["apiVersion"].startswith("serving.knative.dev/"):
            kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)


# --- schedules -----------------------------------------------------------------------------------


def test_internal_schedules_send_the_token_the_function_expects() -> None:
    called = {}
    for cronjob in of_kind("CronJob"):
        (spec,) = cronjob["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"]
        urls = [arg for arg in spec.get("args", []) if arg.startswith("http")]
        if not urls:
            continue
        (url,) = urls
        host = urlsplit(url).hostname
        function = host.removesuffix(f".{NAMESPACE}.svc.cluster.local")
        called[function] = urlsplit(url).path
        assert "X-Internal-Token: $(INTERNAL_TOKEN)" in spec["args"]
        token = {item["name"]: item for item in spec["env"]}["INTERNAL_TOKEN"]["valueFrom"]
        assert env_list(function)["INTERNAL_TOKEN"]["valueFrom"] == token
    assert called == {"status": "/internal/check", "payments": "/internal/subscriptions/expire"}


def test_the_storage_sweep_runs_with_the_music_settings() -> None:
    (sweep,) = [doc for doc in of_kind("CronJob") if doc["metadata"]["name"] == "storage-sweep"]
    (spec,) = sweep["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"]
    assert spec["image"] == "ghcr.io/OWNER/spotifiuby-music:latest"
    assert spec["command"][:4] == ["python", "-m", "functions.music.cli", "sweep-storage"]
    sweep_settings = Settings.from_env(resolved_env(spec))
    music_settings = Settings.from_env(resolved_env(container("music")))
    assert sweep_settings.storage_backend == music_settings.storage_backend == "s3"
    assert sweep_settings.s3_bucket == music_settings.s3_bucket
    assert sweep_settings.database_url == music_settings.database_url


# --- secrets -------------------------------------------------------------------------------------

PLACEHOLDER = re.compile(r"CHANGE-ME|@example\.com$")


def test_no_secret_is_applied_and_the_example_holds_placeholders_only() -> None:
    assert of_kind("Secret") == []
    examples = [doc for path in KNATIVE.rglob("*.yaml") for doc in load(path) if doc["kind"] == "Secret"]
    assert examples
    for secret in examples:
        assert "data" not in secret  # base64 would hide what it holds
        for key, value in secret["stringData"].items():
            assert PLACEHOLDER.search(value), f"{key} does not look like a placeholder"
            assert "-----BEGIN" not in value, key


def test_every_secret_a_manifest_reads_is_in_the_example() -> None:
    example = load(KNATIVE / "secrets.example.yaml")[0]
    docs = kustomized()
    refs = re.findall(r"'secretKeyRef': \{'name': '([^']+)', 'key': '([^']+)'", repr(docs))
    assert refs
    assert {name for name, _ in refs} == {example["metadata"]["name"]}
    assert {key for _, key in refs} <= example["stringData"].keys()
