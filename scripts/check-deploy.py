#!/usr/bin/env python3
"""Offline checks of the deployment manifests, run by scripts/check-deploy.sh.

  check-deploy.py schemas RENDERED.yaml...   every rendered object against the Kubernetes
                                             OpenAPI schemas kubernetes-validate ships (strict:
                                             unknown fields are errors), for each version in
                                             K8S_VERSIONS. A kind without a schema is an error
                                             unless it is one of the CRDs below, which get
                                             field checks of its own instead.
  check-deploy.py binary RENDERED.yaml...    every port, probe path, flag, env var and command
                                             the manifests (and docker-compose.yml, Dockerfile)
                                             use is one the textserve binary really has.

CRD schemas (ServiceMonitor, ServingRuntime, InferenceService) are NOT shipped offline:
kubernetes-validate only has the built-in kinds and, for a kind it has no schema for, prints
a WARN and exits 0. So those objects get (a) a check of required fields, enums and allowed
keys written from the CRDs' Go types (prometheus-operator monitoring.coreos.com/v1,
KServe serving.kserve.io v1alpha1/v1beta1), and (b) strict schema validation of the core
Kubernetes types they embed (containers, volumes, pod fields), by wrapping those in a
synthetic Pod. A field the CRD gained after these lists were written is reported as unknown:
add it to the list after checking the CRD.

Needs PyYAML and kubernetes_validate, both in the venv check-deploy.sh creates (PyYAML comes
with yamllint and kubernetes-validate); everything else is the standard library.
"""

import argparse
import base64
import difflib
import json
import math
import os
import re
import shlex
import subprocess
import sys

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
K8S_VERSIONS = os.environ.get("K8S_VERSIONS", "1.30.0 1.37.0").split()

CRD_KINDS = {
    "ServiceMonitor": "monitoring.coreos.com/v1",
    "ServingRuntime": "serving.kserve.io/v1alpha1",
    "InferenceService": "serving.kserve.io/v1beta1",
}

# prometheus-operator pkg/apis/monitoring/v1/servicemonitor_types.go (ServiceMonitorSpec) and
# types.go (Endpoint).
SERVICEMONITOR_SPEC_KEYS = {
    "jobLabel", "targetLabels", "podTargetLabels", "endpoints", "selector",
    "selectorMechanism", "namespaceSelector", "sampleLimit", "scrapeProtocols",
    "fallbackScrapeProtocol", "targetLimit", "labelLimit", "labelNameLengthLimit",
    "labelValueLengthLimit", "scrapeClassicHistograms", "nativeHistogramBucketLimit",
    "nativeHistogramMinBucketFactor", "convertClassicHistogramsToNHCB", "keepDroppedTargets",
    "attachMetadata", "scrapeClass", "bodySizeLimit", "serviceDiscoveryRole",
}
SERVICEMONITOR_ENDPOINT_KEYS = {
    "port", "targetPort", "path", "scheme", "params", "interval", "scrapeTimeout",
    "tlsConfig", "bearerTokenFile", "bearerTokenSecret", "authorization", "honorLabels",
    "honorTimestamps", "trackTimestampsStaleness", "basicAuth", "oauth2", "metricRelabelings",
    "relabelings", "proxyUrl", "noProxy", "proxyFromEnvironment", "proxyConnectHeader",
    "followRedirects", "enableHttp2", "filterRunning",
}
PROM_DURATION = re.compile(
    r"^(0|(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?)$")

# KServe pkg/apis/serving/v1alpha1/servingruntime_types.go.
SERVINGRUNTIME_SPEC_KEYS = {
    "supportedModelFormats", "multiModel", "disabled", "protocolVersions", "workerSpec",
    "grpcEndpoint", "grpcDataEndpoint", "httpDataEndpoint", "replicas", "storageHelper",
    "builtInAdapter",
    # ServingRuntimePodSpec, inlined:
    "containers", "volumes", "nodeSelector", "affinity", "tolerations", "labels",
    "annotations", "imagePullSecrets", "hostIPC",
}
SERVINGRUNTIME_POD_KEYS = {"containers", "volumes", "nodeSelector", "affinity", "tolerations",
                           "imagePullSecrets", "hostIPC"}
MODEL_FORMAT_KEYS = {"name", "version", "autoSelect", "priority"}
KSERVE_PROTOCOLS = {"v1", "v2", "grpc-v1", "grpc-v2"}

# KServe pkg/apis/serving/v1beta1: component.go (ComponentExtensionSpec), predictor.go
# (PredictorSpec: implementations + inlined PodSpec), predictor_model.go (ModelSpec),
# PredictorExtensionSpec (storageUri, runtimeVersion, protocolVersion, storage + an inlined
# core Container).
ISVC_SPEC_KEYS = {"predictor", "explainer", "transformer"}
COMPONENT_EXTENSION_KEYS = {
    "minReplicas", "maxReplicas", "scaleTarget", "scaleMetric", "containerConcurrency",
    "timeout", "canaryTrafficPercent", "logger", "batcher", "labels", "annotations",
    "deploymentStrategy", "autoScaling",
}
PREDICTOR_IMPLEMENTATIONS = {
    "model", "sklearn", "xgboost", "tensorflow", "pytorch", "triton", "onnx", "huggingface",
    "pmml", "lightgbm", "paddle", "catboost",
}
PREDICTOR_EXTRA_KEYS = {"workerSpec"}
MODEL_SPEC_KEYS = {"modelFormat", "runtime", "storageUri", "storage", "protocolVersion",
                   "runtimeVersion"}
SCALE_METRICS = {"cpu", "memory", "concurrency", "rps"}
DEPLOYMENT_MODES = {"RawDeployment", "Standard", "Serverless", "Knative", "ModelMesh"}
DNS1123 = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")


class Problems:
    def __init__(self):
        self.errors = []
        self.checked = 0

    def ok(self, condition, where, message):
        self.checked += 1
        if not condition:
            self.errors.append(f"{where}: {message}")
        return condition

    def fail(self, where, message):
        self.ok(False, where, message)


def load_objects(paths):
    objects = []
    for path in paths:
        with open(path, encoding="utf-8") as f:
            for doc in yaml.safe_load_all(f):
                if doc:
                    objects.append((path, doc))
    return objects


def name_of(obj):
    return f"{obj.get('kind')}/{obj.get('metadata', {}).get('name')}"


# --------------------------------------------------------------------------------------------
# schemas


def kv_schema_properties(kind_file, version):
    """Property names of a core type, read from kubernetes-validate's bundled schemas."""
    import kubernetes_validate

    base = os.path.join(os.path.dirname(kubernetes_validate.__file__), "kubernetes-json-schema")
    with open(os.path.join(base, f"v{version}-local-strict", kind_file), encoding="utf-8") as f:
        return set(json.load(f)["properties"])


