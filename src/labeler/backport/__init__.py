"""Pieces of `labeler backport-report`: git access, classification (rules or a model), the
verdict cache, already-backported detection and the review page.

Each module is small and mostly pure; `labeler.commands.backport_report` wires them together.
"""
