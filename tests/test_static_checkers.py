"""Each static checker fails on a broken example and passes on the corresponding good one."""

import json
import textwrap

import pytest
import static_checks as sc

PO_HEADER = 'msgid ""\nmsgstr ""\n"Language: pt_BR\\n"\n\n'


def make_app(tmp_path, *, doctype=None, controller=True, hooks=None, patches=None, po=None, extra_py=None):
	pkg = tmp_path / "fiber_onboarding"
	(pkg / "demo_module" / "doctype" / "demo_thing").mkdir(parents=True)
	(pkg / "__init__.py").write_text("")
	(pkg / "modules.txt").write_text("Demo Module\n")
	folder = pkg / "demo_module" / "doctype" / "demo_thing"
	(folder / "__init__.py").write_text("")
	doc = doctype or {
		"doctype": "DocType",
		"name": "Demo Thing",
		"module": "Demo Module",
		"autoname": "field:code",
		"field_order": ["code", "customer", "kind"],
		"fields": [
			{"fieldname": "code", "fieldtype": "Data", "label": "Code"},
			{"fieldname": "customer", "fieldtype": "Link", "label": "Customer", "options": "Customer"},
			{"fieldname": "kind", "fieldtype": "Select", "label": "Kind", "options": "A\nB"},
		],
		"permissions": [{"role": "System Manager", "read": 1}],
	}
	(folder / "demo_thing.json").write_text(json.dumps(doc))
	if controller:
		(folder / "demo_thing.py").write_text(
			"from frappe.model.document import Document\n\nclass DemoThing(Document):\n\tpass\n"
		)
	(pkg / "tasks.py").write_text("def daily():\n\tpass\n")
	(pkg / "hooks.py").write_text(hooks or 'scheduler_events = {"daily": ["fiber_onboarding.tasks.daily"]}\n')
	(pkg / "patches.txt").write_text(
		patches or "[pre_model_sync]\n[post_model_sync]\nfiber_onboarding.tasks.daily\n"
	)
	(pkg / "locale").mkdir()
	translations = po or {
		"Demo Thing": "Coisa",
		"Code": "Código",
		"Customer": "Cliente",
		"Kind": "Tipo",
		"A": "A",
		"B": "B",
	}
	(pkg / "locale" / "pt_BR.po").write_text(
		PO_HEADER + "".join(f'msgid "{k}"\nmsgstr "{v}"\n\n' for k, v in translations.items())
	)
	if extra_py:
		(pkg / "extra.py").write_text(textwrap.dedent(extra_py))
	return pkg


@pytest.mark.parametrize("check", sorted(sc.ALL_CHECKS))
def test_good_example_passes(tmp_path, check):
	assert sc.ALL_CHECKS[check](make_app(tmp_path)) == []


def test_doctype_json_invalid(tmp_path):
	pkg = make_app(tmp_path)
	(pkg / "demo_module/doctype/demo_thing/demo_thing.json").write_text("{not json")
	assert any("invalid JSON" in p for p in sc.check_doctype_json(pkg))


@pytest.mark.parametrize(
	"mutate, expected",
	[
		(lambda d: d.pop("module"), "missing key 'module'"),
		(lambda d: d.update(module="Elsewhere"), "not in modules.txt"),
		(lambda d: d.update(name="Other Thing"), "does not match"),
		(lambda d: d["fields"].append({"fieldname": "code", "fieldtype": "Data"}), "duplicate fieldnames"),
		(lambda d: d.update(autoname="field:missing"), "autoname names a missing field"),
		(lambda d: d.update(permissions=[]), "no permissions"),
		(lambda d: d["fields"][0].pop("fieldtype"), "lacks 'fieldtype'"),
	],
)
def test_doctype_json_broken(tmp_path, mutate, expected):
	pkg = make_app(tmp_path)
	path = pkg / "demo_module/doctype/demo_thing/demo_thing.json"
	data = json.loads(path.read_text())
	mutate(data)
	path.write_text(json.dumps(data))
	assert any(expected in p for p in sc.check_doctype_json(pkg)), sc.check_doctype_json(pkg)


