"""pyproject.toml, environment.yml and requirements.lock declare the same dependencies."""

from __future__ import annotations

import re
import tomllib

import pytest
import yaml

from helpers.paths import PROJECT_ROOT

# Entries of environment.yml that exist only for conda: the interpreter and pip itself.
CONDA_ONLY = {"python", "pip"}
REQUIREMENT = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*(.*?)\s*(?:;.*)?$")


def normalise(name: str) -> str:
    """PEP 503 name: lower case, runs of '-', '_', '.' become one '-'."""
    return re.sub(r"[-_.]+", "-", name).lower()


def split(requirement: str) -> tuple[str, str]:
    """('name', 'specifier') of a requirement string such as 'pandas>=2.2'."""
    match = REQUIREMENT.match(requirement)
    assert match, f"cannot read requirement {requirement!r}"
    return normalise(match.group(1)), match.group(2).replace(" ", "")


def pyproject_dependencies() -> dict[str, str]:
    project = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    entries = list(project["dependencies"])
    for extra in project.get("optional-dependencies", {}).values():  # test, scale
        entries += extra
    return dict(split(e) for e in entries)


def conda_dependencies() -> dict[str, str]:
    """environment.yml's packages: conda's, and those of its pip: block (PyPI-only packages),
    less the project itself (``-e .``)."""
    env = yaml.safe_load((PROJECT_ROOT / "environment.yml").read_text("utf-8"))
    entries = [e for e in env["dependencies"] if isinstance(e, str)]
    for block in (e for e in env["dependencies"] if isinstance(e, dict)):
        entries += [e for e in block.get("pip", []) if not e.startswith("-")]
    deps = dict(split(e) for e in entries)
    return {name: spec for name, spec in deps.items() if name not in CONDA_ONLY}


def locked_versions() -> dict[str, str]:
    pins = {}
    for line in (PROJECT_ROOT / "requirements.lock").read_text("utf-8").splitlines():
        match = re.match(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)", line)
        if match:
            pins[normalise(match.group(1))] = match.group(2)
    return pins


def version_tuple(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", version.split("+")[0])[:4])


class TestHelpers:
    def test_normalise_folds_case_and_separators(self):
        assert normalise("Python_Bidi") == normalise("python.bidi") == "python-bidi"

    def test_split_reads_name_and_specifier(self):
        assert split("scikit_learn >= 1.4 ; python_version>'3'") == ("scikit-learn", ">=1.4")


class TestPyprojectAgreesWithEnvironmentYml:
    def test_same_package_names(self):
        pip, conda = set(pyproject_dependencies()), set(conda_dependencies())
        assert pip - conda == set(), "add these to environment.yml"
        assert conda - pip == set(), "add these to pyproject.toml (or to CONDA_ONLY)"

    def test_same_version_specifiers(self):
        pip, conda = pyproject_dependencies(), conda_dependencies()
        differ = {n: (pip[n], conda[n]) for n in pip.keys() & conda.keys() if pip[n] != conda[n]}
        assert differ == {}

    def test_test_extra_is_part_of_the_comparison(self):
        assert "pytest" in pyproject_dependencies()


class TestRequirementsLock:
    @pytest.mark.parametrize("name", sorted(pyproject_dependencies()))
    def test_every_direct_dependency_is_pinned_exactly(self, name):
        assert name in locked_versions(), f"{name} missing from requirements.lock: run make lock"

    @pytest.mark.parametrize("name", sorted(pyproject_dependencies()))
    def test_pinned_version_meets_the_lower_bound(self, name):
        spec = pyproject_dependencies()[name]
        bound = re.search(r">=([0-9][0-9.]*)", spec)
        assert bound, f"{name}: declare a lower bound (>=) in pyproject.toml"
        assert version_tuple(locked_versions()[name]) >= version_tuple(bound.group(1))
