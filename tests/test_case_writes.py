"""No service writes the case: outside the case's own DocType and its listener (``case_events``), no module of the
services layer sets a field of Fiber Onboarding. The case derives its links, milestones, stage and SLA from its
children; the synthetic sources below show the check failing on each kind of write."""

import ast
from pathlib import Path

import pytest
from conftest import PACKAGE_DIR
from import_layers import layer_of, module_name

CASE_NAMES = ("Fiber Onboarding",)
# names a module uses for the case's DocType (``CASE = "Fiber Onboarding"``, ``process.CASE``)
CASE_CONSTANTS = ("CASE",)
CASE_VARIABLES = ("case", "case_doc", "onboarding_doc")
# the case itself and the listener that makes it recompute
OWNERS = (
	"fiber_onboarding.fiber_onboarding.doctype.fiber_onboarding",
	"fiber_onboarding.fiber_onboarding.case_events",
)


def _names_the_case(node: ast.AST) -> bool:
	if isinstance(node, ast.Constant):
		return node.value in CASE_NAMES
	if isinstance(node, ast.Name):
		return node.id in CASE_CONSTANTS
	if isinstance(node, ast.Attribute):
		return node.attr in CASE_CONSTANTS
	return False


def _is_case_variable(node: ast.AST) -> bool:
	return isinstance(node, ast.Name) and node.id in CASE_VARIABLES


def case_writes(source: str) -> list[tuple[int, str]]:
	"""(line, what) for each write to the case in ``source``."""
	found = []
	for node in ast.walk(ast.parse(source)):
		if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
			attr, owner = node.func.attr, node.func.value
			if attr in ("set_value", "set_single_value") and node.args and _names_the_case(node.args[0]):
				found.append((node.lineno, f"{attr} on the case"))
			elif attr == "db_set" and _is_case_variable(owner):
				found.append((node.lineno, "db_set on the case"))
		elif isinstance(node, ast.Assign | ast.AugAssign):
			targets = node.targets if isinstance(node, ast.Assign) else [node.target]
			for target in targets:
				if isinstance(target, ast.Attribute) and _is_case_variable(target.value):
					found.append((node.lineno, f"assigns case.{target.attr}"))
	return found


def service_modules(package: Path):
	for path in sorted(package.rglob("*.py")):
		if "__pycache__" in path.parts:
			continue
		module = module_name(package, path)
		if layer_of(module) == "services" and not any(module.startswith(owner) for owner in OWNERS):
			yield module, path


def test_no_service_writes_the_case():
	problems = [
		f"{module}:{line}: {what}"
		for module, path in service_modules(PACKAGE_DIR)
		for line, what in case_writes(path.read_text(encoding="utf-8"))
	]
	assert not problems, "\n".join(problems)


def test_the_services_are_scanned():
	modules = [m for m, _p in service_modules(PACKAGE_DIR)]
	assert "fiber_onboarding.fiber_onboarding.onboarding_service" in modules
	assert any(m.startswith("fiber_onboarding.fiber_billing.") for m in modules)
	assert not any(m.startswith(OWNERS[0]) for m in modules)


@pytest.mark.parametrize(
	"source, what",
	[
		('frappe.db.set_value("Fiber Onboarding", name, "boleto", new.name)\n', "set_value on the case"),
		('frappe.db.set_value(CASE, case.name, "contract", contract.name)\n', "set_value on the case"),
		("frappe.db.set_value(process.CASE, name, values)\n", "set_value on the case"),
		('case.db_set({"sales_invoice": invoice, "boleto": boleto.name})\n', "db_set on the case"),
		("case.contract = contract.name\n", "assigns case.contract"),
	],
)
def test_each_kind_of_write_is_caught(source, what):
	assert case_writes(source) == [(1, what)]


def test_reads_and_other_documents_pass():
	source = (
		'frappe.db.get_value("Fiber Onboarding", name, "customer")\n'
		'frappe.db.set_value("Circuit", name, "vlan", 10)\n'
		'project.db_set("internal_survey", visit.name)\n'
		"value = case.contract\n"
	)
	assert case_writes(source) == []
