# Sourced by every labeler action, twice:
#
#   source "${GITHUB_ACTION_PATH}/../setup.sh" key   # writes venv=, key= and cache= to $GITHUB_OUTPUT
#   (actions/cache then restores/saves ${venv} under ${key} when cache == true)
#   source "${GITHUB_ACTION_PATH}/../setup.sh"       # installs what is missing; writes python=<interpreter>
#
# Dependencies come from the hash-locked requirements/action.txt (plus the extras named in
# LABELER_EXTRAS, e.g. "html local"; "embed" adds onnxruntime, tokenizers and huggingface-hub for
# `model train --encoder`, named by model-train only when its encoder input is set; the model SDKs are the extras "anthropic" and "openai", which an
# action names only when its provider input or API key asks for them, so offline runs install and
# restore a third of the files; the provider names "keywords" and "rules" install nothing) and are installed with uv, itself bootstrapped from the
# hash-locked requirements/uv.txt. The cache key covers the lock files, the extras, the Python
# version, the OS and the architecture, so a restored environment is used only when it matches.
# labeler itself is not installed: a .pth file points the environment at the action's src/.
# It uses the Python already active when that is a virtual environment (a self-hosted runner or a
# test venv), otherwise it makes one in $RUNNER_TEMP so the runner's Python stays clean (PEP 668).

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  echo "::error::actions/setup.sh must be sourced, not executed"
  exit 1
fi

_labeler_python() {
  local python
  python="$(command -v python3 || command -v python)"
  if [ -z "$python" ]; then
    echo "::error::labeler needs Python 3.11+ on the runner (add actions/setup-python before this action)" >&2
    return 1
  fi
  if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
    echo "::error::labeler needs Python 3.11 or newer (its hash-locked dependencies do), found $("$python" --version 2>&1)" >&2
    return 1
  fi
  echo "$python"
}

_labeler_extras() {  # LABELER_EXTRAS normalised: sorted, unique, only entries with a lock file
  local extra
  for extra in ${LABELER_EXTRAS:-}; do
    extra="${extra,,}"  # provider inputs are case-insensitive
    case "$extra" in
      html|local|embed|taxonomy|anthropic|openai) echo "$extra" ;;
      github-models) echo openai ;;  # GitHub Models speaks OpenAI's API
      keywords|rules) ;;  # offline providers named by a provider input: nothing to install
      *) echo "::error::unknown LABELER_EXTRAS entry or provider: $extra (html, local, embed, taxonomy, anthropic, openai)" >&2; return 1 ;;
    esac
  done | sort -u | paste -sd' '
  return "${PIPESTATUS[0]}"
}

_labeler_locks() {  # the lock files this action installs from, one per line
  local root="$1" extras="$2" extra
  echo "$root/requirements/uv.txt"
  echo "$root/requirements/action.txt"
  for extra in $extras; do
    echo "$root/requirements/$extra.txt"
  done
}

# The one place the environment is described, for the cache step (key) and the install alike: a caller
# declares `local root python extras locks digest slug venv own` and this fills them in (bash's dynamic
# scope), so the path actions/cache saves is the path setup installs into.
_labeler_env() {
  root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
  python="$(_labeler_python)" || return 1
  extras="$(_labeler_extras)" || return 1
  locks="$(_labeler_locks "$root" "$extras")"
  digest="$( (echo "$extras"; xargs cat <<< "$locks") | sha256sum | cut -c1-16)"
  slug="$(echo "${extras:-base}" | tr -cs 'a-z' '-' | sed 's/-$//')"
  if ! "$python" -c 'import sys; sys.exit(sys.prefix == sys.base_prefix)'; then
    venv="${RUNNER_TEMP:-/tmp}/labeler-venv-${slug}"
    own=true  # made and cached by us
  else
    venv="$("$python" -c 'import sys; print(sys.prefix)')"
    own=false  # an environment someone else manages: never cached by us
  fi
}

_labeler_key() {
  local root python extras locks digest slug venv own version
  _labeler_env || return 1
  version="$("$python" -c 'import platform; print(platform.python_version())')"
  {
    echo "key=labeler-venv-${RUNNER_OS:-$(uname -s)}-${RUNNER_ARCH:-$(uname -m)}-py${version}-${slug}-${digest}"
    echo "venv=$venv"
    echo "cache=$own"
  } >> "${GITHUB_OUTPUT:-/dev/null}"
  echo "labeler: environment key labeler-venv-...-py${version}-${slug}-${digest}"
}

