"""Where a submission runs: a sandbox of its own (bubblewrap on Linux, else a container), or, when the instructor
says so, none.

Threat model. A submission is code written by someone who may want more points, or to spoil the batch: it may
look for the instructor's ``solutions/`` and run them, read other learners' files, rewrite the gradebook after
the grader wrote it, start a process that outlives the grader, snoop on the grader through ``/proc``, use the
network, or print until the grader runs out of memory. Spotting such code in the notebook cannot win (it can be
written in endless ways), so each submission runs where none of that exists:

* ``bwrap`` (Debian's ``bubblewrap``): a PID namespace of its own (every process the notebook starts dies with
  it, whatever session it put itself in), no network (a network namespace with only its own loopback), no IPC
  or host name shared, a fresh ``/proc`` that shows only the sandbox's processes, the system directories and the
  Python environment read-only, and a private writable scratch folder (a size-capped ``tmpfs``, gone when the
  sandbox ends) holding the copy of that one submission. The repository, ``solutions/``, the output folder, the
  other submissions and the grader's home are not there at all. vnetlab itself comes from a *grader
  environment* (:func:`grader_env`): a copy of the installed package's files, not the editable checkout, so
  nothing reachable from ``vnetlab.__file__`` leads to the solutions. The environment is cleared (no
  variables of the grader's leak in) and the sandbox gets a new session (no terminal to inject keys into).
* ``container`` (docker or podman, for macOS, Windows or a kernel where bubblewrap cannot run): the same run in a
  container of an image built from the project's files, with ``--network none``, a read-only root, a size-capped
  ``tmpfs`` scratch folder, a process limit, and all capabilities dropped.
* ``none`` (``--no-sandbox``): the notebook runs with the grader's rights; every gradebook row and feedback file
  says so.

In every case the submission goes in, and its result comes out, through a pipe: the job (notebook, answers
file, time limits) on the runner's standard input, the result (answers as data, cell errors) on its standard
output, read by the grader with a size cap. The result is only a claim: every check runs in the grader, on that
data (see :mod:`vnetlab.grading.grader`).
"""
from __future__ import annotations

import compileall
import functools
import hashlib
import os
import secrets
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from ..errors import SandboxError
from .release import strip_hidden

KINDS = ("bwrap", "container", "none")
BWRAP = "bwrap"
SCRATCH = "/home/learner"         # the submission's folder inside a sandbox
SCRATCH_MB = 256                  # size cap of that folder, and of /tmp, in a sandbox
PIDS_LIMIT = 512                  # processes in a container (bubblewrap: the PID namespace dies with the run)
SYSTEM_DIRS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc")
RUNNER = ("-m", "vnetlab.grading.runner")
IMAGE = "vnetlab-grader"
NO_SANDBOX_NOTE = "graded WITHOUT a sandbox (--no-sandbox): the notebook ran with the grader's rights"


@dataclass(frozen=True)
class Launch:
    """How the grader starts one runner: the command, its working folder and environment (None: inherited),
    the scratch folder to remove afterwards (no-sandbox only) and a container to kill (container only)."""

    argv: list[str]
    cwd: str | None = None
    env: dict[str, str] | None = None
    cleanup: Path | None = None
    container: tuple[str, str] | None = None   # (engine, name)


# --- the grader environment -------------------------------------------------------------------------------------
def _package_dir() -> Path:
    return Path(__file__).resolve().parents[1]


