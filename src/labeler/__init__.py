"""labeler: GitHub Actions-native triage."""

__version__ = "0.1.0"
