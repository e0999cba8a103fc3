"""The customer's view of a case: every step of the process, in order, with its status, date and who acts.

``build_timeline(facts)`` turns plain facts about the case (dates and document states, no frappe) into a list
of ``Step``: ``done`` (with the date it happened), ``current`` (waiting now; ``due`` says by when when known),
``next`` (not reached yet) or ``skipped`` (an optional step not taken, or a cancelled case). Titles, details and
actors are pt-BR: the portal shows them as they are. The contract runs in parallel with payment and project, so
more than one step may be current at a time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from fiber_onboarding.core.process import PROJECT_WORKFLOW, BoletoStatus
from fiber_onboarding.core.process import CircuitState as R
from fiber_onboarding.core.process import ContractState as C
from fiber_onboarding.core.process import ProjectState as J

DONE = "done"
CURRENT = "current"
NEXT = "next"
SKIPPED = "skipped"
STATUSES = (DONE, CURRENT, NEXT, SKIPPED)

YOU = "Você"
TEAM = "Nossa equipe"
BANK = "Banco"

# document states: the vocabulary and the order are core.process's (the project's workflow lists its states in
# process order)
_PROJECT_ORDER = PROJECT_WORKFLOW.state_names
_CIRCUIT_LIVE = (R.ACTIVE, R.OFFLINE, R.DECOMMISSIONED)


@dataclass(frozen=True)
class TimelineFacts:
	"""What the timeline needs to know about one case (all optional: an absent document is ``None``)."""

	registered_on: date | None = None
	cancelled: bool = False
	# boleto of the setup fee
	boleto_status: str | None = None
	boleto_due: date | None = None
	paid_on: date | None = None
	# contract
	contract_state: str | None = None
	contract_uploaded_on: date | datetime | None = None
	contract_received_on: date | None = None
	# project
	project_state: str | None = None
	project_send_earliest: date | None = None
	project_sent_on: date | datetime | None = None
	project_approved_on: date | datetime | None = None
	execution_date: date | None = None
	prior_visit_requested: bool = False
	prior_visit_date: date | None = None
	photo_report_sent_on: date | datetime | None = None
	internal_passage_date: date | None = None
	implementation_report_sent_on: date | datetime | None = None
	# circuit
	circuit_state: str | None = None
	test_phase_started_at: datetime | None = None
	test_phase_ends_at: datetime | None = None
	problem_open: bool = False
	customer_confirmed_at: datetime | None = None
	activated_on: datetime | None = None
	# SLA
	sla_due: date | None = None


@dataclass(frozen=True)
class Step:
	key: str
	title: str
	status: str
	date: date | datetime | None = None
	actor: str = TEAM
	due: date | datetime | None = None
	detail: str = ""


def _project_at_least(facts: TimelineFacts, state: str) -> bool:
	if facts.project_state not in _PROJECT_ORDER:
		return False
	return _PROJECT_ORDER.index(facts.project_state) >= _PROJECT_ORDER.index(state)


def _fmt(day) -> str:
	if isinstance(day, datetime):
		return day.strftime("%d/%m/%Y %H:%M")
	return day.strftime("%d/%m/%Y") if day else ""


def _registration(f: TimelineFacts) -> Step:
	return Step("registration", "Cadastro", DONE if f.registered_on else CURRENT, f.registered_on, YOU)


def _payment(f: TimelineFacts) -> list[Step]:
	title = "Pagamento do boleto da taxa de ativação"
	if f.paid_on:
		return [
			Step("payment", title, DONE, f.paid_on, YOU),
			Step("payment_confirmation", "Confirmação do pagamento", DONE, f.paid_on, BANK),
		]
	if f.boleto_status in (BoletoStatus.EXPIRED, BoletoStatus.CANCELLED, BoletoStatus.REJECTED):
		pay = Step(
			"payment",
			title,
			CURRENT,
			actor=TEAM,
			detail="O boleto não está mais válido: nossa equipe vai emitir um novo e avisar você por e-mail.",
		)
	else:
		pay = Step(
			"payment",
			title,
			CURRENT,
			actor=YOU,
			due=f.boleto_due,
			detail="Nossos serviços são pré-pagos: o projeto é elaborado depois do pagamento.",
		)
	confirm = Step(
		"payment_confirmation",
		"Confirmação do pagamento",
		NEXT,
		actor=BANK,
		detail="O banco nos informa o pagamento em até dois dias úteis.",
	)
	return [pay, confirm]


def _contract(f: TimelineFacts) -> list[Step]:
	state = f.contract_state
	up_title, review_title = "Envio do contrato assinado", "Conferência do contrato assinado"
	if state in (C.SIGNED_UPLOADED, C.ACCEPTED):
		upload = Step("contract_upload", up_title, DONE, f.contract_uploaded_on, YOU)
	elif state == C.REJECTED:
		upload = Step(
			"contract_upload",
			up_title,
			CURRENT,
			actor=YOU,
			detail="O contrato enviado foi recusado: veja o motivo e envie uma nova versão assinada.",
		)
	elif state == C.SENT:
		upload = Step(
			"contract_upload",
			up_title,
			CURRENT,
			actor=YOU,
			detail="O responsável legal recebeu o contrato por e-mail: assine o PDF e envie aqui. "
			"O prazo de ativação só conta depois do recebimento do contrato assinado.",
		)
	else:
		upload = Step("contract_upload", up_title, NEXT, actor=YOU)
	if state == C.ACCEPTED:
		review = Step("contract_review", review_title, DONE, f.contract_received_on, TEAM)
	elif state == C.SIGNED_UPLOADED:
		review = Step("contract_review", review_title, CURRENT, actor=TEAM)
	else:
		review = Step("contract_review", review_title, NEXT, actor=TEAM)
	return [upload, review]


def _project(f: TimelineFacts) -> list[Step]:
	steps = []
	title = "Elaboração do projeto"
	if _project_at_least(f, J.SENT):
		steps.append(Step("project_drafting", title, DONE, f.project_sent_on, TEAM))
	elif f.paid_on:
		steps.append(
			Step(
				"project_drafting",
				title,
				CURRENT,
				actor=TEAM,
				due=f.project_send_earliest,
				detail="O projeto é enviado ao contato técnico no primeiro dia útil após o pagamento.",
			)
		)
	else:
		steps.append(Step("project_drafting", title, NEXT, actor=TEAM))

	title = "Aprovação do projeto e escolha da data de execução"
	if _project_at_least(f, J.APPROVED):
		detail = f"Execução agendada para {_fmt(f.execution_date)}." if f.execution_date else ""
		steps.append(Step("project_approval", title, DONE, f.project_approved_on, YOU, detail=detail))
	elif f.project_state == J.SENT:
		steps.append(
			Step(
				"project_approval",
				title,
				CURRENT,
				actor=YOU,
				detail="O contato técnico aprova o projeto e escolhe a data da execução no local.",
			)
		)
	else:
		steps.append(Step("project_approval", title, NEXT, actor=YOU))

	title = "Visita prévia e relatório fotográfico (opcional)"
	if f.prior_visit_requested:
		if f.photo_report_sent_on:
			steps.append(Step("prior_visit", title, DONE, f.photo_report_sent_on, TEAM))
		else:
			steps.append(
				Step(
					"prior_visit",
					title,
					CURRENT,
					f.prior_visit_date,
					TEAM,
					due=f.prior_visit_date,
					detail="Você solicitou a visita prévia: nossa equipe entra em contato para agendar.",
				)
			)
	elif _project_at_least(f, J.INTERNAL_EXECUTION) or f.internal_passage_date:
		steps.append(Step("prior_visit", title, SKIPPED, actor=YOU, detail="Não solicitada."))
	else:
		steps.append(
			Step(
				"prior_visit",
				title,
				NEXT,
				actor=YOU,
				detail="Não é obrigatória: a vistoria interna é feita no dia da passagem do cabo.",
			)
		)

	title = "Vistoria interna e passagem do cabo óptico"
	if f.internal_passage_date or _project_at_least(f, J.INTERNAL_EXECUTION):
		steps.append(Step("internal_passage", title, DONE, f.internal_passage_date, TEAM))
	elif f.project_state == J.APPROVED:
		steps.append(
			Step(
				"internal_passage",
				title,
				CURRENT,
				f.execution_date,
				TEAM,
				due=f.execution_date,
				detail="No local, na data escolhida. O prazo de ativação começa a contar nesta data.",
			)
		)
	else:
		steps.append(Step("internal_passage", title, NEXT, f.execution_date, TEAM))

	title = "Execução interna (cabeamento e equipamentos)"
	if _project_at_least(f, J.EXTERNAL_EXECUTION):
		steps.append(Step("internal_execution", title, DONE, actor=TEAM))
	elif f.project_state == J.INTERNAL_EXECUTION:
		steps.append(
			Step(
				"internal_execution",
				title,
				CURRENT,
				actor=TEAM,
				detail="Avisaremos você se alguma interação for necessária.",
			)
		)
	else:
		steps.append(Step("internal_execution", title, NEXT, actor=TEAM))

	title = "Execução externa (cabeamento e emendas nas vias públicas)"
	if f.project_state == J.DONE or f.implementation_report_sent_on:
		steps.append(Step("external_execution", title, DONE, f.implementation_report_sent_on, TEAM))
	elif f.project_state == J.EXTERNAL_EXECUTION:
		steps.append(
			Step(
				"external_execution",
				title,
				CURRENT,
				actor=TEAM,
				detail="Não é necessária nenhuma interação: aguarde a data de entrega do circuito.",
			)
		)
	else:
		steps.append(Step("external_execution", title, NEXT, actor=TEAM))
	return steps


def _test_and_activation(f: TimelineFacts) -> list[Step]:
	title = "Fase de testes (48 horas)"
	live = f.circuit_state in _CIRCUIT_LIVE or bool(f.activated_on)
	if live:
		test = Step("test_phase", title, DONE, f.test_phase_ends_at or f.activated_on, YOU)
	elif f.circuit_state == R.TESTING or f.test_phase_started_at:
		if f.problem_open:
			test = Step(
				"test_phase",
				title,
				CURRENT,
				f.test_phase_started_at,
				TEAM,
				due=f.test_phase_ends_at,
				detail="Você informou um problema: nossa equipe está verificando.",
			)
		else:
			detail = (
				"Você confirmou que o serviço funciona. A ativação acontece ao final das 48 horas."
				if f.customer_confirmed_at
				else "Use o serviço e confirme que funciona, ou informe um problema."
			)
			test = Step(
				"test_phase",
				title,
				CURRENT,
				f.test_phase_started_at,
				YOU,
				due=f.test_phase_ends_at,
				detail=detail,
			)
	else:
		test = Step(
			"test_phase",
			title,
			NEXT,
			actor=YOU,
			detail="Começa com o envio do relatório de implantação.",
		)

	title = "Link ativo"
	if live:
		activation = Step("activation", title, DONE, f.activated_on, TEAM)
	else:
		activation = Step("activation", title, NEXT, actor=TEAM, due=f.sla_due)
	return [test, activation]


def build_timeline(facts: TimelineFacts) -> list[Step]:
	"""Every step of the case in process order (see the module docstring)."""
	steps = [
		_registration(facts),
		*_payment(facts),
		*_contract(facts),
		*_project(facts),
		*_test_and_activation(facts),
	]
	if facts.cancelled:
		steps = [
			s
			if s.status in (DONE, SKIPPED)
			else Step(s.key, s.title, SKIPPED, s.date, s.actor, detail="Ativação cancelada.")
			for s in steps
		]
	return steps


def current_steps(steps: list[Step]) -> list[Step]:
	return [s for s in steps if s.status == CURRENT]


def next_action(steps: list[Step]) -> Step | None:
	"""The step to show as "what comes next": the first current step where the customer acts, else the first
	current step, else the first step not reached yet (None: nothing left)."""
	current = current_steps(steps)
	for s in current:
		if s.actor == YOU:
			return s
	if current:
		return current[0]
	return next((s for s in steps if s.status == NEXT), None)
