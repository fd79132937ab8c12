"""actions/setup.sh without installing anything: the cache key and the missing-config warning."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SETUP = ROOT / "actions" / "setup.sh"


def source(arg: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    base = {"PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin", "HOME": str(cwd)}
    return subprocess.run(
        ["bash", "-c", f'source "{SETUP}" {arg}'], cwd=cwd, env=base | env, capture_output=True, text=True, timeout=60
    )


def outputs(path: Path) -> dict[str, str]:
    return dict(line.split("=", 1) for line in path.read_text().splitlines())


def test_cache_key_names_os_python_extras_and_the_lock_digest(tmp_path):
    out = tmp_path / "out"
    done = source("key", tmp_path, GITHUB_OUTPUT=str(out), RUNNER_OS="Linux", RUNNER_ARCH="X64", LABELER_EXTRAS="html")
    assert done.returncode == 0, done.stderr
    key = outputs(out)["key"]
    version = ".".join(map(str, sys.version_info[:3]))
    assert key.startswith(f"labeler-venv-Linux-X64-py{version}-html-") and len(key.rsplit("-", 1)[1]) == 16
    assert outputs(out)["cache"] == "false"  # the test venv is active: someone else's environment, never cached
    out.unlink()
    source("key", tmp_path, GITHUB_OUTPUT=str(out), RUNNER_OS="Linux", RUNNER_ARCH="X64", LABELER_EXTRAS="")
    assert outputs(out)["key"] != key


def test_unknown_extra_fails(tmp_path):
    done = source("key", tmp_path, GITHUB_OUTPUT=str(tmp_path / "out"), LABELER_EXTRAS="gpu")
    assert done.returncode != 0 and "unknown LABELER_EXTRAS entry or provider: gpu" in done.stderr


def test_provider_names_pick_extras(tmp_path):
    """A provider input lands in LABELER_EXTRAS: offline ones install nothing, SDK ones their lock only."""

    def key(extras):
        out = tmp_path / "out"
        out.unlink(missing_ok=True)
        done = source(
            "key", tmp_path, GITHUB_OUTPUT=str(out), RUNNER_OS="Linux", RUNNER_ARCH="X64", LABELER_EXTRAS=extras
        )
        assert done.returncode == 0, done.stderr
        return outputs(out)["key"]

    assert key("keywords") == key("") == key("rules")
    assert "-py" in key("Anthropic") and key("Anthropic").rsplit("-", 2)[1] == "anthropic"
    assert key("openai anthropic openai") == key("anthropic openai") != key("anthropic")
    assert "-anthropic-openai-" in key("openai anthropic")


def test_missing_config_is_a_warning_naming_the_checkout_and_the_input(tmp_path):
    done = source("check-config", tmp_path)
    assert done.returncode == 0
    assert done.stdout.startswith("::warning::no config file") and "actions/checkout" in done.stdout
    assert "`config` input" in done.stdout
    (tmp_path / ".github").mkdir()
    (tmp_path / ".github" / "labels.yml").write_text("labels: []\n")
    assert source("check-config", tmp_path).stdout == ""
    assert "x.yml (the `config` input)" in source("check-config", tmp_path, LABELER_CONFIG="x.yml").stdout


def test_the_embed_extra_is_accepted_and_its_lock_changes_the_key(tmp_path):
    """model-train names `local embed` when its encoder input is set; embed.txt is hash-locked and
    constrained by local.txt, so both environments agree on numpy and scikit-learn."""
    out = tmp_path / "out"
    done = source(
        "key", tmp_path, GITHUB_OUTPUT=str(out), RUNNER_OS="Linux", RUNNER_ARCH="X64", LABELER_EXTRAS="local embed"
    )
    assert done.returncode == 0, done.stderr
    assert "-embed-local-" in outputs(out)["key"]
    lock = (ROOT / "requirements" / "embed.txt").read_text()
    assert all(f"{pkg}==" in lock for pkg in ("onnxruntime", "tokenizers", "huggingface-hub"))
    assert "torch" not in lock and "--hash=sha256:" in lock
    local = (ROOT / "requirements" / "local.txt").read_text()
    for pkg in ("numpy", "scikit-learn", "scipy"):
        pin = next(line.split()[0] for line in local.splitlines() if line.startswith(f"{pkg}=="))
        assert pin in lock


def test_a_python_older_than_the_locks_need_is_one_clear_error(tmp_path):
    """The locked numpy, scipy and pycparser need 3.11: an older runner Python fails before any install."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "python3"
    fake.write_text("#!/bin/sh\n[ \"$1\" = --version ] && { echo 'Python 3.10.13'; exit 0; }\nexit 1\n")
    fake.chmod(0o755)
    done = subprocess.run(
        ["bash", "-c", f'source "{SETUP}" key'],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={"PATH": f"{bin_dir}:/usr/bin:/bin", "HOME": str(tmp_path), "GITHUB_OUTPUT": str(tmp_path / "out")},
        timeout=60,
    )
    assert done.returncode != 0
    assert "labeler needs Python 3.11 or newer (its hash-locked dependencies do), found Python 3.10.13" in done.stderr


def test_the_cache_step_and_the_install_compute_the_environment_in_one_place(tmp_path):
    """If the key step and the install each derived the venv path and digest, a drift between the copies
    would save one path while installing into another."""
    script = SETUP.read_text()
    assert script.count("sha256sum") == 1 and script.count("labeler-venv-${slug}") == 1
    body = script.split("_labeler_setup() {", 1)[1].split("\n}\n", 1)[0]
    assert "_labeler_env" in body and "sha256sum" not in body and "labeler-venv" not in body


def test_outside_a_virtual_environment_the_key_step_names_our_own_cached_venv(tmp_path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "python3").symlink_to(
        Path(sys.base_prefix) / "bin" / f"python{sys.version_info[0]}.{sys.version_info[1]}"
    )
    out = tmp_path / "out"
    done = subprocess.run(
        ["bash", "-c", f'source "{SETUP}" key'],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={
            "PATH": f"{bin_dir}:/usr/bin:/bin",
            "HOME": str(tmp_path),
            "GITHUB_OUTPUT": str(out),
            "RUNNER_TEMP": str(tmp_path / "t"),
            "LABELER_EXTRAS": "local html",
        },
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert outputs(out)["venv"] == f"{tmp_path}/t/labeler-venv-html-local" and outputs(out)["cache"] == "true"
