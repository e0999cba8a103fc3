"""Onboarding funnel and SLA: cases per stage, average business days spent in each stage, SLA met/missed.

Counts are aggregated in the database (``frappe.qb``, grouped by stage and SLA status); the time spent per stage
comes from the case's milestone dates, in business days of the company's calendar. Portal customers never reach
the desk, but the row filter of ``fiber_onboarding.permissions`` is applied all the same.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import frappe
from frappe import _
from frappe.query_builder.functions import Count
from frappe.utils import getdate, nowdate

from fiber_onboarding.core import process, sla
from fiber_onboarding.permissions import customers_of, is_staff

CASE = "Fiber Onboarding"

# stage -> the milestone that marks entering it; a stage ends when the next known milestone is reached.
# External execution has no milestone of its own on the case: it is counted with the internal execution
# (internal passage -> implementation report).
STAGE_START = (
	(process.Stage.AWAITING_PAYMENT, "registered_on"),
	(process.Stage.PROJECT_DRAFTING, "paid_on"),
	(process.Stage.AWAITING_PROJECT_APPROVAL, "project_sent_on"),
	(process.Stage.EXECUTION_SCHEDULED, "project_approved_on"),
	(process.Stage.INTERNAL_EXECUTION, "internal_passage_date"),
	(process.Stage.TEST_PHASE, "test_phase_started_at"),
	(process.Stage.ACTIVE, "activated_on"),
)
MILESTONES = tuple(field for _stage, field in STAGE_START)
OPEN_STATUSES = (sla.ON_TRACK, sla.AT_RISK, sla.OVERDUE)


def execute(filters=None):
	filters = frappe._dict(filters or {})
	counts, cases = fetch(filters)
	data = build_rows(counts, cases, business_days_between, getdate(nowdate()))
	return columns(), data, None, chart(data), summary(counts, data)


def columns() -> list[dict]:
	return [
		{"fieldname": "stage", "label": _("Stage"), "fieldtype": "Data", "width": 220},
		{"fieldname": "cases", "label": _("Cases"), "fieldtype": "Int", "width": 90},
		{"fieldname": "share", "label": _("Share (%)"), "fieldtype": "Percent", "width": 100},
		{
			"fieldname": "avg_business_days",
			"label": _("Avg Business Days in Stage"),
			"fieldtype": "Float",
			"precision": 1,
			"width": 190,
		},
		{"fieldname": "on_track", "label": _("On Track"), "fieldtype": "Int", "width": 90},
		{"fieldname": "at_risk", "label": _("At Risk"), "fieldtype": "Int", "width": 90},
		{"fieldname": "overdue", "label": _("Overdue"), "fieldtype": "Int", "width": 90},
		{"fieldname": "met", "label": _("Met"), "fieldtype": "Int", "width": 80},
		{"fieldname": "missed", "label": _("Missed"), "fieldtype": "Int", "width": 80},
		{"fieldname": "sla_met_percent", "label": _("SLA Met (%)"), "fieldtype": "Percent", "width": 110},
	]


def _conditions(table, filters):
	conditions = []
	if filters.get("from_date"):
		conditions.append(table.registered_on >= getdate(filters.from_date))
	if filters.get("to_date"):
		conditions.append(table.registered_on <= getdate(filters.to_date))
	if filters.get("state"):
		conditions.append(table.state == str(filters.state).strip().upper())
	if not filters.get("include_cancelled"):
		conditions.append(table.cancelled == 0)
	# the same row filter as the permission hooks: a non-staff user sees only their customers' cases
	if not is_staff():
		customers = customers_of()
		conditions.append(table.customer.isin(customers or [""]))
	return conditions


def fetch(filters) -> tuple[list[dict], list[dict]]:
	"""Counts per (stage, SLA status), and each case's stage and milestone dates."""
	frappe.has_permission(CASE, "report", throw=True)
	case = frappe.qb.DocType(CASE)
	conditions = _conditions(case, filters)

	counts_q = (
		frappe.qb.from_(case)
		.select(case.stage, case.sla_status, Count(case.name).as_("cases"))
		.groupby(case.stage, case.sla_status)
	)
	cases_q = frappe.qb.from_(case).select(case.name, case.stage, *(case[f] for f in MILESTONES))
	for condition in conditions:
		counts_q = counts_q.where(condition)
		cases_q = cases_q.where(condition)
	return counts_q.run(as_dict=True), cases_q.run(as_dict=True)


