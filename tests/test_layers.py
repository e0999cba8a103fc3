"""The app's imports keep the layers (core <- utils <- adapters <- services <- api/www/setup), make no circle,
and production never imports the tests (see import_layers.py). The synthetic graphs show each rule failing."""

import pytest
from conftest import PACKAGE_DIR
from import_layers import circles, graph_of, layer_of, problems

A = "fiber_onboarding"


def test_the_app_keeps_its_layers_and_has_no_circle():
	found = problems(graph_of(PACKAGE_DIR))
	assert not found, "\n".join(found)


def test_the_graph_reads_the_app():
	graph = graph_of(PACKAGE_DIR)
	assert len(graph) > 100
	# an import inside a function counts, and ``from package import module`` names the module
	assert any(target == f"{A}.core.process" for _line, target in graph[f"{A}.utils.gates"])
	assert all(layer_of(module) is not None for module in graph), [m for m in graph if layer_of(m) is None]


@pytest.mark.parametrize(
	"module, layer",
	[
		(f"{A}.core.process", "core"),
		(f"{A}.utils.gates", "utils"),
		(f"{A}.permissions", "utils"),
		(f"{A}.adapters.erpnext_accounting", "adapters"),
		(f"{A}.fiber_billing.doctype.fiber_boleto.fiber_boleto", "services"),
		(f"{A}.api.portal", "entry"),
		(f"{A}.www.cadastro", "entry"),
		(f"{A}.setup.install", "entry"),
		(f"{A}.tasks", "entry"),
		(f"{A}.tests.test_billing", "tests"),
		(f"{A}.somewhere_new", None),
	],
)
def test_layer_of(module, layer):
	assert layer_of(module) == layer


CLEAN = {
	f"{A}.core.sla": [],
	f"{A}.utils.sla": [(3, f"{A}.core.sla")],
	f"{A}.adapters.bank": [(4, f"{A}.utils.sla"), (5, f"{A}.core.sla")],
	f"{A}.fiber_billing.payment": [(6, f"{A}.adapters.bank")],
	f"{A}.api.boleto": [(7, f"{A}.fiber_billing.payment"), (8, f"{A}.core.sla")],
	f"{A}.tests.test_billing": [(9, f"{A}.api.boleto"), (10, f"{A}.tests.factory")],
	f"{A}.tests.factory": [(11, f"{A}.fiber_billing.payment")],
}


def test_a_clean_graph_passes():
	assert problems(CLEAN) == []


@pytest.mark.parametrize(
	"source, target, layers",
	[
		(f"{A}.core.sla", f"{A}.utils.sla", "core imports utils"),
		(f"{A}.utils.sla", f"{A}.fiber_billing.payment", "utils imports services"),
		(f"{A}.utils.sla", f"{A}.tasks", "utils imports entry"),
		(f"{A}.adapters.bank", f"{A}.fiber_billing.payment", "adapters imports services"),
		(f"{A}.fiber_billing.payment", f"{A}.api.boleto", "services imports entry"),
	],
)
def test_an_upward_import_fails(source, target, layers):
	graph = {**CLEAN, source: [*CLEAN[source], (42, target)]}
	found = problems(graph)
	assert any(f"{source}:42: {layers}" in p for p in found), found


def test_production_importing_the_tests_fails():
	graph = {**CLEAN, f"{A}.setup.demo": [(12, f"{A}.tests.factory")]}
	assert problems(graph) == [f"{A}.setup.demo:12: production code imports the tests ({A}.tests.factory)"]


def test_a_module_in_no_layer_fails():
	graph = {**CLEAN, f"{A}.misc": [], f"{A}.api.boleto": [(1, f"{A}.misc")]}
	found = problems(graph)
	assert f"{A}.misc: in no layer (add its package to import_layers.LAYERS)" in found
	assert f"{A}.api.boleto:1: imports {A}.misc, which is in no layer" in found


def test_a_circle_inside_one_layer_fails():
	"""setup.install -> setup.test_setup -> setup.install: same layer, still a circle."""
	graph = {
		**CLEAN,
		f"{A}.setup.install": [(66, f"{A}.setup.test_setup")],
		f"{A}.setup.test_setup": [(55, f"{A}.setup.install")],
	}
	assert problems(graph) == [
		f"import circle: {A}.setup.install -> {A}.setup.test_setup -> {A}.setup.install"
	]


def test_a_longer_circle_is_named_along_its_imports():
	graph = {
		f"{A}.fiber_field.a": [(1, f"{A}.fiber_field.b")],
		f"{A}.fiber_field.b": [(1, f"{A}.fiber_field.c")],
		f"{A}.fiber_field.c": [(1, f"{A}.fiber_field.a"), (2, f"{A}.fiber_field.d")],
		f"{A}.fiber_field.d": [],
	}
	assert circles(graph) == [
		[f"{A}.fiber_field.a", f"{A}.fiber_field.b", f"{A}.fiber_field.c", f"{A}.fiber_field.a"]
	]


def test_circles_in_the_tests_count_too():
	graph = {**CLEAN, f"{A}.tests.factory": [(1, f"{A}.tests.test_billing")]}
	assert [p for p in problems(graph) if p.startswith("import circle")]


def test_an_import_inside_a_function_is_read(tmp_path):
	package = tmp_path / A
	(package / "core").mkdir(parents=True)
	(package / "utils").mkdir()
	for init in (package, package / "core", package / "utils"):
		(init / "__init__.py").write_text("")
	(package / "utils" / "helpers.py").write_text("")
	(package / "core" / "rules.py").write_text(
		"def late():\n\tfrom fiber_onboarding.utils import helpers\n\treturn helpers\n"
	)
	graph = graph_of(package)
	assert graph[f"{A}.core.rules"] == [(2, f"{A}.utils.helpers")]
	assert problems(graph) == [
		f"{A}.core.rules:2: core imports utils ({A}.utils.helpers): a lower layer must not depend on a higher one"
	]


def test_relative_imports_are_resolved(tmp_path):
	package = tmp_path / A
	(package / "adapters").mkdir(parents=True)
	(package / "fiber_billing").mkdir()
	for init in (package, package / "adapters", package / "fiber_billing"):
		(init / "__init__.py").write_text("")
	(package / "fiber_billing" / "payment.py").write_text("")
	(package / "adapters" / "bank.py").write_text("from ..fiber_billing import payment\n")
	assert graph_of(package)[f"{A}.adapters.bank"] == [(1, f"{A}.fiber_billing.payment")]
