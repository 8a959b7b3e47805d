"""One output policy for every command that writes results (run, compare, share, sweep,
sensitivity, export, plot, report, plants).

* A command writes only inside its output folder: `OutputFolder.path` refuses a name that
  leads out of it (absolute, `..`), and a scenario's or study's name must be a plain file
  name to make a results folder (`results_folder`).
* An output folder never holds inputs: `check_output_folder` refuses a folder that holds a
  data set (`dataset.yaml`) other than one `abatelink plants` wrote there, that is, or lies
  above, an input the command reads (the data set folder, a scenario or study file, a run
  folder), or a file where a folder is expected.
* Every write is atomic: a temporary file in the same folder, then `os.replace`, so a file is
  either its old or its new self, never half written. Files a library writes into a folder
  (figures, a plant data set) are written into a staging folder first, then moved in.
* The manifest (`manifest.json`: each file written with its size and SHA-256, the package
  version, the command) is written last. When a folder is used again, the files the previous
  manifest lists that this command did not write again are removed (stale outputs, e.g.
  projects.csv of an earlier scenario), and only if unchanged since they were written;
  nothing the manifest does not list is ever removed.
* One folder, one command, one manifest: a folder's manifest lists what that command wrote in
  it, and a folder holding another command's results is refused. So the commands that read a
  run folder write into subfolders of it, each an output folder with its own manifest:
  `export/` (export), `figures/` (plot), `report/` (report); so do `compare` (`a/`, `b/`) and
  `sensitivity` (`sensitivity/`). A run folder's manifest lists the run's files; each
  subfolder's manifest lists its own. Running one command again never removes, or rewrites
  the manifest of, another command's files, and two commands never share a lock.
* A lock file (`.abatelink.lock`: pid, host, start time, command) keeps a second command off
  a folder while the first writes to it; a stale lock (its process gone, on this host) is
  taken over with a warning.

Errors: a folder that may not be used is an `InputError` (exit 4); a folder that cannot be
written (read-only, disk full, a file in the way) an `OutputError` (exit 6).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import hashlib
import json
import os
import secrets
import shutil
import socket
import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from abatelink.errors import InputError, OutputError
from abatelink.version import __version__

MANIFEST = "manifest.json"
LOCK = ".abatelink.lock"
_TEMPORARY = ".tmp"
_command = "abatelink (Python API)"


def set_command(argv: Iterable[str]) -> None:
    """Record the command line the manifests name (the CLI calls this)."""
    global _command
    _command = " ".join(str(a) for a in argv)


def warn(text: str) -> None:
    """One line on stderr: something the user should know, not an error."""
    print(f"warning: {text}", file=sys.stderr)


# --- names and paths -------------------------------------------------------------------------


def plain_name(name: str) -> str | None:
    """Why `name` cannot be a file name inside a results folder, or None if it can."""
    if not name or not name.strip():
        return "expected a name, found nothing"
    if not name.isprintable():
        return "expected a name without control characters (line breaks, NUL, ...)"
    if set(name) & set("/\\") or name in (".", "..") or Path(name).is_absolute():
        return "expected a plain file name: no '/' or '\\', not '.' or '..'"
    return None


def results_folder(base: Path, name: str, source: str | Path, key: str = "name") -> Path:
    """`base/name`, refused unless `name` is a plain name, so the folder stays inside `base`."""
    problem = plain_name(name)
    if problem is None:
        folder = (Path(base) / name).resolve()
        if folder.parent == Path(base).resolve():
            return Path(base) / name
        problem = "leads outside the results folder"
    raise InputError(source, f"{problem}, found {name!r}", key=key)


def inside(path: Path, folder: Path) -> bool:
    """True when `path` (resolved, symbolic links followed) lies in `folder` or is it."""
    path, folder = Path(os.path.realpath(path)), Path(os.path.realpath(folder))
    return path == folder or folder in path.parents


def relative_name(name: str | Path) -> str:
    """A relative path inside a folder, '/'-separated; `ValueError` if it could leave it."""
    text = str(name).replace("\\", "/")
    parts = [p for p in text.split("/") if p not in ("", ".")]
    if not text or text.startswith("/") or Path(text).is_absolute() or not parts:
        raise ValueError(f"expected a relative path inside the output folder, found {name!r}")
    if ".." in parts or "\x00" in text or not text.isprintable():
        raise ValueError(f"expected a relative path inside the output folder, found {name!r}")
    return "/".join(parts)


def check_output_folder(
    folder: Path, inputs: Iterable[Path] = (), *, dataset_allowed: bool = False
) -> None:
    """Refuse an output folder that holds inputs, or that is a file.

    inputs: files and folders the command reads; the output folder may be neither one of
    them nor lie above one. dataset_allowed: a folder holding `dataset.yaml` is accepted (a
    data set `abatelink plants` wrote and writes again).
    """
    folder = Path(folder)
    _check_is_folder(folder)
    if not dataset_allowed and (folder / "dataset.yaml").exists():
        raise InputError(
            folder,
            "holds a data set (dataset.yaml): results are never written among inputs; "
            "choose another output folder",
        )
    for given in inputs:
        if given is not None and inside(given, folder):
            what = (
                "is"
                if Path(os.path.realpath(given)) == Path(os.path.realpath(folder))
                else ("holds")
            )
            raise InputError(
                folder,
                f"{what} an input of this command ({given}): results are never written "
                "among inputs; choose another output folder",
            )


def _check_is_folder(folder: Path) -> None:
    """An `OutputError` when the folder, or a folder above it, is a file."""
    for candidate in (folder, *folder.parents):
        if candidate.exists() or candidate.is_symlink():
            if not candidate.is_dir():
                raise OutputError(candidate, "is a file, not a folder: cannot write results there")
            return


# --- files -----------------------------------------------------------------------------------


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def files_digest(folder: Path, suffixes: Iterable[str] = (".csv", ".yaml", ".yml")) -> str:
    """SHA-256 over the names and bytes of a folder's files with these suffixes."""
    digest = hashlib.sha256()
    wanted = tuple(suffixes)
    for file in sorted(Path(folder).glob("*")):
        if file.suffix in wanted and file.is_file():
            digest.update(file.name.encode())
            digest.update(file.read_bytes())
    return digest.hexdigest()


