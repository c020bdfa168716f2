# syntax=docker/dockerfile:1
# One image for every giftflow service. Which service a container runs is chosen by SERVICE_NAME
# (the same variable the service reads for its settings), or by overriding CMD.
#
#   docker build -t giftflow:local .
#   docker run -e SERVICE_NAME=gateway ... giftflow:local
#   docker run ... giftflow:local python -m shared.migrate upgrade gateway

# Base images by variable, public by default; `make compose-test` builds both locally (images/).
ARG PYTHON_IMAGE=python:3.11-slim
ARG UV_IMAGE=ghcr.io/astral-sh/uv:0.13.9

FROM ${UV_IMAGE} AS uv

# --- build: resolve the locked dependencies into a virtualenv ------------------------------------
FROM ${PYTHON_IMAGE} AS build
COPY --from=uv /uv /bin/uv
# a CA bundle mounted for the build only, where PyPI is reached through a TLS-inspecting proxy;
# unset, uv trusts its own roots. Nothing of it is kept in the image.
ARG SSL_CERT_FILE
ENV UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    UV_PROJECT_ENVIRONMENT=/app/.venv
WORKDIR /app
# Only the lock file and pyproject feed this layer, so it is rebuilt only when dependencies change.
# They are copied, not bind-mounted: a builder's layer cache keys on what is copied, while podman
# 4.3 reuses a RUN layer whatever a bind mount held, and kept a virtualenv of an older lock file.
# The project itself is not installed: the services run from /app, where migrations/ sits next to
# shared/ (shared.migrate finds the Alembic scripts relative to itself).
COPY uv.lock pyproject.toml /app/
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --no-install-project

# --- runtime: the virtualenv, the source, an unprivileged user -----------------------------------
FROM ${PYTHON_IMAGE}
RUN groupadd --system --gid 10001 giftflow \
 && useradd --system --uid 10001 --gid giftflow --no-create-home --home-dir /nonexistent \
            --shell /usr/sbin/nologin giftflow
WORKDIR /app
COPY --from=build /app/.venv /app/.venv
COPY shared/ shared/
COPY services/ services/
COPY migrations/ migrations/
# the web client, served by the gateway at /
COPY web/ web/
# Byte-compiled now, because at run time the root filesystem is read-only (see k8s/base).
RUN /app/.venv/bin/python -m compileall -q shared services migrations

ENV PATH=/app/.venv/bin:$PATH \
    PYTHONPATH=/app \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1
# numeric, so Kubernetes can verify runAsNonRoot without looking the name up
USER 10001:10001
EXPOSE 8000

# Idle connections are kept 75 s, longer than the ingress's upstream keep-alive (60 s), so the proxy
# never sends a request on a connection uvicorn is just closing (its default is 5 s).
# Short graceful shutdown: open SSE streams would otherwise hold a pod for the whole grace period;
# browsers reconnect with Last-Event-ID and miss nothing. --no-proxy-headers: the services read
# X-Forwarded-* themselves, and only from TRUSTED_PROXIES (shared/forwarded.py).
CMD ["sh", "-c", "exec uvicorn \"services.${SERVICE_NAME:?set SERVICE_NAME to the service to run}.main:app\" --host 0.0.0.0 --port 8000 --no-access-log --no-proxy-headers --timeout-graceful-shutdown 10 --timeout-keep-alive 75"]
