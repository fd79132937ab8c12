"""Make a freshly installed environment cheap to restore from the Actions cache (actions/setup.sh runs it).

actions/cache restores an environment file by file, and on a runner each file costs more than its bytes:
- the test suites, type stubs, C/Cython sources and build files that numpy, scipy and scikit-learn ship
  (never read at run time) are deleted;
- each pure-Python package (the model SDKs are two thirds of all files with their pydantic types; PyGithub,
  jsonschema and the rest) becomes one zip on sys.path (zipimport) holding its sources and their bytecode,
  compiled now, so a job writes no __pycache__ for it either. A package with an extension module stays a
  folder (a zip cannot hold one). Subfolders without __init__.py get an empty one (zipimport does not find
  namespace packages); test folders are left out. A fresh interpreter imports every zipped package before
  the environment is marked ready.

    python actions/slim.py SITE_PACKAGES [PACKAGE ...]   (default: ZIPPED)
"""

from __future__ import annotations

import importlib.machinery
import os
import py_compile
import shutil
import subprocess
import sys
import tempfile
import zipfile

PRUNED = ("numpy", "scipy", "sklearn")
BUILD_ONLY = (".pyi", ".pxd", ".pyx", ".c", ".h", ".tp", "meson.build")
ZIPPED = (
    "anthropic",
    "openai",
    "github",
    "narwhals",
    "markdown_it",
    "mdurl",
    "urllib3",
    "requests",
    "idna",
    "jsonschema",
    "referencing",
    "click",
    "tenacity",
    "jwt",
    "attr",
    "attrs",
    "joblib",
)
# Pure-Python packages of the locks left as folders. Each zip is proven by the import check below and the act
# tests before it is added; tests/actions/test_slim.py fails when a package in requirements/*.txt is in
# neither list, so a new dependency is a decision, not an accident.
KEPT = (
    "_yaml",
    "annotated_types",
    "anyio",
    "certifi",
    "cffi",
    "cloudpickle",
    "docstring_parser",
    "filelock",
    "flatbuffers",
    "fsspec",
    "h11",
    "httpcore2",
    "httpx2",
    "huggingface_hub",
    "jinja2",
    "jsonschema_specifications",
    "packaging",
    "pathspec",
    "pycparser",
    "pydantic",
    "sniffio",
    "tqdm",
    "truststore",
    "typing_inspection",
    "yamllint",
)
_EXTENSIONS = (*importlib.machinery.EXTENSION_SUFFIXES, ".so", ".pyd")


def prune(site: str, packages: tuple[str, ...] = PRUNED) -> None:
    for pkg in packages:
        for root, dirs, files in os.walk(os.path.join(site, pkg), topdown=True):
            for d in [d for d in dirs if d == "tests"]:
                shutil.rmtree(os.path.join(root, d))
                dirs.remove(d)
            for name in files:
                if name.endswith(BUILD_ONLY):
                    os.remove(os.path.join(root, name))


def _pure(src: str) -> bool:
    return os.path.isfile(os.path.join(src, "__init__.py")) and not any(
        name.endswith(_EXTENSIONS) for _, _, files in os.walk(src) for name in files
    )


def zip_package(site: str, pkg: str) -> None:
    src, archive = os.path.join(site, pkg), os.path.join(site, f"{pkg}-labeler.zip")
    with zipfile.ZipFile(archive + ".part", "w", zipfile.ZIP_STORED) as z, tempfile.TemporaryDirectory() as tmp:
        for root, dirs, files in os.walk(src):
            dirs[:] = sorted(d for d in dirs if d not in ("__pycache__", "tests"))
            rel_root = os.path.relpath(root, site)
            if "__init__.py" not in files:
                z.writestr(f"{rel_root}/__init__.py", "")
            for name in sorted(files):
                full, rel = os.path.join(root, name), os.path.join(rel_root, name)
                z.write(full, rel)
                if name.endswith(".py"):
                    pyc = py_compile.compile(
                        full,
                        cfile=os.path.join(tmp, "m.pyc"),
                        doraise=True,
                        invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH,
                    )
                    z.write(str(pyc), rel + "c")
    os.replace(archive + ".part", archive)
    shutil.rmtree(src)
    with open(os.path.join(site, f"{pkg}-labeler.pth"), "w", encoding="utf-8") as pth:
        pth.write(archive + "\n")


def zip_pure(site: str, packages: tuple[str, ...] = ZIPPED) -> list[str]:
    zipped = [pkg for pkg in packages if _pure(os.path.join(site, pkg))]
    for pkg in zipped:
        zip_package(site, pkg)
    if zipped:  # a fresh interpreter, which reads the new .pth files
        check = (
            "import importlib, site, sys; site.addsitedir(sys.argv[1]); "
            "[importlib.import_module(m) for m in sys.argv[2:]]"
        )
        subprocess.run([sys.executable, "-c", check, site, *zipped], check=True)
    return zipped


def main(argv: list[str]) -> int:
    site, packages = argv[0], tuple(argv[1:]) or ZIPPED
    prune(site)
    zip_pure(site, packages)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
