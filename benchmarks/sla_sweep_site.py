"""Benchmark of the hourly SLA sweep over many open cases (time and number of SQL queries), run inside a site.

Not part of the app: ``benchmarks/bench_sla_sweep.py`` runs it with the bench's Python, from the bench's
``sites`` folder::

    cd <bench>/sites && ../env/bin/python ../benchmarks/sla_sweep_site.py fo-test.localhost 20000

Creates the cases (and pauses, and the alert log of the cases already alerted) with bulk inserts inside the
current transaction, measures, and rolls everything back at the end (nothing is committed; a final check
deletes any leftover benchmark row). Prints the numbers and returns them.
"""

from __future__ import annotations

import random
import sys
import time
from datetime import timedelta

import frappe
from frappe.utils import add_days, getdate, now_datetime, nowdate

from fiber_onboarding.core import sla as core_sla
from fiber_onboarding.tests.query_count import count_queries

PREFIX = "FOBENCH-"
CASE = "Fiber Onboarding"
PAUSE = "Fiber SLA Pause"
LOG = "Fiber Notification Log"


def _make_cases(n: int, today, rng: random.Random):
	proposal = frappe.db.get_value("Fiber Proposal", {}, "name")
	now = now_datetime()
	case_fields = [
		"name",
		"creation",
		"modified",
		"owner",
		"modified_by",
		"docstatus",
		"naming_series",
		"company_name",
		"cnpj",
		"proposal",
		"address_line1",
		"address_number",
		"city",
		"state",
		"cep",
		"legal_name",
		"legal_cpf",
		"legal_email",
		"tech_name",
		"tech_email",
		"stage",
		"cancelled",
		"sla_business_days",
		"internal_passage_date",
		"contract_received_on",
		"activated_on",
		"sla_status",
	]
	cases, pauses = [], []
	for i in range(n):
		name = f"{PREFIX}{i:06d}"
		start = add_days(today, -rng.randrange(0, 60))
		passage = start if rng.random() < 0.92 else None
		received = add_days(start, -rng.randrange(0, 10)) if rng.random() < 0.95 else None
		activated = (
			add_days(today, -rng.randrange(0, 3)) if passage and received and rng.random() < 0.03 else None
		)
		cases.append(
			(
				name,
				now,
				now,
				"Administrator",
				"Administrator",
				0,
				"ONB-.YYYY.-.#####",
				f"Empresa Benchmark {i}",
				"11222333000181",
				proposal,
				"Av. Paulista",
				"1000",
				"São Paulo",
				"SP",
				"01310100",
				"Fulano de Tal",
				"52998224725",
				"legal@example.com",
				"Beltrano",
				"tech@example.com",
				"Internal Execution",
				0,
				rng.randint(10, 45),
				passage,
				received,
				activated,
				core_sla.NOT_STARTED,
			)
		)
		if rng.random() < 0.2:
			p_from = add_days(start, rng.randrange(1, 20))
			p_to = None if rng.random() < 0.3 else add_days(p_from, rng.randrange(0, 8))
			pauses.append(
				(
					frappe.generate_hash(length=12),
					now,
					now,
					"Administrator",
					"Administrator",
					0,
					name,
					"sla_pauses",
					CASE,
					1,
					p_from,
					p_to,
					"Cliente sem acesso ao prédio",
				)
			)
	frappe.db.bulk_insert(CASE, case_fields, cases, chunk_size=5000)
	frappe.db.bulk_insert(
		PAUSE,
		[
			"name",
			"creation",
			"modified",
			"owner",
			"modified_by",
			"docstatus",
			"parent",
			"parentfield",
			"parenttype",
			"idx",
			"from_date",
			"to_date",
			"reason",
		],
		pauses,
		chunk_size=5000,
	)
	return len(cases), len(pauses)


