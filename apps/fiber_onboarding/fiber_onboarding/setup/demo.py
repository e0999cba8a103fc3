"""Demo data: one onboarding case in every stage, each moved there by the real services and workflows.

Nothing here writes a state: every case is registered through ``onboarding_service.register_case`` and pushed
forward with the same calls the portal, the bank return and the staff use (``advance(..., as_system=True)`` for
the system's steps). Idempotent: a demo proposal that already opened a case is left as it is.

Time cannot be moved, so the demo takes the shortest lawful path: the setup fee is paid a few business days ago
(the project may be sent today), the internal passage is recorded today, and the active case's 48 h test phase
is closed early by the system with a reason. The signed contract of that case is signed with a demo
certificate whose root is pinned in the settings ("AC Raiz de Demonstração"), then checked and accepted.
"""

from __future__ import annotations

import io

from stdnum.br import cnpj as stdnum_cnpj

import frappe
from frappe.utils import add_days, getdate, now_datetime, nowdate

from fiber_onboarding.core.process import STAGES, ContractState, ProposalState, Stage
from fiber_onboarding.utils.workflow import advance

PORTAL_USER = "cliente.demo@fibra-demo.example.com"
PORTAL_PASSWORD = "Fibra-Demo-2026!"
DEMO_ROOT_LABEL = "AC Raiz de Demonstração"
LEGAL_NAME = "Maria da Silva Souza"
LEGAL_CPF = "52998224725"

# (proposal number, company, 12-character CNPJ base, stage to reach)
CASES = (
	("DEMO-0001", "Padaria Pão Dourado Ltda", "385746120001", Stage.AWAITING_PAYMENT),
	("DEMO-0002", "Clínica Bem Viver Ltda", "264019830001", Stage.PROJECT_DRAFTING),
	("DEMO-0003", "Escritório Contábil Alfa S/S", "735012480001", Stage.AWAITING_PROJECT_APPROVAL),
	("DEMO-0004", "Metalúrgica Horizonte Ltda", "681193570001", Stage.EXECUTION_SCHEDULED),
	("DEMO-0005", "Colégio Novo Saber Ltda", "12ABC34501DE", Stage.INTERNAL_EXECUTION),
	("DEMO-0006", "Hotel Vista Mar Ltda", "594820310001", Stage.EXTERNAL_EXECUTION),
	("DEMO-0007", "Transportadora Rota Sul Ltda", "403318620001", Stage.TEST_PHASE),
	("DEMO-0008", "Supermercado Bom Preço Ltda", "827364510001", Stage.ACTIVE),
	("DEMO-0009", "Academia Corpo Ativo Ltda", "916253740001", Stage.CANCELLED),
)
# proposals left for the sales list and for a live registration on the portal
OPEN_PROPOSALS = (
	("DEMO-P-RASCUNHO", "Loja Exemplo Ltda", None),
	("DEMO-P-ENVIADA", "Farmácia Saúde Ltda", "Send"),
	("DEMO-P-APROVADA", "Consultoria Delta Ltda", "Approve"),
)
ORDER = tuple(stage for stage in STAGES if stage != Stage.CANCELLED)  # the path a demo case walks


def demo_cnpj(base: str) -> str:
	return base + stdnum_cnpj.calc_check_digits(base)


def ensure_portal_user() -> str:
	"""The demo customer that ``bin/setup`` prints: enabled, with ``PORTAL_PASSWORD``, able to log in."""
	if not frappe.db.exists("User", PORTAL_USER):
		user = frappe.get_doc(
			{
				"doctype": "User",
				"email": PORTAL_USER,
				"first_name": "Cliente",
				"last_name": "Demonstração",
				"enabled": 1,  # in_import skips DocType defaults: without this the user is disabled
				"user_type": "Website User",
				"send_welcome_email": 0,
				"language": "pt-BR",
				"new_password": PORTAL_PASSWORD,
				"roles": [{"role": "Fiber Customer"}],
			}
		)
		# not throttled by Frappe's users-per-hour limit (a busy test site may have reached it)
		in_import, frappe.flags.in_import = frappe.flags.in_import, True
		try:
			user.insert(ignore_permissions=True)
		finally:
			frappe.flags.in_import = in_import
	elif not frappe.db.get_value("User", PORTAL_USER, "enabled"):  # made by an earlier setup, disabled
		frappe.db.set_value("User", PORTAL_USER, "enabled", 1)
	return PORTAL_USER


