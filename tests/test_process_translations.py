"""Every state, action, stage, role and blocking reason of the process has a pt_BR translation."""

import ast
import re

import pytest
from conftest import PACKAGE_DIR

from fiber_onboarding.core import process

PO = PACKAGE_DIR / "locale" / "pt_BR.po"


def catalogue() -> dict[str, str]:
	text = PO.read_text(encoding="utf-8")
	pairs = re.findall(r'^msgid "((?:[^"\\]|\\.)*)"\nmsgstr "((?:[^"\\]|\\.)*)"', text, re.M)
	return {k.replace('\\"', '"'): v.replace('\\"', '"') for k, v in pairs}


def reason_msgids() -> set[str]:
	"""The msgids of every ``Reason("...")`` written in core/process.py."""
	tree = ast.parse((PACKAGE_DIR / "core" / "process.py").read_text(encoding="utf-8"))
	found = set()
	for node in ast.walk(tree):
		if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Reason" and node.args:
			first = node.args[0]
			if isinstance(first, ast.Constant) and isinstance(first.value, str):
				found.add(first.value)
	return found


MSGIDS = sorted(
	set(process.all_states())
	| set(process.all_actions())
	| set(process.STAGES)
	| set(process.ALL_ROLES)
	| set(process.WORKFLOWS)
	| reason_msgids()
)


def test_reasons_are_found():
	assert len(reason_msgids()) >= 15


@pytest.mark.parametrize("msgid", MSGIDS)
def test_translated(msgid):
	translations = catalogue()
	assert translations.get(msgid), f"no pt_BR translation for {msgid!r}"
	# the placeholders survive the translation
	assert sorted(re.findall(r"\{\d\}", translations[msgid])) == sorted(re.findall(r"\{\d\}", msgid))