def _mark_alerts_sent(today):
	"""Simulate earlier sweeps having alerted every At Risk / Overdue case (the steady state of a real site)."""
	from fiber_onboarding.tasks import load_open_cases
	from fiber_onboarding.utils import sla as sla_utils
	from fiber_onboarding.utils.calendar import get_calendar

	cases, pauses = load_open_cases()
	cal, share = get_calendar(), sla_utils.at_risk_share()
	now = now_datetime()
	rows = []
	for c in cases:  # every open case, also those already on the site: the steady state has no pending alert
		r = sla_utils.compute(c, pauses.get(c.name, []), cal, today, share)
		if r.status in core_sla.ALERT_STATUSES:
			key = sla_utils.alert_key(c.name, r.status, r.due)
			rows.append((key, now, now, "Administrator", "Administrator", 0, key, "fo_staff_sla_alert"))
	frappe.db.bulk_insert(
		LOG,
		["name", "creation", "modified", "owner", "modified_by", "docstatus", "key", "email_template"],
		rows,
		chunk_size=5000,
		ignore_duplicates=True,
	)
	return len(rows)


def _sweep(label: str, results: list, **kwargs):
	from fiber_onboarding.tasks import sweep_sla

	with count_queries() as counter:
		t0 = time.perf_counter()
		summary = sweep_sla(**kwargs)
		elapsed = time.perf_counter() - t0
	row = {
		"run": label,
		"seconds": round(elapsed, 3),
		"queries": counter["queries"],
		"open_cases": summary["open_cases"],
		"changed": summary["changed"],
		"alerted": len(summary["alerted"]),
	}
	results.append(row)
	print(
		"{run:<44} {seconds:>7.3f} s  {queries:>3} queries  open={open_cases} changed={changed} "
		"alerted={alerted}".format(**row)
	)
	return counter


def _cleanup():
	frappe.db.sql(f"delete from `tab{PAUSE}` where parent like %s", (PREFIX + "%",))
	frappe.db.sql(f"delete from `tab{CASE}` where name like %s", (PREFIX + "%",))
	frappe.db.sql(f"delete from `tab{LOG}` where name like %s", ("sla:" + PREFIX + "%",))
	frappe.db.sql(
		"delete from `tabEmail Queue` where reference_doctype=%s and reference_name like %s",
		(CASE, PREFIX + "%"),
	)
	frappe.db.sql(
		"delete from `tabToDo` where reference_type=%s and reference_name like %s", (CASE, PREFIX + "%")
	)
	frappe.db.sql(
		"delete from `tabComment` where reference_doctype=%s and reference_name like %s", (CASE, PREFIX + "%")
	)


def run(cases: int = 10_000, seed: int = 7):
	frappe.flags.mute_emails = True
	rng = random.Random(seed)
	today = getdate(nowdate())
	results: list[dict] = []
	try:
		t0 = time.perf_counter()
		n_cases, n_pauses = _make_cases(int(cases), today, rng)
		print(f"setup: {n_cases} cases, {n_pauses} pauses inserted in {time.perf_counter() - t0:.2f} s")
		# warm the calendar and the Settings cache (a long-running worker has them already)
		from fiber_onboarding.utils.calendar import get_calendar

		get_calendar()

		_sweep("1. first sweep: every case changes (no e-mail)", results, today=today, notify=False)
		_sweep("2. same hour again: nothing changes", results, today=today, notify=False)
		alerted = _mark_alerts_sent(today)
		print(f"   ({alerted} At Risk/Overdue cases marked as already alerted)")
		counter = _sweep("3. steady state with alerts on: nothing new", results, today=today, notify=True)
		print("queries of run 3: " + " | ".join(counter["statements"]))
		counter = _sweep("4. next day: some cases change and are alerted", results, today=add_days(today, 1))
		alerts = results[-1]["alerted"]
		if alerts:
			per_alert = (counter["queries"] - 4) / alerts
			print(f"   each alert (e-mail + ToDo + timeline): about {per_alert:.0f} queries")
	finally:
		frappe.db.rollback()
		if frappe.db.sql(f"select count(*) from `tab{CASE}` where name like %s", (PREFIX + "%",))[0][0]:
			_cleanup()
			frappe.db.commit()  # benchmark cleanup only: leave the shared site as it was
		frappe.flags.mute_emails = False
	return results


def main(site: str, cases: int) -> int:
	"""Connect to ``site`` (the current folder is the bench's ``sites``), run the benchmark, disconnect."""
	frappe.init(site=site, sites_path=".")
	frappe.connect()
	try:
		run(cases)
	finally:
		frappe.destroy()
	return 0


if __name__ == "__main__":
	sys.exit(main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 10_000))
