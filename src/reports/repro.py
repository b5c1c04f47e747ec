"""The reproducibility footer: commit, corpus checksum, package versions, date of the run."""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import platform
import subprocess
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path

from helpers import paths

#: Packages whose versions every report's footer lists (those installed).
KEY_PACKAGES = (
    "pandas",
    "numpy",
    "scikit-learn",
    "matplotlib",
    "arabic-reshaper",
    "python-bidi",
    "pyyaml",
    "camel-tools",
    "nbclient",
    "nbconvert",
    "ipykernel",
)


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def corpus_files(corpus: str | Path | None) -> list[Path]:
    """The files a corpus consists of: the seed articles, one file, or every file of a folder.

    Hidden files are left out; for the seeds, so is the checksum file itself.
    """
    if corpus is None:
        return sorted(p for p in paths.SEEDS_DIR.glob("*.txt") if p.is_file())
    corpus = Path(corpus)
    if corpus.is_file():
        return [corpus]
    return sorted(
        p
        for p in corpus.rglob("*")
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(corpus).parts)
    )


def corpus_checksum(corpus: str | Path | None) -> tuple[str, int]:
    """sha256 of a ``sha256sum``-style manifest of the corpus files, and the number of files.

    The manifest has one ``<sha256>  <relative path>\\n`` line per file, sorted by path (the
    lines of ``seeds/SHA256SUMS`` for the seeds). Any changed, added or removed file changes it;
    moving the corpus folder does not. A file that cannot be read has ``unreadable`` in place
    of its digest (the load report says why), so the footer is written whatever the corpus.
    """
    files = corpus_files(corpus)
    base = paths.SEEDS_DIR if corpus is None else Path(corpus)
    lines = []
    for f in files:
        rel = f.name if base.is_file() else f.relative_to(base).as_posix()
        try:
            digest = _sha256_file(f)
        except OSError:
            digest = "unreadable"
        lines.append((rel, f"{digest}  {rel}\n"))
    manifest = "".join(line for _, line in sorted(lines))
    return hashlib.sha256(manifest.encode("utf-8")).hexdigest(), len(files)


def git_commit(root: Path | None = None) -> str:
    """The checked-out commit (short hash, ``+ uncommitted changes`` when the tree is dirty)."""
    root = Path(root or paths.PROJECT_ROOT)
    try:
        sha = subprocess.run(
            ["git", "rev-parse", "--short=12", "HEAD"],
            cwd=root,
            capture_output=True,
            text=True,
            check=True,
            timeout=20,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=root,
            capture_output=True,
            text=True,
            check=True,
            timeout=20,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "not a git checkout"
    return f"{sha} + uncommitted changes" if dirty else sha


def package_versions(names: Sequence[str] = KEY_PACKAGES) -> dict[str, str]:
    """Python's version and the installed version of each named package (missing ones left out)."""
    versions = {"python": platform.python_version()}
    for name in names:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return versions


def reproducibility(corpus: str | Path | None, reference: str | Path | None = None) -> dict:
    """The facts every footer shows: commit, corpus (and reference corpus) with checksums,
    packages, run date."""
    sha, n_files = corpus_checksum(corpus)
    label = "the five seed articles (seeds/)" if corpus is None else str(Path(corpus).resolve())
    facts = {}
    if reference is not None:
        ref_sha, ref_files = corpus_checksum(reference)
        facts = {
            "reference": str(Path(reference).resolve()),
            "reference_sha256": ref_sha,
            "reference_files": ref_files,
        }
    return facts | {
        "commit": git_commit(),
        "corpus": label,
        "corpus_sha256": sha,
        "corpus_files": n_files,
        "packages": package_versions(),
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }


def footer_html(repro: dict, notebook: str | None = None, seconds: float | None = None) -> str:
    """The reproducibility footer as HTML (left to right, values escaped)."""
    e = html.escape
    n = repro["corpus_files"]
    rows = []
    if notebook:
        rows.append(("Notebook", f"<code>{e(notebook)}</code>"))
    rows += [
        ("Commit", f"<code>{e(repro['commit'])}</code>"),
        (
            "Corpus",
            f"{e(repro['corpus'])} ({n} file{'' if n == 1 else 's'}), "
            f"sha256 <code>{e(repro['corpus_sha256'])}</code>",
        ),
    ]
    if "reference" in repro:
        m = repro["reference_files"]
        rows.append(
            (
                "Reference corpus",
                f"{e(repro['reference'])} ({m} file{'' if m == 1 else 's'}), "
                f"sha256 <code>{e(repro['reference_sha256'])}</code>",
            )
        )
    rows += [
        ("Packages", e(", ".join(f"{k} {v}" for k, v in repro["packages"].items()))),
        ("Run", e(repro["date"] + (f", {seconds:.1f} s" if seconds is not None else ""))),
    ]
    items = "\n".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in rows)
    return (
        '<footer class="repro-footer" id="reproducibility" dir="ltr" lang="en">\n'
        '<p class="repro-nav"><a href="index.html">All reports</a> · '
        '<a href="glossary.html">Glossary</a></p>\n'
        f"<h2>Reproducibility</h2>\n<dl>\n{items}\n</dl>\n</footer>"
    )