def validate_core(obj, where, problems):
    from kubernetes_validate import utils as kv

    for version in K8S_VERSIONS:
        try:
            kv.validate(obj, version, strict=True)
            problems.ok(True, where, "")
        except kv.SchemaNotFoundError:
            problems.fail(where, f"kubernetes-validate has no schema for {obj.get('apiVersion')} "
                                 f"{obj.get('kind')} (Kubernetes {version}) and it is not one of "
                                 f"the CRDs checked field by field ({', '.join(sorted(CRD_KINDS))})")
        except kv.ValidationError as e:
            path = ".".join(str(p) for p in e.path)
            problems.fail(where, f"Kubernetes {version} schema: {path}: {e.message}")


def synthetic_pod(name, pod_fields, where, problems):
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name}, "spec": pod_fields}
    validate_core(pod, where + " (embedded core fields, as a Pod)", problems)


def check_keys(mapping, allowed, where, problems):
    if not problems.ok(isinstance(mapping, dict), where, "must be a mapping"):
        return False
    unknown = sorted(set(mapping) - set(allowed))
    return problems.ok(not unknown, where, f"unknown field(s) {unknown} "
                                           "(not in the CRD field list of check-deploy.py)")


def check_metadata(obj, where, problems):
    meta = obj.get("metadata") or {}
    problems.ok(bool(DNS1123.match(str(meta.get("name", "")))), where,
                "metadata.name missing or not a DNS-1123 name")


def check_label_selector(selector, where, problems):
    if check_keys(selector, {"matchLabels", "matchExpressions"}, where, problems):
        problems.ok(bool(selector), where, "empty selector")


def check_servicemonitor(obj, where, problems):
    spec = obj.get("spec")
    if not check_keys(spec, SERVICEMONITOR_SPEC_KEYS, where + " spec", problems):
        return
    problems.ok("selector" in spec, where, "spec.selector is required")
    check_label_selector(spec.get("selector", {}), where + " spec.selector", problems)
    endpoints = spec.get("endpoints")
    if problems.ok(isinstance(endpoints, list) and endpoints, where, "spec.endpoints must be a "
                   "non-empty list (nothing is scraped otherwise)"):
        for i, ep in enumerate(endpoints):
            at = f"{where} spec.endpoints[{i}]"
            if check_keys(ep, SERVICEMONITOR_ENDPOINT_KEYS, at, problems):
                problems.ok("port" in ep or "targetPort" in ep, at, "needs port or targetPort")
                problems.ok(isinstance(ep.get("port", ""), str), at, "port must be a Service "
                            "port *name*")
                for key in ("interval", "scrapeTimeout"):
                    if key in ep:
                        problems.ok(bool(PROM_DURATION.match(str(ep[key]))), at,
                                    f"{key} {ep[key]!r} is not a Prometheus duration")
                problems.ok(ep.get("scheme", "http") in ("http", "https", "HTTP", "HTTPS"), at,
                            "scheme must be http or https")


def check_servingruntime(obj, where, problems):
    spec = obj.get("spec")
    if not check_keys(spec, SERVINGRUNTIME_SPEC_KEYS, where + " spec", problems):
        return
    containers = spec.get("containers")
    problems.ok(isinstance(containers, list) and containers, where,
                "spec.containers is required and must not be empty")
    for i, fmt in enumerate(spec.get("supportedModelFormats", [])):
        at = f"{where} spec.supportedModelFormats[{i}]"
        if check_keys(fmt, MODEL_FORMAT_KEYS, at, problems):
            problems.ok(isinstance(fmt.get("name"), str) and fmt["name"], at, "name is required")
            problems.ok(isinstance(fmt.get("version", ""), str), at, "version must be a string")
            problems.ok(isinstance(fmt.get("autoSelect", False), bool), at,
                        "autoSelect must be a boolean")
    protocols = spec.get("protocolVersions", [])
    problems.ok(isinstance(protocols, list) and set(protocols) <= KSERVE_PROTOCOLS, where,
                f"protocolVersions {protocols} must be among {sorted(KSERVE_PROTOCOLS)}")
    pod = {k: v for k, v in spec.items() if k in SERVINGRUNTIME_POD_KEYS}
    synthetic_pod(obj["metadata"]["name"], pod, where, problems)


def merged_kserve_container(runtime_container, model):
    """KServe merges predictor.model's inlined Container fields into the runtime's
    kserve-container (env merged by name, the rest overridden)."""
    container = json.loads(json.dumps(runtime_container))
    for key, value in model.items():
        if key in MODEL_SPEC_KEYS:
            continue
        if key == "env":
            env = {e["name"]: e for e in container.get("env", [])}
            env.update({e["name"]: e for e in value})
            container["env"] = list(env.values())
        else:
            container[key] = value
    return container