def test_link_to_unknown_doctype(tmp_path):
	pkg = make_app(tmp_path)
	path = pkg / "demo_module/doctype/demo_thing/demo_thing.json"
	data = json.loads(path.read_text())
	data["fields"][1]["options"] = "Custmer"
	path.write_text(json.dumps(data))
	assert any("unknown DocType 'Custmer'" in p for p in sc.check_link_targets(pkg))


def test_table_of_non_child(tmp_path):
	pkg = make_app(tmp_path)
	path = pkg / "demo_module/doctype/demo_thing/demo_thing.json"
	data = json.loads(path.read_text())
	data["fields"].append({"fieldname": "rows", "fieldtype": "Table", "options": "Demo Thing"})
	data["field_order"].append("rows")
	path.write_text(json.dumps(data))
	assert any("non-child" in p for p in sc.check_link_targets(pkg))


def test_missing_controller(tmp_path):
	assert any("missing controller" in p for p in sc.check_controllers(make_app(tmp_path, controller=False)))


def test_wrong_controller_class(tmp_path):
	pkg = make_app(tmp_path)
	(pkg / "demo_module/doctype/demo_thing/demo_thing.py").write_text("class Demo:\n\tpass\n")
	assert any("'DemoThing' not defined" in p for p in sc.check_controllers(pkg))


def test_hooks_unresolvable(tmp_path):
	pkg = make_app(tmp_path, hooks='scheduler_events = {"daily": ["fiber_onboarding.tasks.weekly"]}\n')
	assert any("'weekly' is not defined" in p for p in sc.check_dotted_paths(pkg))


def test_hooks_missing_module(tmp_path):
	pkg = make_app(tmp_path, hooks='after_install = "fiber_onboarding.setup.install.after_install"\n')
	assert any("no module" in p or "no such module" in p for p in sc.check_dotted_paths(pkg))


def test_patch_unresolvable(tmp_path):
	pkg = make_app(tmp_path, patches="[pre_model_sync]\n[post_model_sync]\nfiber_onboarding.patches.gone\n")
	assert sc.check_dotted_paths(pkg)


def test_patch_sections_required(tmp_path):
	pkg = make_app(tmp_path, patches="fiber_onboarding.tasks.daily\n")
	assert any("missing section" in p for p in sc.check_dotted_paths(pkg))


def test_code_string_unresolvable(tmp_path):
	pkg = make_app(
		tmp_path, extra_py='import frappe\nfrappe.enqueue("fiber_onboarding.tasks.nothing_here")\n'
	)
	assert any("nothing_here" in p for p in sc.check_dotted_paths(pkg))


def test_missing_translation_of_label(tmp_path):
	pkg = make_app(
		tmp_path, po={"Demo Thing": "Coisa", "Code": "Código", "Customer": "Cliente", "A": "A", "B": "B"}
	)
	assert any("'Kind'" in p for p in sc.check_translations(pkg))


def test_missing_translation_of_python_string(tmp_path):
	pkg = make_app(tmp_path, extra_py='from frappe import _\nmsg = _("Boleto not found")\n')
	assert any("Boleto not found" in p for p in sc.check_translations(pkg))


def test_empty_translation_counts_as_missing(tmp_path):
	pkg = make_app(
		tmp_path,
		po={"Demo Thing": "", "Code": "Código", "Customer": "Cliente", "Kind": "Tipo", "A": "A", "B": "B"},
	)
	assert any("'Demo Thing'" in p for p in sc.check_translations(pkg))


def test_js_translation(tmp_path):
	pkg = make_app(tmp_path)
	(pkg / "demo.js").write_text('frappe.msgprint(__("Reissue boleto"));\n')
	assert any("Reissue boleto" in p for p in sc.check_translations(pkg))
