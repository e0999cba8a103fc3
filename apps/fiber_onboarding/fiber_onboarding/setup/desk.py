"""Desk records of the "Fiber Onboarding" workspace: Number Cards and a Dashboard Chart, created when missing.

The Workspace itself ships as standard JSON (``fiber_onboarding/workspace/fiber_onboarding_desk/``); these
records are created in code, once, so staff may restyle or refilter them without a migrate putting them back.

The workspace is named "Fiber Onboarding Desk", not "Fiber Onboarding": the desk router resolves
``/app/<slug>`` to a workspace before a DocType, so a workspace with the case DocType's name would hide the
cases' list and forms (``/app/fiber-onboarding/ONB-...`` would open the workspace).
"""

import json

import frappe

from fiber_onboarding.core.process import STAGE_INDICATORS, STAGES, Stage

CASE = "Fiber Onboarding"
MODULE = "Fiber Onboarding"
STAGE_CHART = "Onboarding Cases by Stage"
WORKSPACE = "Fiber Onboarding Desk"
# the name an earlier version of this app gave its workspace (it shadowed the case DocType's routes)
OLD_WORKSPACE = "Fiber Onboarding"

_COLOURS = {
	"orange": "#F39C12",
	"yellow": "#ECAD4B",
	"purple": "#8E44AD",
	"cyan": "#16A085",
	"blue": "#2490EF",
	"pink": "#E84393",
	"green": "#29CD42",
	"red": "#E24C4C",
	"gray": "#98A1A9",
}


def stage_card_name(stage: str) -> str:
	return f"Onboarding: {stage}"


def number_cards() -> list[dict]:
	"""One card per open stage, plus SLA at risk, SLA overdue and the cases activated this month."""
	cards = []
	for stage in STAGES:
		if stage == Stage.CANCELLED:
			continue
		filters = [[CASE, "stage", "=", stage, False]]
		if stage != Stage.ACTIVE:
			filters.append([CASE, "cancelled", "=", 0, False])
		cards.append(
			{
				"name": stage_card_name(stage),
				"label": stage,
				"filters": filters,
				"color": _COLOURS[STAGE_INDICATORS[stage]],
			}
		)
	cards.append(
		{
			"name": "Onboarding: SLA At Risk",
			"label": "SLA At Risk",
			"filters": [[CASE, "sla_status", "=", "At Risk", False], [CASE, "cancelled", "=", 0, False]],
			"color": _COLOURS["orange"],
		}
	)
	cards.append(
		{
			"name": "Onboarding: SLA Overdue",
			"label": "SLA Overdue",
			"filters": [[CASE, "sla_status", "=", "Overdue", False], [CASE, "cancelled", "=", 0, False]],
			"color": _COLOURS["red"],
		}
	)
	return cards


def ensure_number_cards():
	for card in number_cards():
		if frappe.db.exists("Number Card", card["name"]):
			continue
		doc = frappe.new_doc("Number Card")
		doc.update(
			{
				"label": card["label"],
				"type": "Document Type",
				"document_type": CASE,
				"function": "Count",
				"filters_json": json.dumps(card["filters"]),
				"dynamic_filters_json": "[]",
				"is_public": 1,
				"is_standard": 0,
				"module": MODULE,
				"color": card["color"],
				"show_percentage_stats": 0,
			}
		)
		# the card's name is fixed (the workspace refers to it), the label is what staff see
		doc.insert(ignore_permissions=True, set_name=card["name"])


def ensure_stage_chart():
	if frappe.db.exists("Dashboard Chart", STAGE_CHART):
		return
	doc = frappe.new_doc("Dashboard Chart")
	doc.update(
		{
			"chart_name": STAGE_CHART,
			"chart_type": "Group By",
			"document_type": CASE,
			"group_by_type": "Count",
			"group_by_based_on": "stage",
			"number_of_groups": 0,
			"type": "Bar",
			"filters_json": json.dumps([[CASE, "cancelled", "=", 0, False]]),
			"dynamic_filters_json": "[]",
			"is_public": 1,
			"is_standard": 0,
			"module": MODULE,
			"timeseries": 0,
			"color": _COLOURS["blue"],
		}
	)
	doc.insert(ignore_permissions=True)


def remove_shadowing_workspace():
	"""Delete this app's own earlier workspace named like the case DocType (never a user's workspace)."""
	if frappe.db.exists(
		"Workspace", {"name": OLD_WORKSPACE, "module": MODULE, "public": 1, "for_user": ("in", ("", None))}
	):
		frappe.delete_doc("Workspace", OLD_WORKSPACE, ignore_permissions=True, force=True)


def ensure_desk():
	if not frappe.db.exists("DocType", CASE):
		return
	remove_shadowing_workspace()
	ensure_number_cards()
	ensure_stage_chart()