def _temporary(path: Path) -> Path:
    """A fresh name beside `path` that keeps its suffix (some writers go by the suffix)."""
    tag = f"{os.getpid()}-{secrets.token_hex(4)}"
    return path.with_name(f".{path.name}.{tag}{_TEMPORARY}{path.suffix}")


@contextlib.contextmanager
def writing(path: Path) -> Iterator[None]:
    """Turn an `OSError` while writing `path` into an `OutputError` naming it."""
    try:
        yield
    except OSError as err:
        if isinstance(err, BrokenPipeError):
            raise
        raise OutputError(err.filename or path, _reason(err)) from None


def _reason(err: OSError) -> str:
    known = {
        errno.EROFS: "the file system is read-only",
        errno.ENOSPC: "no space left on the device (disk full)",
        errno.EDQUOT: "disk quota exceeded",
        errno.EACCES: "permission denied",
        errno.EPERM: "permission denied",
        errno.ENOTDIR: "a file is in the way where a folder is expected",
        errno.EEXIST: "a file is in the way where a folder is expected",
        errno.EISDIR: "a folder is in the way where a file is expected",
        errno.ENAMETOOLONG: "the name is too long",
    }
    return "cannot write: " + known.get(err.errno, err.strerror or str(err))


def atomic_write(path: Path, write: Callable[[Path], Any]) -> Path:
    """Call `write(temporary)` for a temporary file beside `path`, then rename it to `path`.

    A failure leaves `path` as it was and no temporary file behind.
    """
    path = Path(path)
    temporary = _temporary(path)
    with writing(path):
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            write(temporary)
            os.replace(temporary, path)
        except BaseException:
            with contextlib.suppress(OSError):
                temporary.unlink()
            raise
    return path


def write_text(path: Path, text: str) -> Path:
    return atomic_write(path, lambda p: p.write_text(text, encoding="utf-8"))


# --- the lock ----------------------------------------------------------------------------------


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, ValueError):
        return True
    return True


