#!/usr/bin/env bash
# Installs everything the test suite needs on a fresh Debian machine (idempotent), then runs it.
# Usage: bash scripts/test.sh [pytest args]
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages: Chromium for the review-page tests, Node/npm for GitHub's OpenAPI description
# and webhook examples. Installed only when missing; needs root (CI runs as root).
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v npm >/dev/null 2>&1 || need+=(nodejs npm)
command -v git >/dev/null 2>&1 || need+=(git)
if [ "${#need[@]}" -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  else
    echo "warning: missing ${need[*]} (run as root to install them); the tests that need them will skip" >&2
  fi
fi

python3 -m venv .venv
.venv/bin/python -m pip install --disable-pip-version-check -q uv
.venv/bin/uv pip install --python .venv/bin/python -q -e ".[local,embed,html,taxonomy,test]"
if command -v npm >/dev/null 2>&1; then
  bash tests/fakes/fetch_assets.sh
fi

# Lint is a step of its own, before the tests: a lint failure is reported as one.
bash scripts/lint.sh .venv/bin
exec .venv/bin/pytest -q -p no:cacheprovider "$@"
