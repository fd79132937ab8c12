# Sourced by the first step of every labeler action:
#   source "${GITHUB_ACTION_PATH}/../setup.sh"
# Installs labeler from the action's own checkout with hash-pinned dependencies (plus the extras
# named in LABELER_EXTRAS, e.g. "html local") and writes python=<interpreter> to $GITHUB_OUTPUT.
# It uses the Python already active when that is a virtual environment (a self-hosted runner or a
# test venv), otherwise it makes one in $RUNNER_TEMP so the runner's Python stays clean (PEP 668).

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  echo "::error::actions/setup.sh must be sourced, not executed"
  exit 1
fi

_labeler_setup() {
  local root python venv req extra pip_q
  root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
  python="$(command -v python3 || command -v python)"
  if [ -z "$python" ]; then
    echo "::error::labeler needs Python 3.10+ on the runner (add actions/setup-python before this action)"
    return 1
  fi
  if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 10))'; then
    echo "::error::labeler needs Python 3.10 or newer, found $("$python" --version 2>&1)"
    return 1
  fi
  if ! "$python" -c 'import sys; sys.exit(sys.prefix == sys.base_prefix)'; then
    venv="${RUNNER_TEMP:-/tmp}/labeler-venv"
    [ -x "$venv/bin/python" ] || "$python" -m venv "$venv" || return 1
    python="$venv/bin/python"
  fi
  pip_q=(-m pip install --disable-pip-version-check --no-input --quiet)
  req=(-r "$root/requirements/action.txt")
  for extra in ${LABELER_EXTRAS:-}; do
    case "$extra" in
      html|local|taxonomy) req+=(-r "$root/requirements/$extra.txt") ;;
      *) echo "::error::unknown LABELER_EXTRAS entry: $extra (html, local, taxonomy)"; return 1 ;;
    esac
  done
  echo "::group::Install labeler"
  "$python" "${pip_q[@]}" --require-hashes "${req[@]}" || { echo "::endgroup::"; return 1; }
  "$python" "${pip_q[@]}" --no-deps --no-build-isolation "$root" || { echo "::endgroup::"; return 1; }
  echo "::endgroup::"
  echo "python=$python" >> "$GITHUB_OUTPUT"
}

_labeler_setup
