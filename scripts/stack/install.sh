#!/usr/bin/env bash
# Installs everything the local stack needs, caching it under .stack/ so the next start takes seconds:
# Python packages (uv, locked), PostgreSQL, Prometheus, haproxy and Chromium (Debian), Kafka's jars (Maven Central), daprd (built from Go).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
mkdir -p .stack/logs
export UV_PROJECT_ENVIRONMENT="${UV_PROJECT_ENVIRONMENT:-$root/.stack/venv}" UV_PYTHON_DOWNLOADS=never

step() { printf '\033[1m==> %s\033[0m\n' "$*"; }

if ! command -v uv >/dev/null 2>&1; then
  step "installing uv (PyPI)"
  python3 -m pip install --quiet uv
fi
step "python packages (uv.lock)"
uv sync --frozen --quiet

if [ ! -x "${PG_BIN:-/usr/lib/postgresql/15/bin}/postgres" ]; then
  step "postgresql (Debian packages)"
  if [ "$(id -u)" -ne 0 ]; then echo "PostgreSQL 15 is missing: install the postgresql-15 package (needs root)"; exit 1; fi
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-15 >/dev/null
fi
if [ "$(id -u)" -eq 0 ] && ! id postgres >/dev/null 2>&1; then
  useradd --system --home-dir /var/lib/postgresql --shell /usr/sbin/nologin postgres
fi

# scrapes the local stack and evaluates the shipped alert rules; its promtool runs the rules' unit tests
if [ ! -x /usr/bin/prometheus ] || [ ! -x /usr/bin/promtool ]; then
  step "prometheus and promtool (Debian packages)"
  if [ "$(id -u)" -ne 0 ]; then echo "Prometheus is missing: install the prometheus package (needs root)"; exit 1; fi
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus >/dev/null
fi

# the balancer in front of several gateway instances (scripts/stack/balancer.py: the rehearsal, replicas)
if ! command -v haproxy >/dev/null 2>&1 && [ ! -x /usr/sbin/haproxy ]; then
  step "haproxy (Debian package, the local balancer)"
  if [ "$(id -u)" -ne 0 ]; then echo "haproxy is missing: install the haproxy package (needs root) to run several gateway instances"; exit 1; fi
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends haproxy >/dev/null
fi

# the browser tests drive the system Chromium by its path (Playwright never fetches a browser of its own)
if [ ! -x /usr/bin/chromium ]; then
  step "chromium (Debian packages, for the browser tests)"
  if [ "$(id -u)" -ne 0 ]; then echo "Chromium is missing: install the chromium package (needs root) to run tests/browser"; exit 1; fi
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi

# what the browser suite injects into pages (axe-core), pinned by tests/browser/package-lock.json
if [ ! -f tests/browser/node_modules/axe-core/axe.min.js ]; then
  step "axe-core (npm registry, for the browser tests)"
  npm ci --prefix tests/browser --no-audit --no-fund --silent
fi

# what the gateway bundles the web client's modules with (services/gateway/web_bundle.py), and what
# `make lint` type-checks them with, pinned by scripts/web/package-lock.json; without esbuild the
# client still works, one request per module
if [ ! -x scripts/web/node_modules/.bin/esbuild ] || [ ! -x scripts/web/node_modules/.bin/tsc ]; then
  step "esbuild and typescript (npm registry: the web client as one script, and its type check)"
  npm ci --prefix scripts/web --no-audit --no-fund --silent
fi

for tool in java mvn go; do
  command -v "$tool" >/dev/null 2>&1 || { echo "$tool is required (Java 17 with Maven, Go) and was not found"; exit 1; }
done

if [ ! -f .stack/kafka/libs/kafka_2.13-4.1.1.jar ]; then
  step "kafka 4.1.1 jars (Maven Central)"
  mvn -q -B -f scripts/stack/kafka-pom.xml -Dmaven.repo.local="$root/.stack/build/m2" \
    dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$root/.stack/kafka/libs.tmp"
  rm -rf .stack/kafka/libs && mv .stack/kafka/libs.tmp .stack/kafka/libs && rm -rf .stack/build/m2
fi

step "daprd"
bash scripts/stack/build-daprd.sh