def check_inferenceservice(obj, where, problems, runtimes):
    from kubernetes_validate import utils as kv  # noqa: F401  (fail early if missing)

    container_keys = kv_schema_properties("container-v1.json", K8S_VERSIONS[-1])
    podspec_keys = kv_schema_properties("podspec-v1.json", K8S_VERSIONS[-1])
    mode = (obj.get("metadata", {}).get("annotations") or {}).get(
        "serving.kserve.io/deploymentMode")
    if mode is not None:
        problems.ok(mode in DEPLOYMENT_MODES, where,
                    f"deploymentMode {mode!r} not among {sorted(DEPLOYMENT_MODES)}")
    spec = obj.get("spec")
    if not check_keys(spec, ISVC_SPEC_KEYS, where + " spec", problems):
        return
    predictor = spec.get("predictor")
    if not problems.ok(isinstance(predictor, dict), where, "spec.predictor is required"):
        return
    allowed = podspec_keys | COMPONENT_EXTENSION_KEYS | PREDICTOR_IMPLEMENTATIONS | \
        PREDICTOR_EXTRA_KEYS
    if not check_keys(predictor, allowed, where + " spec.predictor", problems):
        return
    implementations = [k for k in PREDICTOR_IMPLEMENTATIONS if k in predictor]
    if predictor.get("containers"):
        implementations.append("containers")
    problems.ok(len(implementations) == 1, where, "spec.predictor needs exactly one of "
                f"model/containers/<framework>, has {implementations}")
    metric = predictor.get("scaleMetric")
    problems.ok(metric is None or metric in SCALE_METRICS, where,
                f"scaleMetric {metric!r} not among {sorted(SCALE_METRICS)}")
    lo, hi = predictor.get("minReplicas", 1), predictor.get("maxReplicas", 0)
    problems.ok(isinstance(lo, int) and isinstance(hi, int) and lo >= 0 and (hi == 0 or lo <= hi),
                where, "need 0 <= minReplicas <= maxReplicas")
    model = predictor.get("model")
    if model is None:
        return
    if not check_keys(model, MODEL_SPEC_KEYS | container_keys, where + " spec.predictor.model",
                      problems):
        return
    fmt = model.get("modelFormat")
    if check_keys(fmt, {"name", "version"}, where + " spec.predictor.model.modelFormat",
                  problems):
        problems.ok(bool(fmt.get("name")), where, "modelFormat.name is required")
    protocol = model.get("protocolVersion", "v1")
    problems.ok(protocol in KSERVE_PROTOCOLS, where, f"protocolVersion {protocol!r} unknown")
    runtime_name = model.get("runtime")
    runtime = runtimes.get(runtime_name)
    if runtime_name is not None and runtime is None:
        problems.fail(where, f"runtime {runtime_name!r} is not among the rendered "
                             f"ServingRuntimes {sorted(runtimes)}")
    pod = {k: v for k, v in predictor.items() if k in podspec_keys}
    if runtime is not None:
        rspec = runtime["spec"]
        formats = {f.get("name"): f for f in rspec.get("supportedModelFormats", [])}
        problems.ok(fmt.get("name") in formats, where,
                    f"runtime {runtime_name} does not list model format {fmt.get('name')!r}")
        if fmt.get("name") in formats and "version" in fmt:
            problems.ok(formats[fmt["name"]].get("version") == fmt["version"], where,
                        "modelFormat.version differs from the runtime's supported version")
        protocols = rspec.get("protocolVersions")
        problems.ok(not protocols or protocol in protocols, where,
                    f"protocol {protocol} not supported by runtime ({protocols})")
        containers = [merged_kserve_container(c, model) if c.get("name") == "kserve-container"
                      else c for c in rspec.get("containers", [])]
        problems.ok(any(c.get("name") == "kserve-container" for c in containers), where,
                    "the runtime has no container named kserve-container to merge the model into")
        pod.update({k: v for k, v in rspec.items() if k in SERVINGRUNTIME_POD_KEYS})
        pod["containers"] = containers
    else:
        pod["containers"] = [merged_kserve_container({"name": "kserve-container",
                                                      "image": "unknown"}, model)]
    synthetic_pod(obj["metadata"]["name"] + "-predictor", pod, where, problems)


def cmd_schemas(paths):
    problems = Problems()
    objects = load_objects(paths)
    runtimes = {o["metadata"]["name"]: o for _, o in objects if o.get("kind") == "ServingRuntime"}
    counts = {}
    for path, obj in objects:
        where = f"{os.path.basename(path)}: {name_of(obj)}"
        kind = obj.get("kind")
        counts[kind] = counts.get(kind, 0) + 1
        if kind in CRD_KINDS:
            problems.ok(obj.get("apiVersion") == CRD_KINDS[kind], where,
                        f"apiVersion must be {CRD_KINDS[kind]}")
            check_metadata(obj, where, problems)
            if kind == "ServiceMonitor":
                check_servicemonitor(obj, where, problems)
            elif kind == "ServingRuntime":
                check_servingruntime(obj, where, problems)
            else:
                check_inferenceservice(obj, where, problems, runtimes)
        else:
            validate_core(obj, where, problems)
    summary = ", ".join(f"{n} {k}" for k, n in sorted(counts.items()))
    return report("schemas", problems, f"{len(objects)} objects ({summary}); Kubernetes "
                  f"{' and '.join(K8S_VERSIONS)}; CRDs by field checks of its own")


# --------------------------------------------------------------------------------------------
# binary


class Binary:
    """What the textserve binary really accepts, from its own --help and openapi output."""

    def __init__(self, path):
        self.path = path
        top = run([path, "--help"])
        self.subcommands = set(re.findall(r"^  ([a-z][a-z0-9-]*)\s{2,}", top.split("Commands:")[1]
                                          .split("Options:")[0], re.M))
        serve = run([path, "serve", "--help"])
        self.flags = {}      # --flag -> {"env": ..., "default": ..., "value": bool}
        self.env = {}        # TEXTSERVE_X -> --flag
        blocks = re.split(r"\n(?=\s{2,}(?:-\w, )?--[a-z])", serve)
        for block in blocks[1:]:
            head = re.match(r"\s+(?:-(\w), )?(--[a-z0-9-]+)(?: <([A-Z_]+)>)?", block)
            if not head:
                continue
            flag = head.group(2)
            env = re.search(r"\[env: (TEXTSERVE_[A-Z0-9_]+)", block)
            default = re.search(r"\[default: ([^\]]*)\]", block)
            self.flags[flag] = {"env": env.group(1) if env else None,
                                "default": default.group(1) if default else None,
                                "value": head.group(3) is not None}
            if head.group(1):
                self.flags["-" + head.group(1)] = self.flags[flag]
            if env:
                self.env[env.group(1)] = flag
        if not self.env or "--port" not in self.flags:
            raise SystemExit(f"could not read flags/env vars from `{path} serve --help`")
        health = run([path, "healthcheck", "--help"])
        # The health check's own variables (TEXTSERVE_TLS_CA, ...) sit beside serve's in a
        # container's env; its flags are what an exec probe may pass.
        self.healthcheck_env = set(re.findall(r"\[env: (TEXTSERVE_[A-Z0-9_]+)", health))
        self.healthcheck_flags = set(re.findall(r"^\s+(?:-\w, )?(--[a-z0-9-]+)", health, re.M))
        spec = json.loads(run([path, "openapi"]))
        self.paths = set(spec["paths"])
        self.path_patterns = [re.compile("^" + re.sub(r"\\\{[^}]*\\\}", "[^/]+", re.escape(p))
                                         + "$") for p in self.paths]
        with open(path, "rb") as f:
            self.blob = f.read()

    def has_path(self, path):
        return any(p.match(path.split("?")[0]) for p in self.path_patterns)

    def default(self, flag):
        return self.flags[flag]["default"]


def run(argv, env=None):
    out = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=60)
    if out.returncode != 0:
        raise SystemExit(f"`{' '.join(argv)}` failed ({out.returncode}): {out.stderr.strip()}")
    return out.stdout


