"""Prepares the demo site for ``portal_load.py`` (run inside the site by ``run_portal_load.sh``, with the bench's
Python, from its ``sites`` folder)::

    cd <bench>/sites && ../env/bin/python ../benchmarks/portal_load_site.py fiber.localhost 5 ../benchmarks/out/fixture.json

Writes a JSON file with what the load needs:

- the demo customer's login (``setup.demo``) and the pages it opens: its case with the most documents (the one in
  the test phase), that case's boleto and contract, the project waiting for approval;
- a staff user made for the benchmark (``fo-bench-staff@fibra-demo.example.com``, role Fiber Onboarding Manager,
  a fresh random password each run);
- ``registrations`` forms, each for a new approved proposal (``BENCH-…``, a valid fresh CNPJ); the registration
  counter of the loopback address is reset, so the gate's limit (5 per address in 10 minutes) allows that many.

Everything is committed: the registrations the load makes are real cases of the demo site (``BENCH-`` proposals).
"""

from __future__ import annotations

import json
import random
import sys

import frappe
from frappe.utils import add_days, nowdate

STAFF_USER = "fo-bench-staff@fibra-demo.example.com"
STAFF_ROLE = "Fiber Onboarding Manager"
REGISTER = "fiber_onboarding.api.portal.register"
LOOPBACK = "127.0.0.1"


def _cnpj() -> str:
	from stdnum.br import cnpj

	base = "".join(str(random.randint(0, 9)) for _ in range(8)) + "0001"
	return base + cnpj.calc_check_digits(base)


def _staff_user() -> dict:
	password = frappe.generate_hash(length=20)
	if not frappe.db.exists("User", STAFF_USER):
		user = frappe.get_doc(
			{
				"doctype": "User",
				"email": STAFF_USER,
				"first_name": "Benchmark",
				"last_name": "Equipe",
				"enabled": 1,
				"user_type": "System User",
				"send_welcome_email": 0,
				"language": "pt-BR",
			}
		)
		in_import, frappe.flags.in_import = frappe.flags.in_import, True  # not throttled as a signup
		try:
			user.insert(ignore_permissions=True)
		finally:
			frappe.flags.in_import = in_import
	user = frappe.get_doc("User", STAFF_USER)
	if STAFF_ROLE not in [r.role for r in user.roles]:
		user.add_roles(STAFF_ROLE)
	from frappe.utils.password import update_password

	update_password(STAFF_USER, password)
	frappe.db.set_value("User", STAFF_USER, "enabled", 1)
	return {"user": STAFF_USER, "password": password}


def _demo_pages(portal_user: str) -> dict:
	from fiber_onboarding.core.process import Stage
	from fiber_onboarding.permissions import customers_of

	customers = customers_of(portal_user)
	cases = frappe.get_all(
		"Fiber Onboarding",
		filters={"customer": ("in", customers)},
		fields=["name", "stage", "boleto", "contract", "project"],
	)
	by_stage = {c.stage: c for c in cases}
	rich = by_stage.get(Stage.TEST_PHASE) or cases[0]
	waiting = by_stage.get(Stage.AWAITING_PROJECT_APPROVAL) or rich
	return {
		"cases": len(cases),
		"case": rich.name,
		"boleto": rich.boleto,
		"contract": rich.contract,
		"project": waiting.project,
	}


def _registration(index: int) -> dict:
	"""The form of a new approved proposal (a fresh number and CNPJ), as the visitor fills it in."""
	from fiber_onboarding.setup.demo import make_proposal, registration_data
	from fiber_onboarding.utils.workflow import advance

	number = f"BENCH-{frappe.generate_hash(length=6).upper()}{index % 100:02d}"
	cnpj = _cnpj()
	company = f"Empresa de Carga {number[6:]} Ltda"
	proposal = make_proposal(number, company, cnpj, valid_until=add_days(nowdate(), 30))
	proposal = advance(proposal, "Send", as_system=True, actor="benchmark")
	advance(proposal, "Approve", as_system=True, actor="benchmark")
	return {"proposal_number": number, **registration_data(number, company, cnpj)}


def prepare(registrations: int) -> dict:
	from fiber_onboarding.setup.demo import PORTAL_PASSWORD, ensure_portal_user

	frappe.set_user("Administrator")
	portal_user = ensure_portal_user()
	fixture = {
		"site": frappe.local.site,
		"customer": {"user": portal_user, "password": PORTAL_PASSWORD},
		"staff": _staff_user(),
		**_demo_pages(portal_user),
		"registrations": [_registration(i) for i in range(registrations)],
	}
	# the gate's counter of registrations from the loopback address (frappe.rate_limiter's key): each run starts
	# with the limit's full allowance, and no more
	frappe.cache.delete_value(f"rl:{REGISTER}:{LOOPBACK}")
	frappe.db.commit()
	return fixture


def main(site: str, registrations: int, out: str) -> int:
	frappe.init(site=site, sites_path=".")
	frappe.connect()
	try:
		fixture = prepare(registrations)
	finally:
		frappe.destroy()
	with open(out, "w", encoding="utf-8") as fh:
		json.dump(fixture, fh, ensure_ascii=False, indent=1)
	print(f"fixture: {out} (customer with {fixture['cases']} cases, {registrations} proposals to register)")
	return 0


if __name__ == "__main__":
	sys.exit(main(sys.argv[1], int(sys.argv[2]), sys.argv[3]))
