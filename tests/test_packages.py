"""A package that re-exports its rooms' names must not hide a room: ``from package import room`` then gives the
function, not the module (``project_service.next_step`` once did, and the desk's endpoint broke)."""

import ast
from pathlib import Path

from conftest import PACKAGE_DIR


def hidden_rooms(init: Path) -> list[str]:
	"""Names bound by the package's ``__init__`` that are also the names of its own modules."""
	rooms = {p.stem for p in init.parent.glob("*.py") if p.name != "__init__.py"}
	rooms |= {p.name for p in init.parent.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
	bound = set()
	for node in ast.parse(init.read_text(encoding="utf-8")).body:
		if isinstance(node, ast.ImportFrom):
			bound |= {alias.asname or alias.name for alias in node.names}
		elif isinstance(node, ast.FunctionDef | ast.ClassDef):
			bound.add(node.name)
		elif isinstance(node, ast.Assign):
			bound |= {t.id for t in node.targets if isinstance(t, ast.Name)}
	# a package importing its own module under that module's name is fine (it is the module)
	own = {
		alias.asname or alias.name
		for node in ast.parse(init.read_text(encoding="utf-8")).body
		if isinstance(node, ast.ImportFrom)
		and (
			(node.module or "").split(".")[-1] == init.parent.name
			or (node.level == 1 and node.module is None)  # from . import room
		)
		for alias in node.names
	}
	return sorted((bound & rooms) - own)


def test_no_package_hides_one_of_its_modules():
	problems = {
		str(init.relative_to(PACKAGE_DIR)): hidden
		for init in sorted(PACKAGE_DIR.rglob("__init__.py"))
		if "__pycache__" not in init.parts and (hidden := hidden_rooms(init))
	}
	assert not problems, problems


def test_a_hidden_module_is_found(tmp_path):
	package = tmp_path / "project_service"
	package.mkdir()
	(package / "next_step.py").write_text("def next_step():\n\treturn 1\n")
	(package / "approval.py").write_text("def approve():\n\treturn 1\n")
	(package / "__init__.py").write_text(
		"from fiber_onboarding.fiber_field.project_service.approval import approve\n"
		"from fiber_onboarding.fiber_field.project_service.next_step import next_step\n"
	)
	assert hidden_rooms(package / "__init__.py") == ["next_step"]
	(package / "__init__.py").write_text(
		"from fiber_onboarding.fiber_field.project_service import approval\n"
	)
	assert hidden_rooms(package / "__init__.py") == []
	(package / "__init__.py").write_text("from . import approval, next_step\n")
	assert hidden_rooms(package / "__init__.py") == []
	(package / "__init__.py").write_text("from .next_step import next_step\n")
	assert hidden_rooms(package / "__init__.py") == ["next_step"]
