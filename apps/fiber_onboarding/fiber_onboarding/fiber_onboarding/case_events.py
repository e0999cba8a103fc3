"""The case listens to its children.

Fiber Boleto, Fiber Contract, Fiber Project, Site Visit and Circuit announce every change (``hooks.doc_events``,
``on_change``: after each save and each ``db_set``). When the change touches something the case derives from (a
new child, its state, one of its milestone dates: ``core.process.watched_fields``), the case recomputes its
links, milestones, stage and SLA (``FiberOnboarding.refresh_stage``). No service writes the case.
"""

from __future__ import annotations

import frappe

from fiber_onboarding.core import process


def child_changed(doc, method: str | None = None):
	"""doc_events ``on_change`` of the case's children."""
	case = doc.get("onboarding")
	if not case or not concerns_the_case(doc) or not frappe.db.exists(process.CASE, case):
		return
	frappe.get_doc(process.CASE, case).refresh_stage()


def concerns_the_case(doc) -> bool:
	"""A new child always; a changed one when a field the case derives from changed."""
	before = doc.get_doc_before_save()
	if doc.flags.in_insert or before is None:
		return True
	return any(
		str(before.get(field) or "") != str(doc.get(field) or "")
		for field in process.watched_fields(doc.doctype)
	)
