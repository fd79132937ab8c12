"""labeler: GitHub Actions-native triage."""

# The one version source: pyproject.toml reads it (dynamic version), `labeler --version` prints it,
# and the release workflow refuses a tag vX.Y.Z that differs from it. Bump it with CHANGELOG.md.
__version__ = "1.0.0"
