#!/usr/bin/env bash
# Debian packages the test suite talks to for real (npm installs the coding-agent CLIs the tests run); installed only when missing.
set -euo pipefail
packages=()
for pair in "redis-server:redis-server" "prometheus:prometheus" "promtool:prometheus" "nginx:nginx-light" "wrk:wrk" "npm:npm"; do
  command -v "${pair%%:*}" >/dev/null 2>&1 || packages+=("${pair##*:}")
done
if ((${#packages[@]})); then
  sudo_cmd=""; [ "$(id -u)" = 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends $(printf '%s\n' "${packages[@]}" | sort -u) >/dev/null
fi