class Image:
    """The runtime stage of the Dockerfile: base image, user, ENV, ENTRYPOINT, HEALTHCHECK."""

    def __init__(self, path):
        with open(path, encoding="utf-8") as f:
            text = f.read()
        text = re.sub(r"\\\n", " ", text)
        # Base images are build arguments; their defaults are the public images.
        args = dict(re.findall(r"^ARG (\w+)=(\S+)", text, re.M))
        stage = re.split(r"^FROM\s", text, flags=re.M)[-1]
        self.base = re.sub(r"\$\{(\w+)\}", lambda m: args.get(m.group(1), m.group(0)),
                           stage.split()[0])
        self.env = {}
        for line in stage.splitlines():
            if line.startswith("ENV "):
                for key, value in re.findall(r"(\w+)=(\S+)", line):
                    self.env[key] = value
        uid = re.search(r"--uid (\d+)", stage)
        self.uid = int(uid.group(1)) if uid else None
        entry = re.search(r"^ENTRYPOINT (\[.*\])", stage, re.M)
        self.entrypoint = json.loads(entry.group(1)) if entry else None
        cmd = re.search(r"^CMD (\[.*\])", stage, re.M)
        self.cmd = json.loads(cmd.group(1)) if cmd else None
        self.healthcheck = re.search(r"^HEALTHCHECK .*", stage, re.M)
        self.healthcheck = self.healthcheck.group(0) if self.healthcheck else ""
        self.model_copy = re.search(r"^COPY models/ (\S+)", stage, re.M)

    def has_coreutils(self):
        # Debian and Ubuntu images always carry coreutils (an Essential package): /bin/sleep.
        return bool(re.match(r"^(docker\.io/(library/)?)?(debian|ubuntu)[:@]", self.base))


QUANTITY_SUFFIXES = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "m": 1e-3, "k": 1e3,
                     "M": 1e6, "G": 1e9, "T": 1e12, "": 1}


def quantity(value):
    """A Kubernetes resource quantity ("2", "1500m", "512Mi", "1G") as a number."""
    m = re.fullmatch(r"([0-9.]+)([A-Za-z]*)", str(value))
    if not m or m.group(2) not in QUANTITY_SUFFIXES:
        raise ValueError(f"not a quantity: {value!r}")
    return float(m.group(1)) * QUANTITY_SUFFIXES[m.group(2)]


def cpu_cores(value):
    return quantity(value)


def env_value(entry):
    if "value" in entry:
        return str(entry["value"])
    return None


def sleep_seconds(pre_stop, image, where, problems):
    if "sleep" in pre_stop:
        return int(pre_stop["sleep"]["seconds"])
    command = (pre_stop.get("exec") or {}).get("command") or []
    if command and os.path.basename(command[0]) == "sleep":
        problems.ok(image.has_coreutils(), where, f"preStop runs `sleep` but the image's runtime "
                    f"stage is {image.base}, not known to ship it: use lifecycle.preStop.sleep")
        problems.ok(len(command) == 2 and command[1].isdigit(), where,
                    f"preStop command {command} should be [sleep, SECONDS]")
        return int(command[1]) if len(command) == 2 and command[1].isdigit() else 0
    problems.ok(not command or command[0].startswith("/app/bin/"), where,
                f"preStop runs {command[0]!r}: the image has no shell and only coreutils besides "
                "/app/bin/textserve")
    return 0


