"""actions/slim.py on a fake site-packages: what a cached environment keeps, zips and still imports."""

from __future__ import annotations

import importlib.metadata
import importlib.util
import re
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
spec = importlib.util.spec_from_file_location("slim", ROOT / "actions" / "slim.py")
assert spec and spec.loader
slim = importlib.util.module_from_spec(spec)
spec.loader.exec_module(slim)


def write(path: Path, text: str = "") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def fake_site(tmp_path: Path) -> Path:
    site = tmp_path / "site-packages"
    write(site / "purepkg" / "__init__.py", "from purepkg.sub.mod import VALUE\n")
    write(site / "purepkg" / "sub" / "mod.py", "VALUE = 42\n")  # a folder without __init__.py
    write(site / "purepkg" / "tests" / "test_x.py", "raise SystemExit('tests are never imported')\n")
    write(site / "withext" / "__init__.py")
    write(site / "withext" / "_speed.cpython-311-x86_64-linux-gnu.so", "not really ELF")
    write(site / "numpy" / "__init__.py")
    for name in ("core.pyi", "_x.pxd", "_x.pyx", "x.c", "include/x.h", "x.tp", "meson.build", "tests/test_a.py"):
        write(site / "numpy" / name, "")
    write(site / "numpy" / "linalg.py", "")
    return site


def test_build_files_and_tests_go_runtime_files_stay(tmp_path):
    site = fake_site(tmp_path)
    slim.prune(str(site), ("numpy",))
    left = sorted(str(p.relative_to(site / "numpy")) for p in (site / "numpy").rglob("*") if p.is_file())
    assert left == ["__init__.py", "linalg.py"]


def test_pure_packages_become_one_importable_zip_with_bytecode(tmp_path):
    site = fake_site(tmp_path)
    assert slim.zip_pure(str(site), ("purepkg", "withext", "absent")) == ["purepkg"]
    assert not (site / "purepkg").exists() and (site / "withext" / "__init__.py").exists()
    names = zipfile.ZipFile(site / "purepkg-labeler.zip").namelist()
    assert {"purepkg/__init__.pyc", "purepkg/sub/__init__.py", "purepkg/sub/mod.pyc"} <= set(names)
    assert not any("tests" in n for n in names)
    assert (site / "purepkg-labeler.pth").read_text() == f"{site / 'purepkg-labeler.zip'}\n"
    # as an interpreter with this site-packages sees it (the .pth puts the zip on sys.path)
    code = f"import site, sys; site.addsitedir({str(site)!r}); import purepkg; print(purepkg.VALUE, purepkg.__file__)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out[0] == "42" and out[1].endswith("purepkg-labeler.zip/purepkg/__init__.pyc")


def test_a_zip_that_does_not_import_fails_the_setup(tmp_path):
    site = tmp_path / "site-packages"
    write(site / "broken" / "__init__.py", "import does_not_exist_anywhere\n")
    try:
        slim.zip_pure(str(site), ("broken",))
    except subprocess.CalledProcessError:
        return
    raise AssertionError("an unimportable zip must fail the setup")


def test_a_slimmed_environment_runs_the_commands(act_venv, tmp_path):
    """The real locks (base + local extra), installed from the warm uv cache as setup.sh does, slimmed, then used."""
    from labeler.examples import write_jsonl
    from labeler.model import synthetic

    uv = (
        str(act_venv / "bin" / "uv")
        if (act_venv / "bin" / "uv").exists()
        else str(Path(sys.executable).with_name("uv"))
    )
    venv = tmp_path / "venv"
    subprocess.run([uv, "venv", "-q", "--python", sys.executable, str(venv)], check=True)
    python = str(venv / "bin" / "python")
    locks = ["-r", str(ROOT / "requirements" / "action.txt"), "-r", str(ROOT / "requirements" / "local.txt")]
    subprocess.run(
        [uv, "pip", "install", "-q", "--offline", "--python", python, "--require-hashes", *locks], check=True
    )
    site = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    subprocess.run([python, str(ROOT / "actions" / "slim.py"), site], check=True)
    write(Path(site) / "labeler-action.pth", f"{ROOT / 'src'}\n")
    assert {"github-labeler.zip", "jsonschema-labeler.zip", "joblib-labeler.zip"} <= {
        p.name for p in Path(site).iterdir()
    }
    assert not list((Path(site) / "numpy").rglob("*.pyi")) and not (Path(site) / "github").exists()

    data = tmp_path / "issues.jsonl"
    write_jsonl(str(data), synthetic.corpus(30, seed=3))
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}

    def labeler(*args: str) -> str:
        done = subprocess.run([python, "-m", "labeler", *args], cwd=ROOT, env=env, capture_output=True, text=True)
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    labeler("model", "train", "--data", str(data), "--out", str(tmp_path / "model"))
    labeler(
        "model", "eval", "--model-dir", str(tmp_path / "model"), "--data", str(data), "--json", str(tmp_path / "e.json")
    )
    assert "dry run: nothing applied" in labeler(
        "label-issue", "--event", "examples/issue-opened.json", "--config", "labels.yml", "--dry-run"
    )
    subprocess.run([python, "-c", "import github; github.Github(base_url='http://127.0.0.1:9')"], check=True, env=env)


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _locked_packages() -> dict[str, bool]:
    """Top-level import packages of the distributions pinned in requirements/*.txt (uv.txt is the installer's
    own), as installed in this test environment: name -> pure Python (a folder with no extension module)."""
    pinned = {
        _normal(name)
        for lock in (ROOT / "requirements").glob("*.txt")
        if lock.name != "uv.txt"
        for name in re.findall(r"^([A-Za-z0-9_.\-]+)==", lock.read_text(encoding="utf-8"), re.MULTILINE)
    }
    site = Path(sysconfig.get_paths()["purelib"])
    return {
        top: (site / top).is_dir() and slim._pure(str(site / top))
        for top, dists in importlib.metadata.packages_distributions().items()
        if pinned & {_normal(d) for d in dists}
    }


def test_the_zipped_list_is_checked_against_the_locks():
    locked = _locked_packages()
    assert set(slim.ZIPPED) <= set(locked), "zipped but in no lock: drop it from ZIPPED"
    assert all(locked[pkg] for pkg in slim.ZIPPED), "zipped but not pure Python: a zip cannot hold an extension"
    assert not set(slim.ZIPPED) & set(slim.KEPT)
    assert set(slim.KEPT) <= set(locked), "kept but in no lock: drop it from KEPT"
    undecided = sorted(pkg for pkg, pure in locked.items() if pure and pkg not in slim.ZIPPED + slim.KEPT)
    assert undecided == [], "pure-Python packages in the locks: add each to ZIPPED or KEPT in actions/slim.py"