class Lock:
    """A lock file in a folder: who holds it (pid, host, start time, command)."""

    def __init__(self, folder: Path) -> None:
        self.path = Path(folder) / LOCK
        self.held = False

    def acquire(self) -> None:
        mine = {
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "started": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "command": _command,
        }
        text = json.dumps(mine, indent=1) + "\n"
        with writing(self.path):
            for _ in range(3):
                if self._create(text):
                    self.held = True
                    return
                self._take_over_if_stale()
        raise InputError(self.path, "could not take the lock: another command keeps taking it")

    def _create(self, text: str) -> bool:
        """Create the lock file with its content in one step (a hard link of a full file)."""
        temporary = _temporary(self.path)
        temporary.write_text(text)
        try:
            os.link(temporary, self.path)
            return True
        except FileExistsError:
            return False
        except OSError as err:  # no hard links here (some network or FAT file systems)
            if err.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV):
                raise
            try:
                with open(self.path, "x") as stream:
                    stream.write(text)
                return True
            except FileExistsError:
                return False
        finally:
            with contextlib.suppress(OSError):
                temporary.unlink()

    def _take_over_if_stale(self) -> None:
        try:
            text = self.path.read_text()
        except FileNotFoundError:
            return  # released meanwhile: try again
        holder = _holder(text)
        here = socket.gethostname()
        if holder is not None and (holder["host"] != here or _alive(holder["pid"])):
            raise InputError(
                self.path,
                f"the folder is in use by process {holder['pid']} on {holder['host']} since "
                f"{holder.get('started', '?')} ({holder.get('command', '?')}): wait for it to "
                "finish, or remove this lock file if that process no longer runs",
            )
        aside = self.path.with_name(f"{LOCK}.stale-{os.getpid()}-{secrets.token_hex(4)}")
        try:
            os.rename(self.path, aside)
        except FileNotFoundError:
            return
        if aside.read_text() != text:  # someone else took it over meanwhile: give it back
            with contextlib.suppress(OSError):
                os.link(aside, self.path)
            aside.unlink()
            raise InputError(self.path, "the folder is in use by another command; try again")
        aside.unlink()
        if holder is None:
            warn(f"{self.path}: took over an unreadable lock file")
        else:
            warn(
                f"{self.path}: took over the stale lock of process {holder['pid']} on "
                f"{holder['host']} (started {holder.get('started', '?')}; it no longer runs)"
            )

    def release(self) -> None:
        if self.held:
            with contextlib.suppress(OSError):
                self.path.unlink()
            self.held = False


def _holder(text: str) -> dict[str, Any] | None:
    try:
        holder = json.loads(text)
    except ValueError:
        return None
    ok = isinstance(holder, dict) and isinstance(holder.get("pid"), int)
    return holder if ok and isinstance(holder.get("host"), str) else None


# --- the output folder ------------------------------------------------------------------------


def read_manifest(folder: Path) -> dict[str, Any] | None:
    """The folder's manifest, None if it has none; an `InputError` if it is not abatelink's."""
    path = Path(folder) / MANIFEST
    if not path.exists():
        return None
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, OSError):
        manifest = None
    if not isinstance(manifest, dict) or "abatelink" not in manifest:
        raise InputError(
            path,
            "is not a manifest written by abatelink: this folder holds something else; "
            "choose another output folder",
        )
    manifest.setdefault("kind", "sweep" if "study_digest" in manifest else "run")
    return manifest


def file_entry(folder: Path, path: Path, **extra: Any) -> dict[str, Any]:
    """A manifest entry: the path relative to the folder, its size and SHA-256."""
    relative = Path(path).resolve().relative_to(Path(folder).resolve()).as_posix()
    size = Path(path).stat().st_size
    return {"path": relative, "bytes": size, "sha256": sha256_of(path), **extra}


def entry_problem(folder: Path, entry: dict[str, Any]) -> str | None:
    """Why a manifest entry's file is not as written (missing, another size or checksum)."""
    try:
        path = Path(folder) / relative_name(entry["path"])
    except (KeyError, ValueError, TypeError):
        return "not a file of this folder"
    if not path.is_file():
        return "missing"
    if path.stat().st_size != entry.get("bytes"):
        return f"{path.stat().st_size} bytes, {entry.get('bytes')} written"
    if sha256_of(path) != entry.get("sha256"):
        return "its checksum differs from the manifest's"
    return None