def check_textserve_container(container, pod, where, binary, image, problems, repo_models):
    """The container runs `textserve serve`: args, env, ports, probes, drain, security."""
    name = container.get("name")
    where = f"{where} container {name}"
    # command / args
    if "command" in container:
        problems.ok(container["command"] == image.entrypoint, where,
                    f"command {container['command']} is not the image ENTRYPOINT "
                    f"{image.entrypoint}")
    args = container.get("args", image.cmd or [])
    problems.ok(bool(args) and args[0] in binary.subcommands, where,
                f"args {args}: first must be a textserve subcommand ({sorted(binary.subcommands)})")
    problems.ok(bool(args) and args[0] == "serve", where, "a server container must run `serve`")
    settings = {}   # --flag -> value (strings), built up: defaults < image ENV < env < args
    for flag, info in binary.flags.items():
        if flag.startswith("--") and info["default"] is not None:
            settings[flag] = info["default"]
    for key, value in image.env.items():
        if key in binary.env:
            settings[binary.env[key]] = value
    # env
    seen = set()
    explicit = set()
    health_env = {}  # the health check's variables: TEXTSERVE_TLS_CA, ...
    for entry in container.get("env", []):
        key = entry["name"]
        problems.ok(key not in seen, where, f"env {key} set twice")
        seen.add(key)
        if key in binary.healthcheck_env and key not in binary.env:
            health_env[key] = env_value(entry)
            continue
        if key not in binary.env:
            near = difflib.get_close_matches(key.upper(), binary.env, n=1, cutoff=0.8)
            problems.ok("TEXTSERV" not in key.upper() and not near, where,
                        f"env {key} is not an environment variable of `textserve serve`"
                        + (f" (did you mean {near[0]}?)" if near else
                           f" (it has {sorted(binary.env)})"))
            continue
        value = env_value(entry)
        settings[binary.env[key]] = value if value is not None else entry["valueFrom"]
        explicit.add(binary.env[key])
    # flags in args
    i = 1
    while i < len(args):
        token = str(args[i])
        if token.startswith("-"):
            flag, eq, value = token.partition("=")
            if problems.ok(flag in binary.flags, where, f"arg {flag} is not a flag of "
                           "`textserve serve`"):
                if binary.flags[flag]["value"] and not eq:
                    i += 1
                    value = str(args[i]) if i < len(args) else None
                    problems.ok(value is not None, where, f"flag {flag} needs a value")
                long = next(f for f, v in binary.flags.items()
                            if v is binary.flags[flag] and f.startswith("--"))
                settings[long] = value if binary.flags[flag]["value"] else "true"
                explicit.add(long)
        else:
            problems.fail(where, f"unexpected positional argument {token!r} after serve")
        i += 1

    # host and keys
    host = settings.get("--host")
    problems.ok(host in ("0.0.0.0", "::"), where, f"host {host!r}: must bind 0.0.0.0 so the "
                "kubelet, the Service and Prometheus reach the pod IP")
    keys = settings.get("--api-key")
    key_file = settings.get("--api-key-file")
    unauthenticated = settings.get("--allow-unauthenticated") not in (None, "false")
    tls = settings.get("--tls-cert") is not None
    mutual_tls = tls and settings.get("--tls-client-ca") is not None
    problems.ok(keys is not None or key_file is not None or unauthenticated
                or settings.get("--api-keys-file") is not None or mutual_tls, where,
                "no API keys: textserve refuses to start on a non-loopback address without "
                "TEXTSERVE_API_KEYS / TEXTSERVE_API_KEY_FILE / TEXTSERVE_API_KEYS_FILE or "
                "client certificates (TEXTSERVE_TLS_CLIENT_CA)")
    problems.ok((settings.get("--tls-cert") is None) == (settings.get("--tls-key") is None),
                where, "TEXTSERVE_TLS_CERT and TEXTSERVE_TLS_KEY go together")

    # secrets on disk: certificates, keys and key files come from read-only Secret (or, for
    # public material, ConfigMap) volumes, never from the image or a writable path
    mounts = []
    volumes = {v.get("name"): v for v in pod.get("volumes", [])}
    for m in container.get("volumeMounts", []):
        mounts.append((m.get("mountPath", "").rstrip("/") + "/", m, volumes.get(m.get("name"))))
    files = {flag: settings.get(flag) for flag in
             ("--tls-cert", "--tls-key", "--tls-client-ca", "--api-keys-file",
              "--api-key-file", "--trusted-model-keys")}
    files.update({key: value for key, value in health_env.items()
                  if key in ("TEXTSERVE_TLS_CA", "TEXTSERVE_HEALTHCHECK_CERT",
                             "TEXTSERVE_HEALTHCHECK_KEY")})
    for what, value in files.items():
        if not isinstance(value, str):
            continue
        mount = next((m for m in mounts if (value.rstrip("/") + "/").startswith(m[0])), None)
        if not problems.ok(mount is not None, where, f"{what} {value} is not on a mounted "
                           "volume (a Secret, read-only)"):
            continue
        _, m, volume = mount
        private = what in ("--tls-key", "--api-keys-file", "--api-key-file",
                           "TEXTSERVE_HEALTHCHECK_KEY")
        kinds = ("secret",) if private else ("secret", "configMap")
        problems.ok(volume is not None and any(k in volume for k in kinds), where,
                    f"{what} {value}: its volume {m.get('name')!r} is not a "
                    + " or ".join(kinds))
        problems.ok(m.get("readOnly") is True, where,
                    f"{what} {value}: mount {m.get('name')!r} must be readOnly")
    problems.ok(not unauthenticated, where, "allow-unauthenticated must not be set in a manifest")
    problems.ok(not isinstance(keys, str), where, "TEXTSERVE_API_KEYS must come from a Secret "
                "(valueFrom.secretKeyRef), never a literal value")
    if isinstance(keys, dict):
        problems.ok("secretKeyRef" in keys, where, "TEXTSERVE_API_KEYS must use secretKeyRef")

    # model directory: in the image, copied from the repository's models/
    model = settings.get("--model")
    if isinstance(model, str) and image.model_copy:
        prefix = image.model_copy.group(1).rstrip("/") + "/"
        if model.startswith(prefix):
            sub = model[len(prefix):].strip("/")
            problems.ok(sub.split("/")[0] in repo_models, where,
                        f"model {model}: models/{sub} is not in the repository (the image "
                        f"copies models/ to {prefix})")

    # port, container ports, probes
    try:
        port = int(settings.get("--port"))
    except (TypeError, ValueError):
        problems.fail(where, f"port {settings.get('--port')!r} is not a number")
        return None
    ports = container.get("ports", [])
    problems.ok(bool(ports), where, "declares no containerPort")
    named = {}
    for p in ports:
        problems.ok(p.get("containerPort") == port, where,
                    f"containerPort {p.get('containerPort')} but textserve listens on {port}")
        if "name" in p:
            named[p["name"]] = p["containerPort"]

    def probe_port(value):
        return named.get(value) if isinstance(value, str) else value

    expected_paths = {"startupProbe": "/health/ready", "readinessProbe": "/health/ready",
                      "livenessProbe": "/health/live"}
    for probe_name, expected in expected_paths.items():
        probe = container.get(probe_name)
        if not problems.ok(probe is not None, where, f"no {probe_name}"):
            continue
        if "exec" in probe:
            check_healthcheck_probe(probe_name, probe["exec"].get("command") or [], expected,
                                    health_env, tls, mutual_tls, binary, image, where, problems)
            continue
        get = probe.get("httpGet")
        if not problems.ok(get is not None, where, f"{probe_name} must be an httpGet probe "
                           "or run `textserve healthcheck`"):
            continue
        problems.ok(not mutual_tls, where, f"{probe_name}: the kubelet's httpGet presents no "
                    "client certificate, so under mutual TLS it can never pass; run "
                    "`textserve healthcheck` with TEXTSERVE_HEALTHCHECK_CERT/_KEY instead")
        problems.ok((get.get("scheme", "HTTP") == "HTTPS") == tls, where,
                    f"{probe_name} scheme {get.get('scheme', 'HTTP')} but the server speaks "
                    + ("HTTPS" if tls else "plain HTTP"))
        problems.ok(probe_port(get.get("port")) == port, where,
                    f"{probe_name} port {get.get('port')} does not reach port {port}")
        problems.ok(binary.has_path(get.get("path", "/")), where,
                    f"{probe_name} path {get.get('path')} is not a route of the server "
                    f"({sorted(binary.paths)})")
        problems.ok(get.get("path") == expected, where,
                    f"{probe_name} should use {expected}, not {get.get('path')}")

    # workers x threads = CPU limit
    limit = ((container.get("resources") or {}).get("limits") or {}).get("cpu")
    if problems.ok(limit is not None, where, "no CPU limit (workers default to every core of "
                   "the node)"):
        cores = math.ceil(cpu_cores(limit))
        for flag in ("--workers", "--threads"):
            problems.ok(flag in explicit, where, f"{flag} / {binary.flags[flag]['env']} not set: "
                        "the default follows the cores the process sees, set it to match the "
                        "CPU limit explicitly")
        workers = settings.get("--workers")
        threads = settings.get("--threads")
        if isinstance(workers, dict):
            ref = workers.get("resourceFieldRef") or {}
            problems.ok(ref.get("resource") == "limits.cpu"
                        and str(ref.get("divisor", "1")) == "1"
                        and ref.get("containerName", name) == name, where,
                        "TEXTSERVE_WORKERS must come from this container's limits.cpu, "
                        "divisor 1")
            workers = cores
        try:
            workers, threads = int(workers), int(threads)
            problems.ok(workers * threads == cores, where, f"{workers} workers x {threads} "
                        f"threads do not match the CPU limit {limit} ({cores} cores)")
        except (TypeError, ValueError):
            problems.fail(where, f"workers {workers!r} / threads {threads!r} are not numbers")
        resources = container.get("resources") or {}
        for key in ("requests", "limits"):
            problems.ok("memory" in (resources.get(key) or {}), where, f"no memory {key}")
        for res in ("cpu", "memory"):
            req = (resources.get("requests") or {}).get(res)
            lim = (resources.get("limits") or {}).get(res)
            if req is not None and lim is not None:
                problems.ok(quantity(req) <= quantity(lim), where,
                            f"{res} request {req} exceeds its limit {lim}")

    # drain: terminationGracePeriodSeconds >= preStop + shutdown grace + margin
    pre_stop = (container.get("lifecycle") or {}).get("preStop")
    if problems.ok(pre_stop is not None, where, "no preStop hook (endpoints may still route to "
                   "the pod when SIGTERM arrives)"):
        sleep = sleep_seconds(pre_stop, image, where, problems)
        grace = int(settings.get("--shutdown-grace"))
        tgps = pod.get("terminationGracePeriodSeconds", 30)
        problems.ok(tgps >= sleep + grace + 1, where,
                    f"terminationGracePeriodSeconds {tgps} < preStop {sleep} s + shutdown grace "
                    f"{grace} s + 1 s margin: in-flight requests would be SIGKILLed")

    # security
    sc = dict(pod.get("securityContext") or {})
    csc = container.get("securityContext") or {}
    sc.update(csc)
    problems.ok(sc.get("runAsNonRoot") is True, where, "runAsNonRoot must be true")
    problems.ok(sc.get("runAsUser") == image.uid, where,
                f"runAsUser {sc.get('runAsUser')} is not the image's user {image.uid}")
    problems.ok(csc.get("readOnlyRootFilesystem") is True, where,
                "readOnlyRootFilesystem must be true")
    problems.ok(csc.get("allowPrivilegeEscalation") is False, where,
                "allowPrivilegeEscalation must be false")
    problems.ok("ALL" in ((csc.get("capabilities") or {}).get("drop") or []), where,
                "capabilities must drop ALL")
    problems.ok((sc.get("seccompProfile") or {}).get("type") == "RuntimeDefault", where,
                "seccompProfile must be RuntimeDefault")
    problems.ok(pod.get("enableServiceLinks") is False, where, "enableServiceLinks must be "
                "false: a Service named textserve would inject TEXTSERVE_PORT=tcp://...")
    return port, named, tls, mutual_tls


