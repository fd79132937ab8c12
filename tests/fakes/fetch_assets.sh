#!/usr/bin/env bash
# Install the npm packages the optional test checks use (OpenAPI request validation, webhook
# example payloads and schemas) into <repo>/.cache/npm. Idempotent and quiet; needs npm and the
# npm registry. Tests skip the checks (with a reason) when the packages are absent.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
PREFIX="${ROOT}/.cache/npm"
PACKAGES=("@octokit/openapi@23.0.2" "@octokit/webhooks-examples@7.6.1" "@octokit/webhooks-schemas@7.6.1")

installed() {  # $1 = name@version
  local name="${1%@*}" version="${1##*@}"
  local manifest="${PREFIX}/node_modules/${name}/package.json"
  [ -f "${manifest}" ] && node -e 'process.exit(require(process.argv[1]).version === process.argv[2] ? 0 : 1)' \
    "${manifest}" "${version}"
}

missing=()
for pkg in "${PACKAGES[@]}"; do
  installed "${pkg}" || missing+=("${pkg}")
done
if [ "${#missing[@]}" -eq 0 ]; then
  exit 0
fi
mkdir -p "${PREFIX}"
# --no-save: no package.json/lock in the cache dir; install all pins together so none is pruned.
npm install --no-save --no-audit --no-fund --loglevel=error --prefix "${PREFIX}" "${PACKAGES[@]}" >/dev/null
for pkg in "${PACKAGES[@]}"; do
  installed "${pkg}" || { echo "fetch_assets: ${pkg} did not install" >&2; exit 1; }
done