def stage_durations(case: dict, days_between, today) -> dict[str, int]:
	"""Business days the case spent in each stage it entered (the current one counted up to ``today``)."""
	out: dict[str, int] = {}
	known = [(stage, case.get(field)) for stage, field in STAGE_START]
	for i, (stage, start) in enumerate(known):
		if not start or stage == process.Stage.ACTIVE:
			continue
		end = next((value for _s, value in known[i + 1 :] if value), None)
		if end is None:
			if case.get("stage") in (process.Stage.ACTIVE, process.Stage.CANCELLED):
				continue
			end = today
		out[stage] = max(0, days_between(getdate(start), getdate(end)))
	return out


def _percent(part, whole):
	if not whole:
		return None
	return float((Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def build_rows(counts: list[dict], cases: list[dict], days_between, today) -> list[dict]:
	total = sum(int(r["cases"]) for r in counts)
	rows = {
		stage: {
			"stage": _(stage),
			"stage_key": stage,
			"cases": 0,
			"on_track": 0,
			"at_risk": 0,
			"overdue": 0,
			"met": 0,
			"missed": 0,
		}
		for stage in process.STAGES
	}
	status_field = {
		sla.ON_TRACK: "on_track",
		sla.AT_RISK: "at_risk",
		sla.OVERDUE: "overdue",
		sla.MET: "met",
		sla.MISSED: "missed",
	}
	for r in counts:
		row = rows.get(r["stage"] or process.Stage.AWAITING_PAYMENT)
		if row is None:
			continue
		row["cases"] += int(r["cases"])
		field = status_field.get(r["sla_status"])
		if field:
			row[field] += int(r["cases"])

	spent: dict[str, list[int]] = {stage: [] for stage in process.STAGES}
	for case in cases:
		for stage, days in stage_durations(case, days_between, today).items():
			spent[stage].append(days)

	data = []
	for stage in process.STAGES:
		row = rows[stage]
		row["share"] = _percent(row["cases"], total)
		values = spent[stage]
		row["avg_business_days"] = (
			float((Decimal(sum(values)) / len(values)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))
			if values
			else None
		)
		row["sla_met_percent"] = _percent(row["met"], row["met"] + row["missed"])
		data.append(row)
	return data


def chart(data: list[dict]) -> dict:
	shown = [r for r in data if r["stage_key"] != process.Stage.CANCELLED]
	return {
		"data": {
			"labels": [r["stage"] for r in shown],
			"datasets": [{"name": _("Cases"), "values": [r["cases"] for r in shown]}],
		},
		"type": "bar",
		"colors": ["#2490EF"],
	}


def summary(counts: list[dict], data: list[dict]) -> list[dict]:
	met = sum(r["met"] for r in data)
	missed = sum(r["missed"] for r in data)
	open_total = sum(r["on_track"] + r["at_risk"] + r["overdue"] for r in data)
	overdue = sum(r["overdue"] for r in data)
	met_percent = _percent(met, met + missed)
	return [
		{"value": sum(r["cases"] for r in data), "label": _("Cases"), "datatype": "Int"},
		{"value": open_total, "label": _("SLA Running"), "datatype": "Int"},
		{
			"value": overdue,
			"label": _("SLA Overdue"),
			"datatype": "Int",
			"indicator": "Red" if overdue else "Green",
		},
		{
			"value": met_percent if met_percent is not None else 0,
			"label": _("SLA Met (%)"),
			"datatype": "Percent",
			"indicator": "Green" if (met_percent or 0) >= 90 else "Orange",
		},
	]


def business_days_between(start, end) -> int:
	from fiber_onboarding.utils.calendar import business_days_between as between

	return between(start, end)
