# Every target installs what it needs first (libtorch into ~/.cache/textserve), so each works on
# a fresh machine.
SHELL := /bin/bash
CARGO ?= cargo
MODEL ?= models/zh-reviews-sentiment
DATA ?= data/zh-reviews.jsonl

.PHONY: prometheus-check security-check suites-check deny setup build serve test lint schemathesis fuzz browser-check deploy-check image compose-check triton-check podman drills data model factory-model eval check bench peer-bench openapi clean

setup: .libtorch/lib/libtorch_cpu.so

.libtorch/lib/libtorch_cpu.so:
	scripts/setup-libtorch.sh >/dev/null

build: setup
	$(CARGO) build --release

## Fresh machine → running server on the default model (http://127.0.0.1:8080).
serve: build
	target/release/textserve serve --model $(MODEL)

## Fresh machine → passing test suite.
test: setup
	$(CARGO) test

lint: setup
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --all-targets -- -D warnings
	python3 scripts/module-circles.py
	python3 scripts/module-circles.py --depth 1

## Schemathesis against the running server's own /openapi.json (bounded: MAX_TIME seconds).
schemathesis: setup
	$(CARGO) build
	MAX_TIME=$${MAX_TIME:-60} scripts/schemathesis.sh

## libFuzzer on the tokenizer and request decoding (bounded: FUZZ_SECONDS per target).
fuzz: setup
	scripts/fuzz.sh

## The try-it page in a real headless Chromium (installs chromium and chromium-driver when missing).
browser-check: setup
	$(CARGO) build
	scripts/browser-check.sh

## README's security walkthrough run as written (mutual TLS, scoped keys, a signed model), then
## its claims checked: TLS 1.1 refused, scopes, a tampered model refused, the audit trail.
security-check: setup
	$(CARGO) build
	BIN=target/debug/textserve scripts/security-check.sh

## The drift alert rules (promtool test rules) and dashboard against a real Prometheus scraping
## a running server.
prometheus-check: setup
	$(CARGO) build
	BIN=target/debug/textserve scripts/prometheus-check.sh

## Kubernetes, KServe and Compose files checked offline against the binary (installs its tools).
suites-check:
	scripts/suites-check.sh

deny:
	scripts/deny.sh

deploy-check: setup
	$(CARGO) build
	BIN=target/debug/textserve scripts/check-deploy.sh

## The Open Inference Protocol routes driven by tritonclient[http] (installed into a venv).
triton-check: setup
	$(CARGO) build
	BIN=target/debug/textserve scripts/triton-check.sh

## Podman, runc, debootstrap, and the bridge networking with DNS compose needs, from Debian.
podman:
	@dpkg -s podman runc debootstrap netavark aardvark-dns iptables >/dev/null 2>&1 || \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	    podman runc debootstrap netavark aardvark-dns iptables >/dev/null)

## Builds the Dockerfile with Podman and checks the image as a user runs it (scripts/image-check.sh).
image: podman
	IMAGE=localhost/textserve:latest scripts/image-check.sh

## docker-compose.yml up with podman-compose, a failover drill in containers, then down.
compose-check: podman
	IMAGE=localhost/textserve:latest scripts/compose-check.sh

## Overload, SIGTERM, failover (nginx) and soak drills on loopback (RELIABILITY.md).
drills: build
	scripts/drills.sh

data: build
	TEXTSERVE_BIN=target/release/textserve scripts/fetch-data.sh $(DATA)

## Retrains the default model exactly as shipped (see models/zh-reviews-sentiment/MODEL_CARD.md).
model: data
	scripts/train-default-model.sh

## Retrains the factory model (see models/zh-factory-sentiment/MODEL_CARD.md).
factory-model: data
	scripts/train-factory-model.sh

eval: data
	target/release/textserve eval --model $(MODEL)

## The behavioural suite's held-out part (the tuning part: SUITE=suites/zh-manufacturing/train.jsonl;
## the default model's own tuning part: suites/zh-manufacturing/v2/train.jsonl).
SUITE ?= suites/zh-manufacturing/heldout.jsonl
check: build
	target/release/textserve check --model $(MODEL) --suite $(SUITE)

bench: build
	scripts/bench.sh

# textserve against a FastAPI + PyTorch server of the same LSTM shape, same texts, same run.
peer-bench: build
	scripts/peer-bench.sh

openapi: build
	target/release/textserve openapi > openapi/openapi.json

clean:
	$(CARGO) clean