def make_proposal(number: str, company: str, cnpj: str | None, **values):
	if frappe.db.exists("Fiber Proposal", number):
		return frappe.get_doc("Fiber Proposal", number)
	return frappe.get_doc(
		{
			"doctype": "Fiber Proposal",
			"proposal_number": number,
			"company_name": company,
			"cnpj": cnpj,
			"contact_name": LEGAL_NAME,
			"contact_email": "comercial@" + number.lower() + ".example.com",
			"valid_until": add_days(nowdate(), 60),
			"bandwidth_mbps": 500,
			"term_months": 36,
			"sla_business_days": 20,
			"setup_fee": 1500,
			"monthly_fee": 899.90,
			"terms": "<p>Link dedicado simétrico, IP fixo /29, SLA de disponibilidade 99,5%.</p>",
			**values,
		}
	).insert(ignore_permissions=True)


def registration_data(number: str, company: str, cnpj: str) -> dict:
	slug = number.lower()
	return {
		"company_name": company,
		"cnpj": cnpj,
		"site_identifier": slug,
		"address_line1": "Avenida Paulista",
		"address_number": str(1000 + int(number[-2:])),
		"neighborhood": "Bela Vista",
		"city": "São Paulo",
		"state": "SP",
		"cep": "01310-100",
		"legal_name": LEGAL_NAME,
		"legal_cpf": LEGAL_CPF,
		"legal_email": f"juridico@{slug}.example.com",
		"legal_phone": "+55 11 98888-0000",
		"tech_name": "João Pereira",
		"tech_email": f"ti@{slug}.example.com",
		"tech_phone": "+55 11 97777-0000",
	}


# ---------------------------------------------------------------------------------------------------------------
# The steps
# ---------------------------------------------------------------------------------------------------------------
def _pdf(text: str) -> bytes:
	from pypdf import PdfWriter

	writer = PdfWriter()
	writer.add_blank_page(width=595, height=842)
	writer.add_metadata({"/Title": text})
	out = io.BytesIO()
	writer.write(out)
	return out.getvalue()


def pay(case):
	from fiber_onboarding.fiber_billing.boleto_service.payment import mark_paid_manually
	from fiber_onboarding.utils.calendar import add_business_days

	boleto = frappe.get_doc("Fiber Boleto", case.boleto)
	paid_on = add_business_days(getdate(nowdate()), -5)
	# the demo's story starts a week ago: registered (and boleto issued) two business days before the payment,
	# so the timeline never shows a payment older than the registration
	registered_on = add_business_days(paid_on, -2)
	case.db_set("registered_on", registered_on)
	boleto.db_set("issue_date", registered_on)
	mark_paid_manually(boleto.name, boleto.amount, paid_on)


def send_project(case):
	from fiber_onboarding.fiber_field.project_service import approval

	project = frappe.get_doc("Fiber Project", case.project)
	if not project.project_file:
		f = frappe.get_doc(
			{
				"doctype": "File",
				"file_name": f"projeto-{project.name}.pdf",
				"content": _pdf(f"Projeto {project.name}"),
				"is_private": 1,
				"attached_to_doctype": "Fiber Project",
				"attached_to_name": project.name,
			}
		).insert(ignore_permissions=True)
		project.db_set("project_file", f.file_url)
	approval.send_project(project.name, as_system=True)


def approve_project(case, portal_user):
	from fiber_onboarding.fiber_field.project_service import approval

	day = approval.allowed_execution_dates(case.project, 1)[0]
	approval.approve_project(case.project, day, user=portal_user)


def internal_passage(case):
	from fiber_onboarding.fiber_field.project_service import execution, visits

	# the legal responsible signed before the cable passage: the activation term starts counting today
	sign_and_accept_contract(case)
	visit = visits.schedule_internal_survey(case.project, scheduled_date=nowdate())
	for row in visit.checklist:
		row.done = 1
	visit.status = "Done"
	visit.save(ignore_permissions=True)
	execution.register_internal_passage(case.project, nowdate(), as_system=True)


def external_execution(case):
	from fiber_onboarding.fiber_field.project_service import execution

	execution.start_external_execution(case.project, as_system=True)


def implementation_report(case, index: int):
	from fiber_onboarding.fiber_field.project_service import execution

	circuit = frappe.get_doc("Circuit", case.circuit)
	circuit.circuit_id = circuit.circuit_id or "SPO-DED-" + case.name.rsplit("-", 1)[-1]
	circuit.vlan = circuit.vlan or 1000 + index
	circuit.ip_block = circuit.ip_block or f"200.160.{index}.0/29"
	circuit.cpe_model = circuit.cpe_model or "Roteador CPE 4x GE"
	if not circuit.readings:
		for point, dbm in (("OLT", -14.2), ("Caixa de emenda", -17.8), ("CPE", -19.6)):
			circuit.append("readings", {"point": point, "power_dbm": dbm, "measured_on": now_datetime()})
	circuit.save(ignore_permissions=True)
	execution.send_implementation_report(case.project, as_system=True)


