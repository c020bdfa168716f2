# giftflow — every workflow in one place. The two that matter: `make run` and `make test`.
SHELL := /bin/bash
export UV_PROJECT_ENVIRONMENT := $(CURDIR)/.stack/venv
export UV_PYTHON_DOWNLOADS := never
PY := $(UV_PROJECT_ENVIRONMENT)/bin/python

.PHONY: help install run stop status lint format pubsub test test-unit test-browser bench seed replay-deadletters rehearsal compose-test smoke deploy rollout-status rollback k8s-up k8s-down k8s-status k8s-rehearsal clean

help: ## list the workflows
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-18s %s\n", $$1, $$2}'

install: ## install and build what the local stack needs, cached under .stack/
	@bash scripts/stack/install.sh

run: install ## start the whole system and print where to open it (Ctrl-C stops it)
	@$(PY) -m scripts.stack run

stop: ## stop a `make run` from another shell
	@$(PY) -m scripts.stack stop

status: ## which processes of the local stack are running
	@$(PY) -m scripts.stack status

lint: install ## ruff (lint and format check) and mypy over the Python; tsc over the web client's JavaScript
	@$(UV_PROJECT_ENVIRONMENT)/bin/ruff check .
	@$(UV_PROJECT_ENVIRONMENT)/bin/ruff format --check .
	@$(UV_PROJECT_ENVIRONMENT)/bin/mypy
	@scripts/web/node_modules/.bin/tsc -p scripts/web/jsconfig.json && echo "tsc: the web client type-checks"

format: install ## rewrite the tree in the house format and apply ruff's safe fixes
	@$(UV_PROJECT_ENVIRONMENT)/bin/ruff check --fix .
	@$(UV_PROJECT_ENVIRONMENT)/bin/ruff format .

pubsub: install ## write the Dapr subscriptions, Kafka topics and README event catalogue from the event tables
	@$(PY) -m scripts.pubsub

test: install lint ## lint, then unit, integration, system and browser tests (starts and stops its own stack)
	@$(PY) -m pytest -q -p no:cacheprovider

test-unit: install ## only the tests that need no server
	@$(PY) -m pytest -q -p no:cacheprovider tests/unit

seed: ## load a realistic family into the running stack (`make run` in another shell)
	@$(PY) -m scripts.seed

replay-deadletters: ## hand deadletter.$(SERVICE) back to its consumer on the running stack (idempotent)
	@test -n "$(SERVICE)" || { echo "usage: make replay-deadletters SERVICE=notification|reminder|recurring|audit"; exit 2; }
	@$(PY) -m scripts.stack replay-deadletters $(SERVICE)

test-browser: install ## only the web client in headless Chromium (starts its own stack)
	@$(PY) -m pytest -q -p no:cacheprovider tests/browser

bench: install ## measure latency and throughput on a stack of its own; writes bench/results/
	@$(PY) -m bench

rehearsal: install ## upgrade the gateway to a next release (new migration, new event version) and back, live, on a stack of its own
	@$(PY) -m scripts.rehearsal

compose-test: install ## build every image here and run docker-compose.yml under podman: up, smoke test, down
	@$(PY) -m scripts.compose test

smoke: ## the end-to-end smoke test against a running gateway (URL=http://127.0.0.1:8000 by default)
	@$(PY) -m scripts.smoke --url $(or $(URL),http://127.0.0.1:8000)

k8s-up: ## a single-node Kubernetes cluster here, with DNS, the Dapr control plane and the images (KUBECONFIG=.stack/k8s/kubeconfig)
	@$(PY) -m scripts.k8s up

k8s-down: ## stop that cluster: pods, processes, mounts, bridge and rules (its state stays for the next k8s-up)
	@$(PY) -m scripts.k8s down

k8s-status: ## what of that cluster runs
	@$(PY) -m scripts.k8s status

k8s-rehearsal: ## on that cluster: roll the gateway out to a next release and back under traffic; writes bench/results/k8s_rehearsal.json
	@$(PY) -m scripts.k8s.rehearsal

KUBECTL ?= kubectl
# the cluster `make k8s-up` starts, unless another one is named
K8S_KUBECONFIG := $(CURDIR)/.stack/k8s/kubeconfig
ifeq ($(origin KUBECONFIG),undefined)
ifneq ($(wildcard $(K8S_KUBECONFIG)),)
export KUBECONFIG := $(K8S_KUBECONFIG)
endif
endif
NAMESPACE := giftflow
DEPLOYMENTS := gateway notification reminder recurring audit

deploy: ## apply a k8s overlay: migrations Job first, then the rolling update (ENV=local|production)
	@test -n "$(ENV)" || { echo "usage: make deploy ENV=local|production"; exit 2; }
	@KUBECTL="$(KUBECTL)" k8s/deploy.sh $(ENV)

rollout-status: ## wait for every giftflow Deployment's rollout and show what runs
	@for d in $(DEPLOYMENTS); do $(KUBECTL) -n $(NAMESPACE) rollout status deployment/$$d --timeout=10m || exit 1; done
	@$(KUBECTL) -n $(NAMESPACE) get deployments -o wide

rollback: ## one service back to its previous revision (SERVICE=gateway|...; REVISION=n for an older one)
	@test -n "$(SERVICE)" || { echo "usage: make rollback SERVICE=$(subst $() ,|,$(DEPLOYMENTS)) [REVISION=n]"; exit 2; }
	@$(KUBECTL) -n $(NAMESPACE) rollout history deployment/$(SERVICE)
	@$(KUBECTL) -n $(NAMESPACE) rollout undo deployment/$(SERVICE) $(if $(REVISION),--to-revision=$(REVISION))
	@$(KUBECTL) -n $(NAMESPACE) rollout status deployment/$(SERVICE) --timeout=10m

clean: ## remove everything the stack cached (the next `make run` rebuilds it)
	@$(PY) -m scripts.stack stop >/dev/null 2>&1 || true
	rm -rf .stack
