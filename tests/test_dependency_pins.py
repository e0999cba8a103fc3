"""The app's requirements coexist with Frappe/ERPNext v15 pins: installing it never moves a pinned package."""

import re
from importlib import metadata
from pathlib import Path

import pytest
import tomllib
from conftest import APP_DIR
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

DATA = Path(__file__).parent / "data" / "frappe_v15_pins.txt"


def pins() -> dict[str, SpecifierSet]:
	out = {}
	for line in DATA.read_text().splitlines():
		line = line.strip()
		if line and not line.startswith("#"):
			req = Requirement(line)
			out[canonicalize_name(req.name)] = req.specifier
	return out


def is_tight(spec: SpecifierSet) -> bool:
	"""== pins and three-part ~= pins fix a line of releases; a two-part ~= (e.g. holidays ~=0.28) is wide."""
	return any(s.operator == "==" or (s.operator == "~=" and s.version.count(".") >= 2) for s in spec)


def lowest_allowed(spec: SpecifierSet) -> Version:
	"""The smallest version a pin allows (from its ==, ~= or >= clause)."""
	candidates = [Version(s.version) for s in spec if s.operator in ("==", "~=", ">=")]
	return min(candidates)


def app_requirements() -> list[Requirement]:
	data = tomllib.loads((APP_DIR / "pyproject.toml").read_text())
	return [Requirement(r) for r in data["project"]["dependencies"]]


def dependency_tree() -> list[tuple[str, Requirement]]:
	"""(who requires, requirement) for the app's requirements and, transitively, the installed dependencies."""
	seen, edges = set(), []
	queue = [("fiber_onboarding", r) for r in app_requirements()]
	while queue:
		parent, req = queue.pop()
		edges.append((parent, req))
		name = canonicalize_name(req.name)
		if name in seen:
			continue
		seen.add(name)
		try:
			requires = metadata.requires(req.name) or []
		except metadata.PackageNotFoundError:
			continue
		for raw in requires:
			sub = Requirement(raw)
			if sub.marker and not sub.marker.evaluate({"extra": ""}):
				continue
			queue.append((req.name, sub))
	return edges


def test_pins_file_parses():
	assert {"pypdf", "cryptography", "holidays"} <= set(pins())


@pytest.mark.parametrize("name", sorted(pins()))
def test_no_requirement_moves_a_pinned_package(name):
	spec = pins()[name]
	# a tight pin's lowest release must stay installable; for a wide pin, the version installed with the pins
	for version in {lowest_allowed(spec) if is_tight(spec) else None, *_installed(name)} - {None}:
		if version not in spec:
			continue
		for parent, req in dependency_tree():
			if canonicalize_name(req.name) == name:
				assert req.specifier.contains(
					version, prereleases=True
				), f"{parent} requires {req}, which excludes {name} {version} allowed by Frappe's pin {spec}"


def _installed(name: str) -> list[Version]:
	try:
		return [Version(metadata.version(name))]
	except metadata.PackageNotFoundError:
		return []


def test_core_environment_matches_the_pins():
	"""The core tier runs with the versions Frappe pins, so it tests what runs on a bench."""
	for name in ("pypdf", "cryptography"):
		(version,) = _installed(name)
		assert version in pins()[name], f"{name} {version} is outside Frappe's pin {pins()[name]}"


def test_bench_dependency_table():
	data = tomllib.loads((APP_DIR / "pyproject.toml").read_text())
	deps = data["tool"]["bench"]["frappe-dependencies"]
	for app in ("frappe", "erpnext"):
		spec = SpecifierSet(deps[app].replace(" ", ""))
		assert Version("15.0.0") in spec and Version("15.99.0") in spec and Version("16.0.0") not in spec