def package_files(package: Path | None = None) -> list[Path]:
    """The files a wheel of vnetlab holds, relative to the package folder: every module and every data file
    (``pyproject.toml`` packages all of ``vnetlab/data``; ``tests/test_grading_sandbox.py`` checks the two agree),
    without byte code."""
    package = package or _package_dir()
    files = [p for p in package.rglob("*") if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"]
    return sorted(p.relative_to(package) for p in files)


def dependency_paths() -> list[str]:
    """The running environment's site-packages: the grader environment takes its dependencies from there (no
    network needed), as plain path entries, so the ``.pth`` files in them (an editable vnetlab's finder) are
    not run."""
    paths = dict.fromkeys(sysconfig.get_paths()[key] for key in ("purelib", "platlib"))
    return [p for p in paths if Path(p).is_dir()]


def _cache_root() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "vnetlab"


def env_key(package: Path | None = None) -> str:
    """Changes whenever the package's files, the interpreter or the dependency folders change."""
    package = package or _package_dir()
    digest = hashlib.sha256()
    for rel in package_files(package):
        digest.update(str(rel).encode() + b"\0" + (package / rel).read_bytes() + b"\0")
    digest.update(f"{sys.version}\0{sys._base_executable}\0{dependency_paths()}".encode())  # type: ignore[attr-defined]
    return digest.hexdigest()[:16]


def _site_packages(env: Path) -> Path:
    return env / "lib" / f"python{sys.version_info[0]}.{sys.version_info[1]}" / "site-packages"


@functools.lru_cache(maxsize=None)
def grader_env(root: Path | None = None) -> Path:
    """The grader environment's Python: a venv (made once, reused, made anew when the package changes) holding a
    copy of vnetlab's package files as a learner release has them (hidden checks removed,
    :func:`vnetlab.grading.release.strip_hidden`), byte-compiled, and taking its dependencies from the running
    environment. The hidden checks run only in the grader, on the answers the sandbox sends back.

    It is what a wheel install gives (the files ``pyproject.toml`` packages), made without a build backend so
    it works offline with whatever setuptools is installed."""
    root = root or _cache_root()
    final = root / f"grader-env-{env_key()}"
    python = final / "bin" / "python"
    if python.exists():
        os.utime(final)  # in use: kept by prune_grader_envs
        return python
    root.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".grader-env-", dir=root))
    try:
        subprocess.run([sys._base_executable, "-m", "venv", "--without-pip", str(work)],  # type: ignore[attr-defined]
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        site = _site_packages(work)
        package = _package_dir()
        for rel in package_files(package):
            target = site / "vnetlab" / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            if rel.suffix == ".py":  # the learner's package: a notebook in the sandbox cannot run a hidden check
                target.write_text(strip_hidden((package / rel).read_text(encoding="utf-8"), str(rel)),
                                  encoding="utf-8")
            else:
                shutil.copyfile(package / rel, target)
        (site / "vnetlab-grader-deps.pth").write_text("".join(p + "\n" for p in dependency_paths()))
        compileall.compile_dir(str(site / "vnetlab"), quiet=1, ddir=str(_site_packages(final) / "vnetlab"))
        try:
            work.rename(final)
        except OSError:  # another grader made it meanwhile
            if not python.exists():
                raise
    finally:
        shutil.rmtree(work, ignore_errors=True)
    prune_grader_envs(root, keep=final)
    return python


ENV_UNUSED_DAYS = 14


def prune_grader_envs(root: Path, keep: Path, unused_days: float = ENV_UNUSED_DAYS) -> list[Path]:
    """Remove grader environments of older package versions that no grading has used for ``unused_days``:
    every change to the package makes a new one (about the package's size each), and another checkout or
    course version sharing the cache may still use a recent one, so only stale ones go."""
    cutoff = time.time() - unused_days * 86400
    removed = []
    for env in root.glob("grader-env-*"):
        if env != keep and env.is_dir() and env.stat().st_mtime < cutoff:
            shutil.rmtree(env, ignore_errors=True)
            removed.append(env)
    return removed


# --- bubblewrap ---------------------------------------------------------------------------------------------------
def bwrap_problem() -> str | None:
    """Why bubblewrap cannot run sandboxes here (None: it can). Tries the namespaces the sandbox uses."""
    if not sys.platform.startswith("linux"):
        return f"bubblewrap is Linux only (this is {sys.platform})"
    exe = shutil.which(BWRAP)
    if not exe:
        return "bubblewrap is not installed (Debian/Ubuntu: apt-get install bubblewrap)"
    try:
        probe = subprocess.run([exe, "--unshare-all", "--die-with-parent", "--ro-bind", "/", "/", "--proc", "/proc",
                                "true"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"bubblewrap could not be started ({exc})"
    if probe.returncode:
        detail = probe.stderr.decode(errors="replace").strip().splitlines()
        return ("bubblewrap cannot create namespaces here (" + (detail[-1] if detail else f"exit {probe.returncode}")
                + "; user namespaces may be switched off for normal users)")
    return None


def _binds(python: Path) -> list[str]:
    args: list[str] = []
    for path in SYSTEM_DIRS:
        p = Path(path)
        if p.is_symlink():
            args += ["--symlink", os.readlink(p), path]
        elif p.is_dir():
            args += ["--ro-bind", path, path]
    env = python.parent.parent
    extra = [sys.base_prefix, str(env), *dependency_paths()]
    for path in dict.fromkeys(extra):
        if not any(path == d or path.startswith(d + "/") for d in SYSTEM_DIRS):
            args += ["--ro-bind", path, path]
    return args


def bwrap_launch(python: Path) -> Launch:
    """``bwrap ... python -m vnetlab.grading.runner``: see the module's docstring for what the sandbox holds."""
    size = str(SCRATCH_MB * 1024 * 1024)
    # The empty /tmp comes first: a later mount hides an earlier one below it, and the Python environment (a
    # checkout's .venv) may itself live under /tmp.
    argv = [shutil.which(BWRAP) or BWRAP, "--unshare-all", "--die-with-parent", "--new-session", "--clearenv",
            "--size", size, "--tmpfs", "/tmp",
            *_binds(python),
            "--proc", "/proc", "--dev", "/dev",
            "--size", size, "--tmpfs", SCRATCH,
            "--chdir", SCRATCH, "--hostname", "vnetlab-sandbox",
            *_setenv(SCRATCH), "--", str(python), *RUNNER]
    return Launch(argv)


def _setenv(home: str) -> list[str]:
    env = sandbox_env(home)
    return [arg for name, value in env.items() for arg in ("--setenv", name, value)]


def sandbox_env(home: str) -> dict[str, str]:
    """The whole environment inside a sandbox: nothing of the grader's."""
    return {"HOME": home, "PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8", "TMPDIR": "/tmp",
            "PYTHONDONTWRITEBYTECODE": "1", "PYTHONNOUSERSITE": "1", "MPLBACKEND": "Agg"}


# --- a container ----------------------------------------------------------------------------------------------------
CONTAINERFILE = """\
FROM python:{major}.{minor}-slim
RUN useradd --create-home learner
COPY pyproject.toml README.md /src/
COPY vnetlab /src/vnetlab
RUN pip install --no-cache-dir /src && rm -rf /src
USER learner
WORKDIR {scratch}
"""


def container_engines() -> dict[str, bool]:
    """The container engines installed, each with whether it answers (docker's daemon may not be running)."""
    found = {}
    for engine in ("podman", "docker"):
        if shutil.which(engine):
            try:
                found[engine] = subprocess.run([engine, "info"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                               timeout=30).returncode == 0
            except (OSError, subprocess.TimeoutExpired):
                found[engine] = False
    return found


def container_engine() -> str | None:
    """The first container engine that answers, or None."""
    return next((e for e, works in container_engines().items() if works), None)


def container_image(engine: str) -> str:
    """Build (once per package version) the grader image from the project's files: a non-editable install of
    vnetlab, so nothing in the container leads to the solutions. Building needs the base image and the
    dependencies from the network, once; grading does not."""
    tag = f"{IMAGE}:{env_key()}"
    if subprocess.run([engine, "image", "inspect", tag], stdout=subprocess.DEVNULL,
                      stderr=subprocess.DEVNULL).returncode == 0:
        return tag
    checkout = _package_dir().parent
    if not (checkout / "pyproject.toml").is_file():
        raise SandboxError(f"--sandbox container builds its image from a checkout of vnetlab; {checkout} is not one.",
                           value=str(checkout), rule="container image from the project's files")
    with tempfile.TemporaryDirectory(prefix="vnetlab-image-") as ctx:
        shutil.copy(checkout / "pyproject.toml", ctx)
        shutil.copy(checkout / "README.md", ctx)
        shutil.copytree(_package_dir(), Path(ctx) / "vnetlab", ignore=shutil.ignore_patterns("__pycache__"))
        (Path(ctx) / "Containerfile").write_text(CONTAINERFILE.format(
            major=sys.version_info[0], minor=sys.version_info[1], scratch=SCRATCH))
        built = subprocess.run([engine, "build", "-t", tag, "-f", str(Path(ctx) / "Containerfile"), ctx],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    if built.returncode:
        tail = built.stderr.decode(errors="replace").strip().splitlines()[-3:]
        raise SandboxError(f"{engine} could not build the grader image {tag}: {' / '.join(tail)}", value=tag,
                           rule="container image from the project's files")
    return tag


def container_launch(engine: str, image: str, memory_limit: int | None) -> Launch:
    name = f"vnetlab-grade-{secrets.token_hex(8)}"
    argv = [engine, "run", "--rm", "-i", "--name", name, "--network", "none", "--read-only", "--cap-drop", "ALL",
            "--security-opt", "no-new-privileges", "--pids-limit", str(PIDS_LIMIT),
            "--tmpfs", f"/tmp:size={SCRATCH_MB}m", "--tmpfs", f"{SCRATCH}:size={SCRATCH_MB}m,uid=1000",
            "-w", SCRATCH]
    if memory_limit:
        argv += ["--memory", f"{memory_limit + SCRATCH_MB * 2}m"]
    for key, value in sandbox_env(SCRATCH).items():
        if key != "PATH":
            argv += ["-e", f"{key}={value}"]
    return Launch([*argv, image, "python", *RUNNER], container=(engine, name))


# --- no sandbox --------------------------------------------------------------------------------------------------
def unsandboxed_launch() -> Launch:
    """The runner with this process's Python and rights, in a scratch folder on this machine."""
    scratch = Path(tempfile.mkdtemp(prefix="vnetlab-grade-"))
    env = {**os.environ, "HOME": str(scratch)}
    return Launch([sys.executable, *RUNNER], cwd=str(scratch), env=env, cleanup=scratch)


# --- choosing ----------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Sandbox:
    """The sandbox a batch runs in, checked once before the first submission."""

    kind: str
    python: Path | None = None     # bwrap: the grader environment's Python
    engine: str | None = None      # container: docker or podman
    image: str | None = None

    def launch(self, memory_limit: int | None = None) -> Launch:
        if self.kind == "bwrap":
            assert self.python is not None
            return bwrap_launch(self.python)
        if self.kind == "container":
            assert self.engine and self.image
            return container_launch(self.engine, self.image, memory_limit)
        return unsandboxed_launch()

    @property
    def label(self) -> str:
        return {"bwrap": "bubblewrap", "container": f"container ({self.engine})"}.get(self.kind, "none")


def prepare(kind: str) -> Sandbox:
    """Check that sandbox ``kind`` can run here, and make what it needs (the grader environment, the image).

    SandboxError, naming what is missing and the two ways on, when it cannot: grading never falls back to
    running learners' code unsandboxed on its own."""
    if kind not in KINDS:
        raise SandboxError(f"sandbox {kind!r}: use one of {', '.join(KINDS)}.", value=kind, rule="sandbox kind")
    if kind == "none":
        return Sandbox("none")
    if kind == "bwrap":
        problem = bwrap_problem()
        if problem is None:
            try:
                return Sandbox("bwrap", python=grader_env())
            except (OSError, subprocess.CalledProcessError) as exc:
                raise SandboxError(f"Cannot make the grader environment under {_cache_root()} ({exc}); set "
                                   "XDG_CACHE_HOME to a folder you can write to.", value=str(_cache_root()),
                                   rule="grader environment") from None
        engines = container_engines()
        working = [e for e, works in engines.items() if works]
        other = (f"use `--sandbox container` ({working[0]} answers)" if working else
                 f"install bubblewrap, or start {' or '.join(engines)} for `--sandbox container`" if engines else
                 "install bubblewrap, or docker or podman for `--sandbox container`")
        raise SandboxError(f"Cannot sandbox the submissions: {problem}. Learner code must not run with your "
                           f"rights: {other}, or pass `--no-sandbox` to grade without one (every gradebook row "
                           "and feedback file will say so).", value=BWRAP, rule="submissions run sandboxed")
    engine = container_engine()
    if engine is None:
        installed = " and ".join(container_engines())
        state = f"{installed} installed, not answering" if installed else "neither is installed"
        raise SandboxError(f"`--sandbox container` needs docker or podman, answering ({state}); start or install "
                           "one, or use bubblewrap (Linux), or pass `--no-sandbox`.", value=kind,
                           rule="submissions run sandboxed")
    return Sandbox("container", engine=engine, image=container_image(engine))