def check_healthcheck_probe(probe_name, command, expected, health_env, tls, mutual_tls,
                            binary, image, where, problems):
    """An exec probe: `textserve healthcheck` with flags it has, asking the route the probe is
    for, with the TLS settings the server needs."""
    argv = [str(a) for a in command]
    entry = image.entrypoint[0] if image.entrypoint else "/app/bin/textserve"
    if not problems.ok(len(argv) >= 2 and argv[0] == entry and argv[1] == "healthcheck", where,
                       f"{probe_name} exec {argv} does not run `{entry} healthcheck`"):
        return
    for token in argv[2:]:
        if token.startswith("-"):
            problems.ok(token.partition("=")[0] in binary.healthcheck_flags, where,
                        f"{probe_name}: {token} is not a flag of `textserve healthcheck`")
    live = "--live" in argv
    problems.ok(live == (expected == "/health/live"), where,
                f"{probe_name} should ask {expected}" + (" (add --live)" if not live else
                                                         " (drop --live)"))
    if tls:
        problems.ok("TEXTSERVE_TLS_CA" in health_env, where, f"{probe_name}: the server speaks "
                    "TLS, so the health check needs TEXTSERVE_TLS_CA")
    if mutual_tls:
        problems.ok({"TEXTSERVE_HEALTHCHECK_CERT", "TEXTSERVE_HEALTHCHECK_KEY"} <= set(health_env),
                    where, f"{probe_name}: under mutual TLS the health check needs a client "
                    "certificate (TEXTSERVE_HEALTHCHECK_CERT, TEXTSERVE_HEALTHCHECK_KEY)")


def labels_match(selector, labels):
    return bool(selector) and all(labels.get(k) == v for k, v in selector.items())


def check_secret_placeholders(objects, binary, problems):
    """A committed Secret must not hold a key textserve would accept. Asks the binary: a
    placeholder it rejects makes `serve` exit non-zero before binding anything, naming the key
    by position only (the value must not appear in the error)."""
    for path, obj in objects:
        if obj.get("kind") != "Secret":
            continue
        where = f"{os.path.basename(path)}: {name_of(obj)}"
        values = {k: base64.b64decode(v).decode() for k, v in (obj.get("data") or {}).items()}
        values.update(obj.get("stringData") or {})
        for key, value in values.items():
            env = {k: v for k, v in os.environ.items() if not k.startswith("TEXTSERVE_")}
            env["TEXTSERVE_API_KEYS"] = value
            try:
                out = subprocess.run([binary.path, "serve", "--host", "127.0.0.1", "--port", "0",
                                      "--model", "/nonexistent/check-deploy"], env=env,
                                     capture_output=True, text=True, timeout=20)
                rejected = (out.returncode != 0
                            and "of --api-key / TEXTSERVE_API_KEYS" in out.stderr
                            and value.strip() not in out.stderr)
            except subprocess.TimeoutExpired:
                rejected = False
            problems.ok(rejected, where, f"data.{key} is a key textserve accepts: a committed "
                        "example Secret must hold a placeholder the server refuses")


