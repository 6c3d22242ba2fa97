"""Build the course's JupyterLite site (``make lite``): the learner-facing notebooks in a lab that runs in the
browser, on Pyodide, with no install and no network once loaded.

    python lite/build.py [--out build/lite] [--force]

Everything comes from the package registries at build time and is served with the site:
- JupyterLite itself (PyPI: jupyterlite-core, jupyterlite-pyodide-kernel, the ``lite`` extra of the package);
- Pyodide's core runtime (npm: ``pyodide``, pinned in lite/package-lock.json), copied to ``static/pyodide/``;
- the pure-Python wheels of vnetlab and what it and the kernel need (PyPI, pinned in
  lite/requirements-pyodide.txt), beside it, with a Pyodide lock (``pyodide-lock.json``) that lists only them.
  Pyodide's own lock names wheels that neither registry serves, so the site makes its own; with it, the kernel
  resolves ``import vnetlab`` to the wheels and never falls back to a CDN or PyPI.

The site's ``jupyter-lite.json`` points the kernel at the local runtime (``pyodideUrl``) and turns off the PyPI
fallback; :func:`check_site` refuses a build where either is missing (an incremental ``jupyter lite build`` once
dropped ``pyodideUrl``, so every build starts clean).

A build is cached: the output folder holds the SHA-256 of its inputs (this folder, the package, the learner
notebooks), and a second run with the same inputs does nothing. Downloads are cached in ``build/lite-cache``.
"""
from __future__ import annotations

import argparse
import email
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name, parse_wheel_filename

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DEFAULT_OUT = ROOT / "build" / "lite"
CACHE = ROOT / "build" / "lite-cache"
PYODIDE_NPM = HERE / "node_modules" / "pyodide"
# The core runtime's files (npm package `pyodide`): all the kernel loads besides the wheels.
PYODIDE_FILES = ("pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip", "pyodide.js")
STAMP = ".vnetlab-inputs.sha256"
# The environment markers of Pyodide 314: Python 3.14 compiled to WebAssembly, sys.platform "emscripten".
EMSCRIPTEN = {"sys_platform": "emscripten", "platform_system": "Emscripten", "os_name": "posix",
              "python_version": "3.14", "python_full_version": "3.14.2", "implementation_name": "cpython",
              "platform_python_implementation": "CPython", "platform_machine": "wasm32", "extra": ""}
# Requirements that nobody serves in the lock, on purpose: the kernel provides a stand-in for widgetsnbextension.
NOT_SERVED = {"widgetsnbextension"}
DOWNLOAD = ["--only-binary=:all:", "--python-version", "3.14", "--implementation", "py", "--abi", "none",
            "--platform", "any"]


def learner_folders(root: Path = ROOT) -> list[Path]:
    """The folders a learner gets in the browser, under their own names: the lessons (with the drills notebook)
    and the exercises. One place to change when the learner release tree (`vnetlab release`) replaces them."""
    return [root / "notebooks", root / "exercises"]


def run(*command: str | Path, cwd: Path = ROOT, env: dict | None = None) -> None:
    print("+", " ".join(map(str, command)), flush=True)
    subprocess.run([str(c) for c in command], cwd=cwd, check=True, env=env)


def tree_digest(*sources: Path) -> str:
    """SHA-256 over the files (names and contents) of ``sources``, folders walked in order; caches are skipped."""
    digest = hashlib.sha256()
    for source in sources:
        files = sorted(p for p in source.rglob("*") if p.is_file()) if source.is_dir() else [source]
        for path in files:
            if "__pycache__" in path.parts or ".ipynb_checkpoints" in path.parts or not path.exists():
                continue
            digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def inputs_digest() -> str:
    """SHA-256 over every file the site is made from, so an unchanged tree is not rebuilt."""
    return tree_digest(ROOT / "vnetlab", *learner_folders(), ROOT / "pyproject.toml",
                       *(HERE / name for name in ("build.py", "package.json", "package-lock.json", "jupyter-lite.json",
                                                  "requirements-pyodide.txt", "overrides.json")))


def is_current(out: Path, digest: str) -> bool:
    """Was ``out`` built from inputs with this digest (the stamp a finished build leaves)?"""
    return (out / STAMP).is_file() and (out / STAMP).read_text().strip() == digest


