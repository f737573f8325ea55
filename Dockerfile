# complexity-router: the OpenAI-compatible routing gateway.
#
#   docker build -t complexity-router .
#   docker run -p 8080:8080 -e OPENAI_API_KEY \
#     -v "$PWD/my-config.yaml:/etc/complexity-router/config.yaml:ro" complexity-router
#
# The config comes from a mounted file (the image holds configs/default.yaml there as an example).
# Listening on 0.0.0.0 requires `server.api_keys` in that config (the router refuses to serve
# unauthenticated on a public interface). See docs/operations.md.

ARG PYTHON_IMAGE=python:3.11-slim-bookworm

# ---- build: install the package and its dependencies into a virtual environment -------------
FROM ${PYTHON_IMAGE} AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1
WORKDIR /src
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
# A compiler for the classifier's optional C accelerator (setup.py), in this stage only: the
# runtime stage copies the built venv. Without it the pure-Python featurizer runs (same scores).
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends gcc libc6-dev \
 && rm -rf /var/lib/apt/lists/*
COPY pyproject.toml setup.py README.md LICENSE ./
COPY router ./router
COPY backends ./backends
COPY classifiers ./classifiers
COPY configs ./configs
RUN pip install --no-cache-dir . \
 && find /opt/venv -name '__pycache__' -prune -exec rm -rf {} +

# ---- runtime: the virtual environment only, as an unprivileged user ---------------------------
FROM ${PYTHON_IMAGE}
LABEL org.opencontainers.image.title="complexity-router" \
      org.opencontainers.image.description="OpenAI-compatible gateway routing each prompt to a reasoning-effort tier by predicted complexity" \
      org.opencontainers.image.licenses="Apache-2.0"
RUN groupadd --system --gid 10001 router \
 && useradd --system --uid 10001 --gid router --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin router \
 && install -d -o router -g router /var/log/complexity-router   # for decision_log.path (a volume)
COPY --from=build /opt/venv /opt/venv
COPY configs/default.yaml /etc/complexity-router/config.yaml
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1
WORKDIR /tmp
USER 10001:10001
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=3s --start-period=60s --retries=3 \
  CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8080/healthz', timeout=2).status != 200)"]
CMD ["complexity-router", "serve", "--config", "/etc/complexity-router/config.yaml", "--host", "0.0.0.0"]