def sign_and_accept_contract(case):
	"""The legal responsible's signed copy (demo certificate), checked and accepted. Idempotent."""
	from fiber_onboarding.fiber_contracts.contract_service import checks, decisions, upload
	from fiber_onboarding.setup.demo_signing import make_pki, pin_trust_root, sign_pdf

	contract = frappe.get_doc("Fiber Contract", case.contract)
	if contract.workflow_state == ContractState.ACCEPTED:
		return
	pki = make_pki(signer_cn=f"{case.legal_name.upper()}:{case.legal_cpf}", root_cn=DEMO_ROOT_LABEL)
	pin_trust_root(pki, label=DEMO_ROOT_LABEL)
	issued = frappe.get_doc("File", {"file_url": contract.issued_file}).get_content()
	row = upload.receive_upload(
		contract, sign_pdf(issued, pki), "contrato-assinado.pdf", case.legal_email, "127.0.0.1"
	)
	# the check job (run here: the demo has no worker) accepts a copy that passes every check by itself
	checks.run_checks(contract=contract.name, upload=row.name)
	contract = frappe.get_doc("Fiber Contract", case.contract)
	if contract.workflow_state == ContractState.SIGNED_UPLOADED:
		decisions.accept(contract, actor="demo", note="Demonstração: revisado pela equipe.")
	state = frappe.db.get_value("Fiber Contract", case.contract, "workflow_state")
	if state != ContractState.ACCEPTED:
		frappe.throw(f"Demo: the signed contract {case.contract} ended in {state}, not Accepted.")


def activate(case):
	from fiber_onboarding.fiber_field import circuit_service

	sign_and_accept_contract(case)
	circuit_service.early_close(
		case.circuit, "Demonstração: o cliente validou o link com o técnico no local.", user="Administrator"
	)


def cancel(case):
	frappe.get_doc("Fiber Onboarding", case.name).cancel_case(
		"Demonstração: o cliente desistiu da contratação."
	)


def move_to(case, stage: str, index: int, portal_user: str):
	"""Move the case from its current stage to ``stage`` (a partly made demo case is completed)."""
	if stage == Stage.CANCELLED:
		if not case.cancelled:
			cancel(case)
		return
	if case.cancelled or case.stage not in ORDER:
		return
	steps = (
		(Stage.PROJECT_DRAFTING, lambda: pay(case)),
		(Stage.AWAITING_PROJECT_APPROVAL, lambda: send_project(case)),
		(Stage.EXECUTION_SCHEDULED, lambda: approve_project(case, portal_user)),
		(Stage.INTERNAL_EXECUTION, lambda: internal_passage(case)),
		(Stage.EXTERNAL_EXECUTION, lambda: external_execution(case)),
		(Stage.TEST_PHASE, lambda: implementation_report(case, index)),
		(Stage.ACTIVE, lambda: activate(case)),
	)
	current, target = ORDER.index(case.stage), ORDER.index(stage)
	for step_stage, step in steps:
		position = ORDER.index(step_stage)
		if position <= current:
			continue
		if position > target:
			break
		step()
		case.reload()


# ---------------------------------------------------------------------------------------------------------------
# Entry point
# ---------------------------------------------------------------------------------------------------------------
def make_demo() -> dict:
	"""Create what is missing of the demo; returns the portal login and the case of each stage."""
	from fiber_onboarding.fiber_onboarding.onboarding_service import register_case

	frappe.set_user("Administrator")
	portal_user = ensure_portal_user()
	cases: dict[str, str] = {}
	for index, (number, company, base, stage) in enumerate(CASES, start=1):
		cnpj = demo_cnpj(base)
		proposal = make_proposal(number, company, cnpj)
		if proposal.onboarding:
			case = frappe.get_doc("Fiber Onboarding", proposal.onboarding)
			move_to(case, stage, index, portal_user)
			cases[stage] = case.name
			continue
		if proposal.workflow_state == ProposalState.DRAFT:
			proposal = advance(proposal, "Send", as_system=True, actor="demo")
		if proposal.workflow_state == ProposalState.SENT:
			proposal = advance(proposal, "Approve", as_system=True, actor="demo")
		case = register_case(number, registration_data(number, company, cnpj), portal_user)
		move_to(case, stage, index, portal_user)
		case.reload()
		cases[stage] = case.name

	for number, company, action in OPEN_PROPOSALS:
		proposal = make_proposal(number, company, None)
		if action and proposal.workflow_state == ProposalState.DRAFT:
			proposal = advance(proposal, "Send", as_system=True, actor="demo")
		if action == "Approve" and proposal.workflow_state == ProposalState.SENT:
			advance(proposal, "Approve", as_system=True, actor="demo")

	return {
		"portal_user": portal_user,
		"password": PORTAL_PASSWORD,
		"cases": cases,
		"proposal_for_registration": "DEMO-P-APROVADA",
	}