class OutputFolder:
    """An output folder a command writes into, under the output policy (see the module).

    ```python
    with OutputFolder(folder, "run", inputs=[scenario_file, dataset_folder]) as out:
        out.write_csv("prices.csv", prices)
        out.finish()  # stale files removed, manifest written last
    ```
    Leaving the block without `finish` (an error) keeps the previous manifest: the next use
    of the folder still knows which files are abatelink's.
    """

    def __init__(
        self,
        folder: Path,
        kind: str,
        *,
        inputs: Iterable[Path | None] = (),
        dataset_allowed: bool = False,
    ) -> None:
        """dataset_allowed: the command writes a data set (`abatelink plants`); the folder may
        hold one if this command wrote it (its manifest says so)."""
        self.folder = Path(folder)
        self.kind = kind
        self.inputs = [Path(p) for p in inputs if p is not None]
        self.dataset_allowed = dataset_allowed
        self.previous: dict[str, Any] | None = None
        self.written: dict[str, dict[str, Any]] = {}
        self._lock = Lock(self.folder)
        self._created: list[Path] = []

    # opening and closing

    def __enter__(self) -> OutputFolder:
        self.open()
        return self

    def __exit__(self, kind: Any, error: Any, trace: Any) -> None:
        self.close(failed=error is not None)

    def open(self) -> OutputFolder:
        self.previous = read_manifest(self.folder)
        ours = self.previous is not None and self.previous["kind"] == self.kind
        dataset_allowed = self.dataset_allowed and ours
        check_output_folder(self.folder, self.inputs, dataset_allowed=dataset_allowed)
        if self.previous is not None and not ours:
            raise InputError(
                self.folder,
                f"holds the results of `abatelink {self.previous['kind']}`, not of "
                f"`abatelink {self.kind}`: choose another output folder",
            )
        self._created = [p for p in (self.folder, *self.folder.parents) if not p.exists()]
        with writing(self.folder):
            self.folder.mkdir(parents=True, exist_ok=True)
        try:
            self._lock.acquire()
        except BaseException:
            self._remove_created()
            raise
        return self

    def close(self, failed: bool = False) -> None:
        self._lock.release()
        if failed and not self.written:
            self._remove_created()

    def _remove_created(self) -> None:
        """Folders this command created and left empty go again."""
        for folder in sorted(self._created, key=lambda p: len(p.parts), reverse=True):
            with contextlib.suppress(OSError):
                folder.rmdir()

    # writing

    def path(self, name: str | Path) -> Path:
        """The path of `name` inside the folder; an `InputError` if it would lead out."""
        try:
            relative = relative_name(name)
        except ValueError as err:
            raise InputError(self.folder, str(err)) from None
        return self.folder / relative

    def write(self, name: str | Path, write: Callable[[Path], Any], **extra: Any) -> Path:
        """Write `name` atomically with `write(temporary path)` and record it."""
        path = atomic_write(self.path(name), write)
        self.record(path, **extra)
        return path

    def write_text(self, name: str, text: str) -> Path:
        return self.write(name, lambda p: p.write_text(text, encoding="utf-8"))

    def write_csv(self, name: str, frame: Any) -> Path:
        return self.write(name, lambda p: frame.to_csv(p, index=False))

    def write_json(self, name: str, data: Any) -> Path:
        return self.write_text(name, json.dumps(data, indent=2, default=str) + "\n")

    def write_folder(self, into: str | None, write: Callable[[Path], Iterable[Path]]) -> list[Path]:
        """Let `write(temporary folder)` write several files (a library's function that
        takes a folder), then move each into `into` (or the folder itself) atomically.

        Returns the final paths, in the order `write` returned them.
        """
        target = self.path(into) if into else self.folder
        staging = self.folder / f".staging-{os.getpid()}-{secrets.token_hex(4)}{_TEMPORARY}"
        try:
            with writing(staging):
                staging.mkdir()
                made = [Path(p) for p in write(staging)]
                final = []
                for path in made:
                    relative = Path(path).resolve().relative_to(staging.resolve())
                    destination = target / relative
                    destination.parent.mkdir(parents=True, exist_ok=True)
                    os.replace(path, destination)
                    self.record(destination)
                    final.append(destination)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        return final

    def record(self, path: Path, **extra: Any) -> None:
        """Count a file of the folder as written by this command (e.g. one HiGHS wrote)."""
        path = Path(path)
        if not inside(path, self.folder) or not path.is_file():
            return
        with writing(path):
            entry = file_entry(self.folder, path, **extra)
        self.written[entry["path"]] = entry

    def forget(self, name: str) -> None:
        self.written.pop(relative_name(name), None)

    # the manifest

    def finish(self, **extra: Any) -> Path:
        """Remove stale outputs, then write the manifest (last)."""
        self.remove_stale()
        return self.save_manifest(**extra)

    def save_manifest(self, **extra: Any) -> Path:
        manifest = {
            "abatelink": __version__,
            "kind": self.kind,
            "command": _command,
            "written": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            **extra,
            "files": sorted(self.written.values(), key=lambda e: e["path"]),
        }
        return write_text(self.folder / MANIFEST, json.dumps(manifest, indent=2) + "\n")

    def remove_stale(self) -> list[Path]:
        """Remove the previous manifest's files this command did not write again, if they are
        unchanged since; a changed one stays, with a warning."""
        removed = []
        for entry in (self.previous or {}).get("files", []):
            name = entry.get("path") if isinstance(entry, dict) else None
            try:
                relative = relative_name(name)
            except (ValueError, TypeError):
                continue
            if relative in self.written or relative == MANIFEST:
                continue
            path = self.folder / relative
            if not path.exists() or not inside(path, self.folder) or path.is_symlink():
                continue
            problem = entry_problem(self.folder, entry)
            if problem is not None:
                warn(f"{path}: an earlier output changed since it was written ({problem}): kept")
                continue
            with writing(path):
                path.unlink()
            removed.append(path)
            self._remove_empty_parents(path)
        return removed

    def _remove_empty_parents(self, path: Path) -> None:
        for parent in path.parents:
            if parent == self.folder or not inside(parent, self.folder):
                return
            try:
                parent.rmdir()
            except OSError:
                return
