"""One state vocabulary: the case's stages, their order and the workflows' states come only from core/process.py.

- No production Python module spells a stage or a workflow state as a string: it names it from ``core.process``
  (``Stage``, ``ProjectState``...). Words that are also values of other Select fields of the app (a Site Visit
  "Done", an upload "Accepted") are not the process's alone and are left out of the check.
- What the browser and Frappe need as data (the case's ``stage`` Select options, the list and calendar views'
  stage colours and filters, the project list's states) mirror ``core.process`` exactly, in its order.
The synthetic inputs below show each check failing.
"""

import ast
import json
import re
from pathlib import Path

import pytest
from conftest import PACKAGE_DIR

from fiber_onboarding.core import process

# api/portal.py is being changed by another engineer right now; its PROJECT_VISIBLE_STATES tuple and one
# "Testing" comparison move to core.process names when the lead splits it into one module per portal page.
NOT_YET: set[tuple[str, str]] = set()

CASE_JSON = PACKAGE_DIR / "fiber_onboarding" / "doctype" / "fiber_onboarding" / "fiber_onboarding.json"
CASE_LIST_JS = PACKAGE_DIR / "fiber_onboarding" / "doctype" / "fiber_onboarding" / "fiber_onboarding_list.js"
CASE_CALENDAR_JS = (
	PACKAGE_DIR / "fiber_onboarding" / "doctype" / "fiber_onboarding" / "fiber_onboarding_calendar.js"
)
PROJECT_LIST_JS = PACKAGE_DIR / "fiber_field" / "doctype" / "fiber_project" / "fiber_project_list.js"


def other_select_values(package: Path) -> set[str]:
	"""Values of every Select field of the app's DocTypes, except the case's stage (the process's own)."""
	values: set[str] = set()
	for path in package.rglob("*.json"):
		try:
			data = json.loads(path.read_text(encoding="utf-8"))
		except ValueError:
			continue
		if not isinstance(data, dict) or data.get("doctype") != "DocType":
			continue
		for field in data.get("fields", []):
			if field.get("fieldtype") != "Select":
				continue
			if data.get("name") == process.CASE and field.get("fieldname") == "stage":
				continue
			values.update(v for v in (field.get("options") or "").split("\n") if v)
	return values


def process_words(package: Path) -> set[str]:
	"""Stage and workflow state names that mean nothing else in the app."""
	return (set(process.STAGES) | set(process.all_states())) - other_select_values(package)


def spelled_states(source: str, words: set[str]) -> list[tuple[int, str]]:
	return [
		(node.lineno, node.value)
		for node in ast.walk(ast.parse(source))
		if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in words
	]


def test_no_production_module_spells_a_state():
	words = process_words(PACKAGE_DIR)
	assert {"Awaiting Payment", "Test Phase", "Drafting", "Signed Uploaded", "Testing"} <= words
	found = []
	for path in sorted(PACKAGE_DIR.rglob("*.py")):
		rel = path.relative_to(PACKAGE_DIR).as_posix()
		if rel.startswith("tests/") or rel == "core/process.py":
			continue
		found += [
			f"{rel}:{line}: {word!r}"
			for line, word in spelled_states(path.read_text(encoding="utf-8"), words)
			if (rel, word) not in NOT_YET
		]
	assert not found, "name these from core.process:\n" + "\n".join(found)


def test_a_spelled_state_is_found():
	words = process_words(PACKAGE_DIR)
	source = 'if project.workflow_state == "Drafting":\n\tstage = "Test Phase"\nstatus = "Done"\n'
	assert spelled_states(source, words) == [(1, "Drafting"), (2, "Test Phase")]


# --- the mirrors Frappe and the browser need ----------------------------------------------------------------
def js_object(text: str, name: str) -> dict[str, str]:
	"""The string-to-string object literal ``name = { ... }`` of a JS file, in order."""
	match = re.search(rf"{re.escape(name)}\s*[:=]\s*\{{(.*?)\}}", text, re.S)
	assert match, name
	pairs = re.findall(r'(?:"([^"]+)"|([A-Za-z_]\w*))\s*:\s*"([^"]*)"', match.group(1))
	return {quoted or bare: value for quoted, bare, value in pairs}


def js_list_after(text: str, marker: str) -> list[str]:
	"""The quoted strings of the first ``[...]`` literal after ``marker``."""
	start = text.index(marker)
	block = text[start : text.index("]", text.index("[", start + len(marker)) + 1)]
	block = block[block.index("[", len(marker)) :]
	return re.findall(r'"([^"]*)"', block)


def test_the_case_stage_select_is_the_process_stages():
	fields = json.loads(CASE_JSON.read_text(encoding="utf-8"))["fields"]
	stage = next(f for f in fields if f["fieldname"] == "stage")
	assert stage["options"].split("\n") == list(process.STAGES)


def test_the_case_list_colours_are_the_process_indicators():
	assert js_object(CASE_LIST_JS.read_text(encoding="utf-8"), "FO_STAGE_COLORS") == process.STAGE_INDICATORS


def test_the_case_calendar_filter_lists_the_stages_in_order():
	text = CASE_CALENDAR_JS.read_text(encoding="utf-8")
	assert js_list_after(text, '[""].concat(') == list(process.STAGES)
	assert set(js_object(text, "style_map")) <= set(process.STAGES)


def test_the_project_list_knows_every_project_state_in_order():
	colours = js_object(PROJECT_LIST_JS.read_text(encoding="utf-8"), "colors")
	assert list(colours) == list(process.PROJECT_WORKFLOW.state_names)


@pytest.mark.parametrize(
	"js, expected",
	[
		(
			'const C = {"Awaiting Payment": "orange", Active: "green"};',
			{"Awaiting Payment": "orange", "Active": "green"},
		),
		('const C = {Active: "red"};', {"Active": "red"}),
	],
)
def test_js_objects_are_read(js, expected):
	assert js_object(js, "C") == expected


def test_a_drifted_mirror_fails():
	drifted = 'const FO_STAGE_COLORS = {"Awaiting Payment": "orange", "Testing Phase": "pink"};'
	assert js_object(drifted, "FO_STAGE_COLORS") != process.STAGE_INDICATORS
	calendar = 'options: [""].concat([\n"Awaiting Payment", "Active", "Project Drafting"]) },'
	assert js_list_after(calendar, '[""].concat(') != list(process.STAGES)