def cmd_binary(paths, bin_path, compose_path, dockerfile, compose_overrides=()):
    problems = Problems()
    binary = Binary(bin_path)
    image = Image(dockerfile)
    repo_models = set(os.listdir(os.path.join(ROOT, "models")))
    objects = load_objects(paths)

    # the image itself
    for key in image.env:
        if "TEXTSERV" in key:
            problems.ok(key in binary.env, "Dockerfile", f"ENV {key} is not a textserve variable")
    problems.ok(image.cmd and image.cmd[0] in binary.subcommands, "Dockerfile",
                f"CMD {image.cmd} is not a textserve subcommand")
    health_cmd = re.search(r"CMD (\[.*\])", image.healthcheck)
    if health_cmd:
        argv = json.loads(health_cmd.group(1))
        if argv and argv[0].endswith("/textserve"):
            problems.ok(len(argv) > 1 and argv[1] in binary.subcommands, "Dockerfile",
                        f"HEALTHCHECK {argv} is not a textserve subcommand")
    for url in re.findall(r"https?://[^\s\"']+", image.healthcheck):
        m = re.match(r"https?://[^/:]+:(\d+)(/\S*)", url)
        problems.ok(bool(m) and m.group(1) == image.env.get("TEXTSERVE_PORT")
                    and binary.has_path(m.group(2)), "Dockerfile",
                    f"HEALTHCHECK {url} is not a route on the configured port")

    # Kubernetes objects, rendered (and KServe: runtime container merged with the predictor)
    runtimes = {o["metadata"]["name"]: o for _, o in objects if o.get("kind") == "ServingRuntime"}
    pods = []   # (file, labels, named ports, port)
    for path, obj in objects:
        where = f"{os.path.basename(path)}: {name_of(obj)}"
        kind = obj.get("kind")
        if kind in ("Deployment", "StatefulSet", "DaemonSet"):
            tmpl = obj["spec"]["template"]
            for c in tmpl["spec"]["containers"]:
                result = check_textserve_container(c, tmpl["spec"], where, binary, image,
                                                   problems, repo_models)
                if result:
                    pods.append((path, tmpl["metadata"].get("labels", {}), result[1], result[0],
                                 result[2], result[3]))
        elif kind == "InferenceService":
            predictor = obj["spec"]["predictor"]
            model = predictor.get("model") or {}
            runtime = runtimes.get(model.get("runtime"))
            if not problems.ok(runtime is not None, where, "its ServingRuntime is not rendered"):
                continue
            for c in runtime["spec"]["containers"]:
                if c.get("name") == "kserve-container":
                    c = merged_kserve_container(c, model)
                check_textserve_container(c, predictor, where, binary, image, problems,
                                          repo_models)
        elif kind == "HorizontalPodAutoscaler":
            ref = obj["spec"]["scaleTargetRef"]
            problems.ok(any(o.get("kind") == ref["kind"] and o["metadata"]["name"] == ref["name"]
                            for p, o in objects if p == path), where,
                        f"scaleTargetRef {ref['kind']}/{ref['name']} is not rendered alongside")
            for m in obj["spec"].get("metrics", []):
                metric = ((m.get(m["type"].lower()) or {}).get("metric") or {}).get("name", "")
                if metric.startswith("textserve_"):
                    problems.ok(metric.encode() in binary.blob, where, f"metric {metric} does "
                                "not occur in the binary (not a metric textserve exports)")
    problems.ok(bool(pods) or any(o.get("kind") == "InferenceService" for _, o in objects),
                "manifests", "no textserve container found")

    for path, obj in objects:
        where = f"{os.path.basename(path)}: {name_of(obj)}"
        kind = obj.get("kind")
        same_file = [p for p in pods if p[0] == path]
        if kind == "Service":
            selected = [p for p in same_file if labels_match(obj["spec"].get("selector"), p[1])]
            if not problems.ok(bool(selected), where, "selects no textserve pod"):
                continue
            http = [p for p in obj["spec"]["ports"] if p.get("name") == "http"]
            problems.ok(bool(http) and http[0].get("port") == 80, where,
                        "needs a port named http on 80")
            for sp in obj["spec"]["ports"]:
                target = sp.get("targetPort", sp.get("port"))
                for _, _, named, port, *_ in selected:
                    resolved = named.get(target) if isinstance(target, str) else target
                    problems.ok(resolved == port, where, f"port {sp.get('port')} targets "
                                f"{target!r}, which is not textserve's port {port}")
        elif kind == "ServiceMonitor":
            services = [o for p, o in objects if p == path and o.get("kind") == "Service"
                        and labels_match(obj["spec"]["selector"].get("matchLabels"),
                                         o["metadata"].get("labels", {}))]
            if not problems.ok(bool(services), where, "selects no rendered Service"):
                continue
            names = {sp.get("name") for s in services for sp in s["spec"]["ports"]}
            scraped = [p for p in same_file if any(labels_match(s["spec"].get("selector"), p[1])
                                                   for s in services)]
            tls = any(p[4] for p in scraped)
            mutual_tls = any(p[5] for p in scraped)
            for ep in obj["spec"]["endpoints"]:
                scheme = str(ep.get("scheme", "http")).lower()
                problems.ok((scheme == "https") == tls, where, f"scheme {scheme} but the pods "
                            "speak " + ("HTTPS" if tls else "plain HTTP"))
                tls_config = ep.get("tlsConfig") or {}
                if tls:
                    problems.ok("ca" in tls_config, where, "HTTPS scrape without tlsConfig.ca: "
                                "Prometheus cannot verify the pods' certificate")
                if mutual_tls:
                    problems.ok("cert" in tls_config and "keySecret" in tls_config, where,
                                "the pods require client certificates: tlsConfig needs cert "
                                "and keySecret")
                problems.ok(ep.get("port") in names, where, f"endpoint port {ep.get('port')!r} "
                            f"is not a port name of the Service ({sorted(names)})")
                problems.ok(ep.get("path", "/metrics") == "/metrics"
                            and binary.has_path(ep.get("path", "/metrics")), where,
                            f"scrape path {ep.get('path')} is not the server's /metrics")
        elif kind == "NetworkPolicy":
            selected = [p for p in same_file
                        if labels_match(obj["spec"]["podSelector"].get("matchLabels"), p[1])]
            if not problems.ok(bool(selected), where, "selects no textserve pod"):
                continue
            for rule in obj["spec"].get("ingress", []):
                for rp in rule.get("ports", []):
                    for _, _, named, port, *_ in selected:
                        value = rp.get("port")
                        resolved = named.get(value) if isinstance(value, str) else value
                        problems.ok(resolved == port, where, f"ingress port {value!r} is not "
                                    f"textserve's port {port}")
        elif kind == "PodDisruptionBudget":
            problems.ok(any(labels_match(obj["spec"]["selector"].get("matchLabels"), p[1])
                            for p in same_file), where, "selects no textserve pod")
    check_secret_placeholders(objects, binary, problems)

    # docker-compose.yml, alone and with each override beside it
    if compose_path:
        check_compose([compose_path], binary, image, problems)
        for override in compose_overrides:
            check_compose([compose_path, override], binary, image, problems)
    return report("binary", problems, f"{bin_path}: {len(binary.env)} env vars, "
                  f"{len([f for f in binary.flags if f.startswith('--')])} flags, "
                  f"{len(binary.paths)} routes")


def compose_env(spec):
    env = spec.get("environment") or {}
    if isinstance(env, list):
        env = dict(e.split("=", 1) if "=" in e else (e, None) for e in env)
    return env


def merged_compose(paths):
    """The files as `docker compose -f a -f b` merges them, for what is checked here: a later
    file's environment entries, secrets and volumes (by target) add to or replace the
    earlier ones'; its other keys replace them."""
    merged = {"services": {}, "secrets": {}}
    for path in paths:
        with open(path, encoding="utf-8") as f:
            compose = yaml.safe_load(f) or {}
        merged["secrets"].update(compose.get("secrets") or {})
        for service, spec in (compose.get("services") or {}).items():
            into = merged["services"].setdefault(service, {})
            for key, value in spec.items():
                if key == "environment":
                    env = compose_env(into)
                    env.update(compose_env(spec))
                    into["environment"] = env
                elif key == "secrets":
                    into["secrets"] = list(dict.fromkeys((into.get("secrets") or []) + value))
                elif key == "volumes":
                    targets = {str(v).split(":")[1]: v for v in into.get("volumes") or []}
                    targets.update({str(v).split(":")[1]: v for v in value})
                    into["volumes"] = list(targets.values())
                else:
                    into[key] = value
    return merged


