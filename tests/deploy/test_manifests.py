"""The Kubernetes manifests keep their security and operational invariants: non-root,
read-only, probed, bounded, pinned, secrets only by reference, the database reachable
from upright's pods alone."""

from __future__ import annotations

import re
from typing import Any

import pytest
import yaml

from tests.deploy.artefacts import CREDENTIALS_IN_URL, DEPLOY, SECRET_WORDS, pinned

KUBE = DEPLOY / "kubernetes"
FILES = sorted(p for p in KUBE.glob("*.y*ml") if p.name != "kustomization.yaml")
DOCS: list[dict[str, Any]] = [
    doc for path in FILES for doc in yaml.safe_load_all(path.read_text()) if doc is not None
]
UID = 10001


def of_kind(kind: str) -> list[dict[str, Any]]:
    return [doc for doc in DOCS if doc["kind"] == kind]


def deployment() -> dict[str, Any]:
    (found,) = of_kind("Deployment")
    return found


WORKLOADS = of_kind("Deployment") + of_kind("Job")
CONTAINERS = [
    (workload, container)
    for workload in WORKLOADS
    for key in ("initContainers", "containers")
    for container in workload["spec"]["template"]["spec"].get(key, [])
]
CONTAINER_IDS = [f"{w['kind']}/{c['name']}" for w, c in CONTAINERS]


def pod(workload: dict[str, Any]) -> dict[str, Any]:
    spec: dict[str, Any] = workload["spec"]["template"]["spec"]
    return spec


_OPERATORS = {
    "In": lambda labels, key, values: labels.get(key) in values,
    "NotIn": lambda labels, key, values: labels.get(key) not in values,
    "Exists": lambda labels, key, _: key in labels,
    "DoesNotExist": lambda labels, key, _: key not in labels,
}


def matches(selector: dict[str, Any], labels: dict[str, str]) -> bool:
    """A Kubernetes label selector (matchLabels, matchExpressions) against labels."""
    if not all(labels.get(k) == v for k, v in selector.get("matchLabels", {}).items()):
        return False
    return all(
        _OPERATORS[e["operator"]](labels, e["key"], e.get("values", []))
        for e in selector.get("matchExpressions", [])
    )


def template_labels(workload: dict[str, Any]) -> dict[str, str]:
    labels: dict[str, str] = workload["spec"]["template"]["metadata"]["labels"]
    return labels


def test_the_directory_holds_the_expected_kinds() -> None:
    kinds = {doc["kind"] for doc in DOCS}
    expected = {"Deployment", "Service", "HorizontalPodAutoscaler", "PodDisruptionBudget"}
    assert kinds >= expected | {"Job", "ConfigMap", "NetworkPolicy"}
    assert all(doc["metadata"].get("name") for doc in DOCS)
    # Namespace-agnostic: the namespace is chosen when applying.
    assert all("namespace" not in doc["metadata"] for doc in DOCS)


def test_the_kustomization_lists_every_manifest_and_nothing_else() -> None:
    kustomization = yaml.safe_load((KUBE / "kustomization.yaml").read_text())
    assert sorted(kustomization["resources"]) == [path.name for path in FILES]


def test_the_deployment_runs_two_replicas_or_more() -> None:
    assert deployment()["spec"]["replicas"] >= 2


@pytest.mark.parametrize("workload", WORKLOADS, ids=lambda w: w["kind"])
def test_every_pod_runs_as_the_unprivileged_user(workload: dict[str, Any]) -> None:
    context = pod(workload)["securityContext"]
    assert context["runAsNonRoot"] is True
    assert context["runAsUser"] == UID
    assert isinstance(context["fsGroup"], int)
    assert context["seccompProfile"]["type"] == "RuntimeDefault"
    assert pod(workload).get("automountServiceAccountToken") is False


@pytest.mark.parametrize(("workload", "container"), CONTAINERS, ids=CONTAINER_IDS)
def test_every_container_is_locked_down(workload: dict[str, Any], container: dict) -> None:
    context = container["securityContext"]
    assert context["runAsNonRoot"] is True
    assert context.get("runAsUser", pod(workload)["securityContext"]["runAsUser"]) == UID
    assert context["readOnlyRootFilesystem"] is True
    assert context["allowPrivilegeEscalation"] is False
    assert context.get("privileged", False) is False
    assert context["capabilities"]["drop"] == ["ALL"]
    assert not context["capabilities"].get("add")
    assert context["seccompProfile"]["type"] == "RuntimeDefault"


