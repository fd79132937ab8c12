#!/usr/bin/env bash
# Used by .github/workflows/release.yml (and usable by hand):
#   VERSION=1.2.3 bash scripts/release.sh check     # version format, labeler --version, CHANGELOG.md section
#   VERSION=1.2.3 bash scripts/release.sh notes     # print the CHANGELOG.md section
#   VERSION=1.2.3 bash scripts/release.sh publish   # tag v1.2.3, move v1, push both, create the release
set -euo pipefail
cd "$(dirname "$0")/.."
: "${VERSION:?set VERSION=X.Y.Z}"

notes() {
  awk -v v="$VERSION" '
    $0 ~ "^## \\[" v "\\]" {on=1; next}
    on && /^## / {exit}
    on {print}' CHANGELOG.md
}

case "${1:-}" in
  check)
    [[ "$VERSION" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || { echo "::error::version must be X.Y.Z, got '$VERSION'"; exit 1; }
    actual="$(PYTHONPATH=src python3 -c 'import labeler; print(labeler.__version__)')"
    [ "$actual" = "$VERSION" ] || { echo "::error::src/labeler/__init__.py says $actual, not $VERSION"; exit 1; }
    [ -n "$(notes)" ] || { echo "::error::CHANGELOG.md has no '## [$VERSION]' section"; exit 1; }
    if git rev-parse -q --verify "refs/tags/v$VERSION" >/dev/null; then
      echo "::error::tag v$VERSION exists already"; exit 1
    fi
    echo "release v$VERSION: ok (major tag v${VERSION%%.*})"
    ;;
  notes) notes ;;
  publish)
    major="v${VERSION%%.*}"
    git -c user.name="github-actions[bot]" -c user.email="41898282+github-actions[bot]@users.noreply.github.com" \
      tag -a "v$VERSION" -m "labeler v$VERSION"
    git tag -f "$major" "v$VERSION^{commit}"
    remote="${GITHUB_SERVER_URL:-https://github.com}/${GITHUB_REPOSITORY:?}.git"
    auth="AUTHORIZATION: basic $(printf 'x-access-token:%s' "${GITHUB_TOKEN:?}" | base64 -w0)"
    git -c http.extraheader="$auth" push "$remote" "refs/tags/v$VERSION"
    git -c http.extraheader="$auth" push --force "$remote" "refs/tags/$major"
    notes > "${RUNNER_TEMP:-/tmp}/notes.md"
    gh release create "v$VERSION" --title "v$VERSION" --notes-file "${RUNNER_TEMP:-/tmp}/notes.md" --verify-tag
    ;;
  *) echo "usage: VERSION=X.Y.Z $0 check|notes|publish" >&2; exit 2 ;;
esac