def check_compose(paths, binary, image, problems):
    compose = merged_compose(paths)
    label = " + ".join(os.path.basename(p) for p in paths)
    for service, spec in (compose.get("services") or {}).items():
        where = f"{label}: services.{service}"
        is_textserve = "build" in spec or "textserve" in str(spec.get("image", ""))
        env = compose_env(spec)
        for key in env:
            known = key in binary.env or key in binary.healthcheck_env
            near = difflib.get_close_matches(key.upper(), binary.env, n=1, cutoff=0.8)
            problems.ok(known or ("TEXTSERV" not in key.upper() and not near), where,
                        f"environment {key} is not an environment variable of `textserve serve`"
                        " or `textserve healthcheck`")
        # Secrets a service names exist at the top level; files it reads from /run/secrets
        # are secrets it was given.
        given = set(spec.get("secrets") or [])
        for name in given:
            problems.ok(name in compose["secrets"], where, f"secret {name} is not defined")
        for key, value in env.items():
            if isinstance(value, str) and value.startswith("/run/secrets/"):
                problems.ok(value[len("/run/secrets/"):] in given, where,
                            f"{key} reads {value}, a secret this service is not given")
        if not is_textserve:
            continue
        if "TEXTSERVE_TLS_CERT" in env:
            problems.ok("TEXTSERVE_TLS_KEY" in env, where, "TLS certificate without its key")
            problems.ok("TEXTSERVE_TLS_CA" in env, where, "the server speaks TLS: its health "
                        "check needs TEXTSERVE_TLS_CA")
        if "TEXTSERVE_TLS_CLIENT_CA" in env:
            problems.ok({"TEXTSERVE_HEALTHCHECK_CERT", "TEXTSERVE_HEALTHCHECK_KEY"} <= set(env),
                        where, "under mutual TLS the health check needs a client certificate "
                        "(TEXTSERVE_HEALTHCHECK_CERT, TEXTSERVE_HEALTHCHECK_KEY)")
        settings = dict(image.env)
        settings.update({k: str(v) for k, v in env.items() if v is not None})
        port = settings.get("TEXTSERVE_PORT", binary.default("--port"))
        command = spec.get("command", image.cmd)
        if isinstance(command, str):
            command = shlex.split(command)
        problems.ok(bool(command) and command[0] == "serve", where,
                    f"command {command} does not run `serve`")
        for token in command[1:]:
            if token.startswith("-"):
                problems.ok(token.partition("=")[0] in binary.flags, where,
                            f"command flag {token} is not a flag of `textserve serve`")
        test = (spec.get("healthcheck") or {}).get("test", [])
        argv = [str(t) for t in test] if isinstance(test, list) else shlex.split(str(test))
        for i, token in enumerate(argv[:-1]):
            if token.endswith("/textserve"):
                problems.ok(argv[i + 1] in binary.subcommands, where,
                            f"healthcheck {argv[i:]} is not a textserve subcommand")
        for url in re.findall(r"https?://[^\s\"']+", " ".join(map(str, test))):
            m = re.match(r"https?://[^/:]+:(\d+)(/\S*)", url)
            problems.ok(bool(m) and m.group(1) == str(port), where,
                        f"healthcheck {url} is not on textserve's port {port}")
            problems.ok(bool(m) and binary.has_path(m.group(2)), where,
                        f"healthcheck path in {url} is not a route of the server")
        grace = int(settings.get("TEXTSERVE_SHUTDOWN_GRACE", binary.default("--shutdown-grace")))
        stop = str(spec.get("stop_grace_period", "10s"))
        m = re.fullmatch(r"(?:(\d+)m)?(?:(\d+)s)?", stop)
        seconds = int(m.group(1) or 0) * 60 + int(m.group(2) or 0) if m else 0
        problems.ok(seconds > grace, where, f"stop_grace_period {stop} does not exceed the "
                    f"shutdown grace {grace} s")
        tls = "TEXTSERVE_TLS_CERT" in env
        for other, other_spec in compose["services"].items():
            for volume in other_spec.get("volumes") or []:
                source = str(volume).split(":")[0]
                if not source.endswith(".conf") or "nginx" not in source:
                    continue
                nginx = os.path.join(ROOT, source)
                if not problems.ok(os.path.exists(nginx), f"{label}: services.{other}",
                                   f"{source} does not exist"):
                    continue
                with open(nginx, encoding="utf-8") as f:
                    conf = f.read()
                for up in re.findall(rf"\b{re.escape(service)}:(\d+)", conf):
                    problems.ok(up == str(port), source,
                                f"upstream {service}:{up} is not textserve's port {port}")
                problems.ok(bool(re.search(r"proxy_pass https://", conf)) == tls, source,
                            "proxies to the replicas over " + ("plain HTTP" if not tls else
                            "HTTPS") + " but they speak " + ("HTTPS" if tls else "plain HTTP"))
                for secret in re.findall(r"/run/secrets/([\w.-]+)", conf):
                    problems.ok(secret in (other_spec.get("secrets") or []), source,
                                f"reads /run/secrets/{secret}, which services.{other} is not "
                                "given")


def report(step, problems, summary):
    for e in problems.errors:
        print(f"FAIL [{step}] {e}")
    status = "ok" if not problems.errors else f"{len(problems.errors)} problem(s)"
    print(f"[{step}] {problems.checked} checks, {status}: {summary}")
    return 1 if problems.errors else 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("schemas")
    s.add_argument("rendered", nargs="+")
    b = sub.add_parser("binary")
    b.add_argument("rendered", nargs="+")
    b.add_argument("--bin", required=True)
    b.add_argument("--compose", default=os.path.join(ROOT, "docker-compose.yml"))
    b.add_argument("--compose-override", action="append",
                   default=[os.path.join(ROOT, "docker-compose.tls.yml")])
    b.add_argument("--dockerfile", default=os.path.join(ROOT, "Dockerfile"))
    args = parser.parse_args()
    if args.cmd == "schemas":
        return cmd_schemas(args.rendered)
    return cmd_binary(args.rendered, args.bin, args.compose, args.dockerfile,
                      args.compose_override)


if __name__ == "__main__":
    sys.exit(main())