_labeler_uv() {  # prints the path of a uv binary at the locked version, bootstrapping it if needed
  local root="$1" python="$2" dir="${RUNNER_TEMP:-/tmp}/labeler-uv"
  if [ -x "$(dirname "$python")/uv" ]; then  # an environment that already holds uv (self-hosted, tests)
    dirname "$python" | sed 's|$|/uv|'
    return 0
  fi
  if [ ! -x "$dir/bin/uv" ]; then
    if "$python" -m pip --version >/dev/null 2>&1; then
      "$python" -m pip install --disable-pip-version-check --no-input --quiet --require-hashes \
        --target "$dir" -r "$root/requirements/uv.txt" >&2 || return 1
    else
      "$python" -m venv "$dir" >&2 && "$dir/bin/python" -m pip install --disable-pip-version-check --no-input \
        --quiet --require-hashes -r "$root/requirements/uv.txt" >&2 || return 1
    fi
  fi
  echo "$dir/bin/uv"
}

_labeler_setup() {
  local root python extras locks digest slug venv own stamp uv req lock start site
  start=$SECONDS
  _labeler_env || return 1
  stamp="$venv/.labeler-lock"
  if [ -x "$venv/bin/python" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$digest" ]; then
    echo "labeler: dependencies already installed in $venv (lock $digest)"
  else
    echo "::group::labeler: installing pinned dependencies with uv into $venv (first run of this lock: ~10 s)"
    export UV_PYTHON_DOWNLOADS=never UV_NO_PROGRESS=1
    uv="$(_labeler_uv "$root" "$([ -x "$venv/bin/python" ] && echo "$venv/bin/python" || echo "$python")")" || { echo "::endgroup::"; return 1; }
    [ -x "$venv/bin/python" ] || "$uv" venv --quiet --python "$python" "$venv" || { echo "::endgroup::"; return 1; }
    req=()
    while IFS= read -r lock; do
      [ "$lock" = "$root/requirements/uv.txt" ] || req+=(-r "$lock")
    done <<< "$locks"
    "$uv" pip install --quiet --python "$venv/bin/python" --require-hashes "${req[@]}" || { echo "::endgroup::"; return 1; }
    if [ "$own" = true ]; then
      # Our own cached environment only, which actions/cache restores file by file on every run (a restore
      # costs per file more than per byte): actions/slim.py drops what is never read at run time and turns
      # pure-Python packages into one zip each, with their bytecode.
      site="$("$venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')" || return 1
      "$venv/bin/python" "$root/actions/slim.py" "$site" || return 1
    fi
    echo "$digest" > "$stamp"
    echo "::endgroup::"
  fi
  # labeler runs from the action's own checkout: no build, no install.
  site="$("$venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')" || return 1
  echo "$root/src" > "$site/labeler-action.pth"
  echo "labeler: ready in $((SECONDS - start)) s ($("$venv/bin/python" -m labeler --version))"
  echo "python=$venv/bin/python" >> "${GITHUB_OUTPUT:-/dev/null}"
}

_labeler_check_config() {  # commands that run on defaults without a config file say so (LABELER_CHECK_CONFIG=true)
  if [ -n "${LABELER_CONFIG:-}" ]; then
    [ -f "$LABELER_CONFIG" ] || echo "::warning::config file $LABELER_CONFIG (the \`config\` input) is not in the workspace; the defaults apply"
  elif [ ! -f .github/labels.yml ] && [ ! -f labels.yml ]; then
    echo "::warning::no config file: neither .github/labels.yml nor labels.yml is in the workspace, so the defaults apply (keep the actions/checkout step of the drop-in workflow, or set the \`config\` input)"
  fi
  return 0
}

case "${1:-}" in
  key) _labeler_key ;;
  check-config) _labeler_check_config ;;
  *) _labeler_setup && { [ "${LABELER_CHECK_CONFIG:-}" != "true" ] || _labeler_check_config; } ;;
esac
