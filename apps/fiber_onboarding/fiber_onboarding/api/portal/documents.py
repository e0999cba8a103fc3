"""The documents of many cases at once, for the pages that only read them (/ativacoes and /ativacoes/<case>): a
fixed number of queries whatever the number of cases (one per DocType, not one per case and DocType), and only
the fields the pages show, as plain rows.

Which document belongs to which case follows ``access.case_documents`` exactly: the case's link, else the case's
latest document of that DocType; a linked document that is gone counts as none; a document of another customer,
or of another case, is never shown. Actions and downloads use ``access.case_documents`` (whole documents).
"""

from __future__ import annotations

import frappe

from fiber_onboarding.api.portal.access import BOLETO, CIRCUIT, CONTRACT, PROJECT, VISIT

UPLOAD = "Fiber Contract Upload"
OWNERSHIP = ["name", "customer", "onboarding", "creation"]
# what the list reads of each case (the timeline's facts: api.portal.cases.timeline_facts)
CASE_FIELDS = [
	"name",
	"customer",
	"company_name",
	"site_identifier",
	"stage",
	"cancelled",
	"registered_on",
	"paid_on",
	"contract_received_on",
	"execution_date",
	"activated_on",
	"sla_due",
	"sla_status",
	"boleto",
	"contract",
	"project",
	"circuit",
]
# what the timeline and the case page (www/ativacoes/caso.py) read of each document
LINKED = {
	"boleto": (BOLETO, ["status", "paid_on", "due_date", "amount", "pix_payload", "digitable_line"]),
	"contract": (CONTRACT, ["workflow_state", "received_on", "latest_upload", "issued_file"]),
	"project": (
		PROJECT,
		[
			"workflow_state",
			"project_file",
			"sent_on",
			"approved_on",
			"execution_date",
			"prior_visit_requested",
			"prior_visit",
			"internal_passage_date",
			"implementation_report_sent_on",
		],
	),
	"circuit": (
		CIRCUIT,
		[
			"workflow_state",
			"test_started_at",
			"test_ends_at",
			"problem_reported",
			"problem_resolved",
			"customer_confirmed_at",
			"activated_on",
		],
	),
}
VISIT_FIELDS = ["name", "customer", "done_on", "scheduled_date", "photo_report_sent_on"]


def _linked(cases: list, field: str) -> dict[str, frappe._dict | None]:
	"""{case name: its document of LINKED[field] or None}, in one query."""
	doctype, fields = LINKED[field]
	links = {c.get(field) for c in cases if c.get(field)}
	unlinked = [c.name for c in cases if not c.get(field)]
	or_filters = {}
	if links:
		or_filters["name"] = ("in", sorted(links))
	if unlinked:
		or_filters["onboarding"] = ("in", unlinked)
	rows = frappe.get_all(doctype, fields=OWNERSHIP + fields, or_filters=or_filters, order_by="creation desc")
	by_name = {r.name: r for r in rows}
	latest: dict[str, frappe._dict] = {}
	for r in rows:  # newest first: the first one seen is the case's latest
		if r.onboarding:
			latest.setdefault(r.onboarding, r)
	out = {}
	for c in cases:
		doc = by_name.get(c.get(field)) if c.get(field) else latest.get(c.name)
		if doc is not None and (doc.customer != c.customer or doc.onboarding not in (None, "", c.name)):
			doc = None
		out[c.name] = doc
	return out


def _attach_uploads(contracts) -> None:
	"""Give each contract its ``uploads`` rows (what ``contract_service.latest_upload`` reads), in one query."""
	names = sorted({c.name for c in contracts if c is not None})
	rows = (
		frappe.get_all(
			UPLOAD,
			filters={"parenttype": CONTRACT, "parentfield": "uploads", "parent": ("in", names)},
			fields=["name", "parent", "idx", "uploaded_on"],
			order_by="idx asc",
		)
		if names
		else []
	)
	by_contract: dict[str, list] = {}
	for r in rows:
		by_contract.setdefault(r.parent, []).append(r)
	for c in contracts:
		if c is not None:
			c.uploads = by_contract.get(c.name, [])


def _prior_visits(cases: list, projects: dict) -> dict[str, frappe._dict | None]:
	wanted = sorted({p.prior_visit for p in projects.values() if p is not None and p.prior_visit})
	rows = frappe.get_all(VISIT, filters={"name": ("in", wanted)}, fields=VISIT_FIELDS) if wanted else []
	by_name = {r.name: r for r in rows}
	out = {}
	for c in cases:
		project = projects[c.name]
		visit = by_name.get(project.prior_visit) if project is not None and project.prior_visit else None
		out[c.name] = visit if visit is not None and visit.customer == c.customer else None
	return out


def documents_of_cases(cases: list) -> dict[str, dict]:
	"""{case name: the documents ``access.case_documents`` would give it}, as plain rows, in ≤ 6 queries."""
	linked = {field: _linked(cases, field) for field in LINKED}
	_attach_uploads(linked["contract"].values())
	visits = _prior_visits(cases, linked["project"])
	return {
		c.name: {**{field: linked[field][c.name] for field in LINKED}, "prior_visit": visits[c.name]}
		for c in cases
	}