def pinned_requirements() -> list[Requirement]:
    lines = (HERE / "requirements-pyodide.txt").read_text(encoding="utf-8").splitlines()
    return [Requirement(line.split("#")[0].strip()) for line in lines if line.split("#")[0].strip()]


def download_wheels(wheels: Path) -> None:
    """The pinned wheels (cached), PyYAML repacked as a pure wheel, and vnetlab's own wheel, into ``wheels``."""
    downloads = CACHE / "downloads"
    downloads.mkdir(parents=True, exist_ok=True)
    pure = [r for r in pinned_requirements() if canonicalize_name(r.name) != "pyyaml"]
    run(sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", *DOWNLOAD, "-d", downloads,
        *map(str, pure))
    pyyaml = next(r for r in pinned_requirements() if canonicalize_name(r.name) == "pyyaml")
    run(sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:", "--python-version",
        "3.14", "--platform", "manylinux_2_17_x86_64", "-d", downloads, str(pyyaml))
    wanted = {canonicalize_name(r.name): str(next(iter(r.specifier)).version) for r in pinned_requirements()}
    for wheel in downloads.glob("*.whl"):
        name, version, *_ = parse_wheel_filename(wheel.name)
        if wanted.get(name) != str(version):
            continue
        if name == "pyyaml":
            repack_pure(wheel, wheels)
        else:
            shutil.copy2(wheel, wheels / wheel.name)
    run(sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", wheels, ROOT)
    missing = set(wanted) - {parse_wheel_filename(w.name)[0] for w in wheels.glob("*.whl")}
    if missing:
        raise SystemExit(f"lite: no wheel downloaded for {sorted(missing)}")


def repack_pure(wheel: Path, wheels: Path) -> None:
    """PyYAML's Python code without its C extension (``yaml`` falls back to the pure loader and dumper), as a
    ``py3-none-any`` wheel: PyPI has no PyYAML wheel for the browser."""
    name, version, *_ = parse_wheel_filename(wheel.name)
    target = wheels / f"PyYAML-{version}-py3-none-any.whl"
    with zipfile.ZipFile(wheel) as source, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for item in source.infolist():
            if item.filename.endswith(".so") or item.filename.endswith("/RECORD"):
                continue
            data = source.read(item)
            if item.filename.endswith(".dist-info/WHEEL"):
                data = b"Wheel-Version: 1.0\nGenerator: vnetlab lite/build.py\nRoot-Is-Purelib: true\n" \
                       b"Tag: py3-none-any\n"
            out.writestr(item.filename, data)
        dist_info = next(n for n in source.namelist() if n.endswith(".dist-info/RECORD")).rsplit("/", 1)[0]
        out.writestr(f"{dist_info}/RECORD", "")


def wheel_metadata(wheel: Path) -> tuple[list[str], list[Requirement]]:
    """The top-level import names and the requirements (for the browser) of ``wheel``."""
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        meta = email.message_from_bytes(archive.read(next(n for n in names if n.endswith(".dist-info/METADATA"))))
    tops = set()
    for name in names:
        head = name.split("/", 1)[0]
        if head.endswith((".dist-info", ".data")) or head.startswith("_") and head != "_yaml":
            continue
        if "/" in name and name.endswith(".py") or name.endswith("/__init__.py"):
            tops.add(head)
        elif "/" not in name and name.endswith(".py"):
            tops.add(name[:-3])
    requirements = [Requirement(r) for r in meta.get_all("Requires-Dist") or []]
    return sorted(tops), [r for r in requirements if r.marker is None or r.marker.evaluate(EMSCRIPTEN)]


def write_lock(pyodide_dir: Path) -> dict:
    """A Pyodide lock that lists exactly the wheels in ``pyodide_dir`` (and the runtime's ``info``)."""
    upstream = json.loads((PYODIDE_NPM / "pyodide-lock.json").read_text(encoding="utf-8"))
    packages = {}
    for wheel in sorted(pyodide_dir.glob("*.whl")):
        name, version, *_ = parse_wheel_filename(wheel.name)
        imports, requirements = wheel_metadata(wheel)
        packages[str(name)] = {
            "name": str(name), "version": str(version), "file_name": wheel.name, "install_dir": "site",
            "sha256": hashlib.sha256(wheel.read_bytes()).hexdigest(), "package_type": "package",
            "imports": imports, "depends": sorted({str(canonicalize_name(r.name)) for r in requirements}),
            "unvendored_tests": False, "shared_library": False,
        }
    unserved = {(name, dep) for name, spec in packages.items() for dep in spec["depends"]
                if dep not in packages and dep not in NOT_SERVED}
    if unserved:
        raise SystemExit(f"lite: wheels require packages the site does not serve: {sorted(unserved)} -- "
                         "add them to lite/requirements-pyodide.txt")
    for spec in packages.values():
        spec["depends"] = [dep for dep in spec["depends"] if dep in packages]
    lock = {"info": upstream["info"], "packages": packages}
    (pyodide_dir / "pyodide-lock.json").write_text(json.dumps(lock, indent=1, sort_keys=True), encoding="utf-8")
    return lock


def stage_contents(contents: Path) -> None:
    """The learner folders, by name, with their notebooks only (no checkpoints, no answer files)."""
    for folder in learner_folders():
        for path in sorted(folder.rglob("*")):
            if path.is_file() and ".ipynb_checkpoints" not in path.parts and path.suffix in {".ipynb", ".md"}:
                target = contents / folder.name / path.relative_to(folder)
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(path, target)


def check_site(out: Path) -> None:
    """Refuse a site whose kernel would reach for a CDN or PyPI."""
    config = json.loads((out / "jupyter-lite.json").read_text(encoding="utf-8"))["jupyter-config-data"]
    kernel = config["litePluginSettings"]["@jupyterlite/pyodide-kernel-extension:kernel"]
    if kernel.get("pyodideUrl") != "./static/pyodide/pyodide.mjs" or kernel.get("disablePyPIFallback") is not True:
        raise SystemExit(f"lite: the built jupyter-lite.json does not pin the local Pyodide: {kernel}")
    for name in (*PYODIDE_FILES, "pyodide-lock.json"):
        if not (out / "static" / "pyodide" / name).is_file():
            raise SystemExit(f"lite: static/pyodide/{name} is missing from the site")


def build(out: Path, force: bool = False) -> Path:
    digest = inputs_digest()
    if not force and is_current(out, digest):
        print(f"lite: {out} is up to date with its inputs")
        return out
    wanted = json.loads((HERE / "package.json").read_text(encoding="utf-8"))["dependencies"]["pyodide"]
    installed = PYODIDE_NPM / "package.json"
    if not installed.is_file() or json.loads(installed.read_text(encoding="utf-8"))["version"] != wanted:
        run("npm", "ci", "--no-audit", "--no-fund", "--loglevel=error", cwd=HERE)
    work = CACHE / "work"
    shutil.rmtree(work, ignore_errors=True)
    wheels = work / "pyodide"
    wheels.mkdir(parents=True)
    download_wheels(wheels)
    for name in PYODIDE_FILES:
        shutil.copy2(PYODIDE_NPM / name, wheels / name)
    write_lock(wheels)
    contents = work / "contents"
    stage_contents(contents)
    lite_dir = work / "lite-dir"
    lite_dir.mkdir()
    shutil.copy2(HERE / "jupyter-lite.json", lite_dir / "jupyter-lite.json")
    shutil.copy2(HERE / "overrides.json", lite_dir / "overrides.json")
    shutil.rmtree(out, ignore_errors=True)
    run(sys.executable, "-m", "jupyter", "lite", "build", "--lite-dir", lite_dir, "--contents", contents,
        "--output-dir", out, "--no-sourcemaps", cwd=work)
    shutil.copytree(wheels, out / "static" / "pyodide", dirs_exist_ok=True)
    check_site(out)
    (out / STAMP).write_text(digest + "\n")
    print(f"lite: built {out}")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="the site's folder (default build/lite)")
    parser.add_argument("--force", action="store_true", help="rebuild even when the inputs are unchanged")
    args = parser.parse_args(argv)
    build(args.out.resolve(), args.force)
    return 0


if __name__ == "__main__":
    sys.exit(main())
