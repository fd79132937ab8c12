#!/usr/bin/env bash
# The lint step of the test command (scripts/test.sh runs it before the tests): the formatter, ruff,
# mypy and import-linter, each reported on its own. Usage: bash scripts/lint.sh [path to a venv's bin]
set -uo pipefail
cd "$(dirname "$0")/.."
bin=${1:-.venv/bin}
paths=(src tests benchmarks scripts actions)
failed=()
step() {
  local name=$1; shift
  echo "lint: $name"
  "$@" || failed+=("$name")
}
step "ruff format --check" "$bin/ruff" format --check --no-cache "${paths[@]}"
step "ruff check" "$bin/ruff" check --no-cache "${paths[@]}"
step "mypy" "$bin/mypy" --no-incremental --cache-dir /dev/null
step "import-linter" "$bin/lint-imports" --no-cache
if [ "${#failed[@]}" -gt 0 ]; then
  echo "lint failed: ${failed[*]} (fix these before the tests run; 'ruff format' rewrites the layout)" >&2
  exit 1
fi
echo "lint: clean"