def quantity(value: str | int) -> float:
    """CPU or memory quantity in base units (cores, bytes)."""
    units = {"m": 1e-3, "Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "k": 1e3, "M": 1e6, "G": 1e9}
    text = str(value)
    for suffix, factor in sorted(units.items(), key=lambda item: -len(item[0])):
        if text.endswith(suffix):
            return float(text.removesuffix(suffix)) * factor
    return float(text)


@pytest.mark.parametrize(("workload", "container"), CONTAINERS, ids=CONTAINER_IDS)
def test_every_container_has_requests_and_limits(workload: dict, container: dict) -> None:
    resources = container["resources"]
    for resource in ("cpu", "memory"):
        request = quantity(resources["requests"][resource])
        limit = quantity(resources["limits"][resource])
        assert 0 < request <= limit, resource


@pytest.mark.parametrize(("workload", "container"), CONTAINERS, ids=CONTAINER_IDS)
def test_every_image_is_pinned_to_a_version(workload: dict, container: dict) -> None:
    assert pinned(container["image"]), container["image"]


def test_the_pinning_check_refuses_floating_images() -> None:
    assert pinned("registry.example.org:5000/upright/upright:0.1.0")
    assert pinned(f"postgres:17.6-bookworm@sha256:{'a' * 64}")
    for image in ("upright", "upright:latest", "python:3-slim", "host:5000/upright", "x:main"):
        assert not pinned(image), image


def test_the_deployment_probes_readiness_and_liveness() -> None:
    (container,) = pod(deployment())["containers"]
    ports = {port["name"] for port in container["ports"]} | {
        port["containerPort"] for port in container["ports"]
    }
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    for probe in ("readinessProbe", "livenessProbe", "startupProbe"):
        if probe in container:
            assert container[probe]["httpGet"]["port"] in ports, probe


def test_serving_never_migrates_and_the_job_does() -> None:
    (server,) = pod(deployment())["containers"]
    assert server["args"][0] == "serve"
    assert "upgrade" not in server["args"]
    (job,) = of_kind("Job")
    (migrate,) = pod(job)["containers"]
    assert migrate["args"] == ["db", "upgrade"]
    assert migrate["image"] == server["image"]
    assert job["spec"]["backoffLimit"] >= 1
    assert pod(job)["restartPolicy"] in {"Never", "OnFailure"}


def env_of(container: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {variable["name"]: variable for variable in container.get("env", [])}


def mounted_secret_paths(workload: dict[str, Any], container: dict[str, Any]) -> list[str]:
    secrets = {v["name"] for v in pod(workload).get("volumes", []) if "secret" in v}
    return [m["mountPath"] for m in container.get("volumeMounts", []) if m["name"] in secrets]


@pytest.mark.parametrize(("workload", "container"), CONTAINERS, ids=CONTAINER_IDS)
def test_no_environment_value_is_a_secret(workload: dict, container: dict) -> None:
    secret_dirs = mounted_secret_paths(workload, container)
    for name, variable in env_of(container).items():
        value = variable.get("value")
        if value is not None:
            assert not CREDENTIALS_IN_URL.search(value), name
        if any(word in name for word in SECRET_WORDS):
            if name.endswith("_FILE"):
                assert any(value.startswith(f"{d.rstrip('/')}/") for d in secret_dirs), name
            else:
                assert "secretKeyRef" in variable.get("valueFrom", {}), name
    assert "secretKeyRef" in env_of(container)["UPRIGHT_DATABASE_URL"]["valueFrom"]


def test_the_configmap_holds_no_secret() -> None:
    for config in of_kind("ConfigMap"):
        for name, value in config.get("data", {}).items():
            assert not any(word in name for word in SECRET_WORDS), name
            assert not CREDENTIALS_IN_URL.search(str(value)), name


def test_no_secret_is_committed_with_values() -> None:
    for secret in of_kind("Secret"):
        assert not secret.get("data"), secret["metadata"]["name"]
        assert not secret.get("stringData"), secret["metadata"]["name"]


def test_every_referenced_secret_is_created_as_the_guide_says() -> None:
    referenced = {
        variable["valueFrom"]["secretKeyRef"]["name"]
        for _, container in CONTAINERS
        for variable in container.get("env", [])
        if "secretKeyRef" in variable.get("valueFrom", {})
    } | {
        volume["secret"]["secretName"]
        for workload in WORKLOADS
        for volume in pod(workload).get("volumes", [])
        if "secret" in volume
    }
    guide = (DEPLOY / "README.md").read_text()
    created = set(re.findall(r"create secret generic ([\w.-]+)", guide))
    assert referenced
    assert referenced <= created


def test_the_key_file_is_a_read_only_secret_readable_by_the_group() -> None:
    workload = deployment()
    (container,) = pod(workload)["containers"]
    keys_file = env_of(container)["UPRIGHT_KEYS_FILE"]["value"]
    (mount,) = [
        m for m in container["volumeMounts"] if keys_file.startswith(m["mountPath"].rstrip("/"))
    ]
    assert mount["readOnly"] is True
    (volume,) = [v for v in pod(workload)["volumes"] if v["name"] == mount["name"]]
    # Written 0440 in YAML: an octal int, which must parse as 288.
    mode = volume["secret"]["defaultMode"]
    assert mode == 288
    assert mode == 0o440
    assert pod(workload)["securityContext"]["fsGroup"] == UID


@pytest.mark.parametrize("workload", WORKLOADS, ids=lambda w: w["kind"])
def test_selectors_match_their_templates(workload: dict[str, Any]) -> None:
    selector = workload["spec"].get("selector")
    labels = template_labels(workload)
    assert labels.get("app.kubernetes.io/name") == "upright"
    if workload["kind"] == "Deployment":
        assert selector["matchLabels"]
    if selector is not None:
        assert matches(selector, labels)


def test_the_service_reaches_the_deployment_pods() -> None:
    (service,) = of_kind("Service")
    assert matches({"matchLabels": service["spec"]["selector"]}, template_labels(deployment()))
    (container,) = pod(deployment())["containers"]
    names = {port["name"] for port in container["ports"]}
    assert {port["targetPort"] for port in service["spec"]["ports"]} <= names


def test_the_autoscaler_targets_the_deployment() -> None:
    (hpa,) = of_kind("HorizontalPodAutoscaler")
    assert hpa["apiVersion"] == "autoscaling/v2"
    target = hpa["spec"]["scaleTargetRef"]
    assert (target["kind"], target["name"]) == ("Deployment", deployment()["metadata"]["name"])
    assert hpa["spec"]["minReplicas"] >= 2
    assert hpa["spec"]["maxReplicas"] > hpa["spec"]["minReplicas"]


def test_the_disruption_budget_covers_the_app_pods() -> None:
    (pdb,) = of_kind("PodDisruptionBudget")
    assert pdb["apiVersion"] == "policy/v1"
    assert matches(pdb["spec"]["selector"], template_labels(deployment()))
    (job,) = of_kind("Job")
    assert not matches(pdb["spec"]["selector"], template_labels(job))
    assert pdb["spec"].get("minAvailable", 0) >= 1 or "maxUnavailable" in pdb["spec"]


def ingress_policy(selected: dict[str, str]) -> dict[str, Any]:
    (policy,) = [p for p in of_kind("NetworkPolicy") if matches(p["spec"]["podSelector"], selected)]
    return policy


def narrow(selector: dict[str, Any], allowed: list[dict[str, str]]) -> bool:
    """Every label a selector accepts is one the allowed pods carry: no NotIn or Exists,
    no value that none of them has."""
    carried = {(key, value) for labels in allowed for key, value in labels.items()}
    expressions = selector.get("matchExpressions", [])
    return all(pair in carried for pair in selector.get("matchLabels", {}).items()) and all(
        e["operator"] == "In" and all((e["key"], value) in carried for value in e["values"])
        for e in expressions
    )


@pytest.mark.parametrize(
    ("database", "port", "clients"),
    [
        ({"app.kubernetes.io/name": "postgresql"}, 5432, ("Deployment", "Job")),
        ({"app.kubernetes.io/name": "redis"}, 6379, ("Deployment",)),
    ],
    ids=["postgresql", "redis"],
)
def test_only_upright_pods_reach_the_databases(
    database: dict[str, str], port: int, clients: tuple[str, ...]
) -> None:
    policy = ingress_policy(database)
    assert policy["spec"]["podSelector"]["matchLabels"] == database
    assert "Ingress" in policy["spec"]["policyTypes"]
    upright = [template_labels(w) for w in WORKLOADS if w["kind"] in clients]
    others = [template_labels(w) for w in WORKLOADS if w["kind"] not in clients]
    strangers = [
        {},
        database,
        {"app.kubernetes.io/name": "other"},
        {"app.kubernetes.io/name": "upright", "app.kubernetes.io/component": "debug"},
    ]
    for rule in policy["spec"]["ingress"]:
        assert [(p.get("protocol", "TCP"), p["port"]) for p in rule["ports"]] == [("TCP", port)]
        assert rule["from"]
        for peer in rule["from"]:
            # Pods of this namespace only: no other namespace, no address block.
            assert set(peer) == {"podSelector"}
            assert peer["podSelector"], "an empty selector admits every pod"
            assert not any(matches(peer["podSelector"], labels) for labels in strangers + others)
            assert narrow(peer["podSelector"], upright)
        assert all(
            any(matches(p["podSelector"], labels) for p in rule["from"]) for labels in upright
        )


def test_only_the_ingress_controller_and_monitoring_reach_the_server_pods() -> None:
    server = template_labels(deployment())
    (container,) = pod(deployment())["containers"]
    port = {p["containerPort"] for p in container["ports"] if p["name"] == "http"}
    assert port == {8000}
    policy = ingress_policy(server)
    assert "Ingress" in policy["spec"]["policyTypes"]
    assert policy["spec"]["ingress"], "an Ingress policy without rules admits nobody"
    namespaces = set()
    for rule in policy["spec"]["ingress"]:
        assert [(p.get("protocol", "TCP"), p["port"]) for p in rule["ports"]] == [("TCP", 8000)]
        # An absent or empty `from` admits every source.
        assert rule.get("from"), rule
        for peer in rule["from"]:
            # Selected pods or namespaces only: no address block.
            assert peer, "an empty peer admits every pod"
            assert set(peer) <= {"namespaceSelector", "podSelector"}, peer
            for selector in peer.values():
                assert selector, "an empty selector admits every pod or namespace"
            labels = peer.get("namespaceSelector", {}).get("matchLabels", {})
            namespaces.add(labels.get("kubernetes.io/metadata.name"))
    assert {"ingress-nginx", "monitoring"} <= namespaces
