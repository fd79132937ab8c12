"""runner.Progress: periodic one-line progress in Actions logs, a final timing line."""

from __future__ import annotations

from labeler import runner


def test_actions_log_gets_periodic_lines_and_a_timing_line(monkeypatch, capsys):
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    clock = iter([1.0, 12.0, 13.0, 14.0])
    progress = runner.Progress("classified", 3)
    progress._clock = lambda: next(clock)
    progress._start = progress._last = 0.0
    progress.update(1)  # t=1: too soon, nothing
    progress.update(2)  # t=12: a line
    progress.update(3)  # t=13: the last one, always
    progress.finish()  # t=14
    lines = capsys.readouterr().err.splitlines()
    assert lines == ["classified: 2/3 (12 s)", "classified: 3/3 (13 s)", "classified: 3/3 done in 14.0 s"]


def test_timed_prints_one_timing_line(capsys):
    with runner.timed("model train"):
        pass
    [line] = capsys.readouterr().err.splitlines()
    assert line.startswith("model train: done in ") and line.endswith(" s")
