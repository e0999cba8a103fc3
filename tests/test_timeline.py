"""The customer's timeline (core.timeline.build_timeline) at every stage of the process."""

from dataclasses import replace
from datetime import date, datetime

import pytest

from fiber_onboarding.core import timeline as t
from fiber_onboarding.core.timeline import (
	BANK,
	CURRENT,
	DONE,
	NEXT,
	SKIPPED,
	TEAM,
	YOU,
	TimelineFacts,
)

KEYS = (
	"registration",
	"payment",
	"payment_confirmation",
	"contract_upload",
	"contract_review",
	"project_drafting",
	"project_approval",
	"prior_visit",
	"internal_passage",
	"internal_execution",
	"external_execution",
	"test_phase",
	"activation",
)

REGISTERED = TimelineFacts(
	registered_on=date(2026, 3, 2),
	boleto_status="Registered",
	boleto_due=date(2026, 3, 9),
	contract_state="Sent",
	project_state="Awaiting Payment",
	circuit_state="Planned",
)
PAID = replace(
	REGISTERED,
	boleto_status="Paid",
	paid_on=date(2026, 3, 4),
	project_state="Drafting",
	project_send_earliest=date(2026, 3, 5),
)
PROJECT_SENT = replace(PAID, project_state="Sent", project_sent_on=date(2026, 3, 5))
APPROVED = replace(
	PROJECT_SENT,
	project_state="Approved",
	project_approved_on=date(2026, 3, 6),
	execution_date=date(2026, 3, 12),
	contract_state="Signed Uploaded",
	contract_uploaded_on=date(2026, 3, 6),
)
INTERNAL = replace(
	APPROVED,
	project_state="Internal Execution",
	internal_passage_date=date(2026, 3, 12),
	contract_state="Accepted",
	contract_received_on=date(2026, 3, 9),
	sla_due=date(2026, 4, 9),
)
EXTERNAL = replace(INTERNAL, project_state="External Execution")
TESTING = replace(
	EXTERNAL,
	project_state="Done",
	implementation_report_sent_on=datetime(2026, 3, 20, 10, 0),
	circuit_state="Testing",
	test_phase_started_at=datetime(2026, 3, 20, 10, 0),
	test_phase_ends_at=datetime(2026, 3, 22, 10, 0),
)
ACTIVE = replace(TESTING, circuit_state="Active", activated_on=datetime(2026, 3, 22, 11, 0))


def by_key(facts):
	steps = t.build_timeline(facts)
	assert tuple(s.key for s in steps) == KEYS
	assert all(s.status in t.STATUSES for s in steps)
	assert all(s.actor in (YOU, TEAM, BANK) for s in steps)
	return {s.key: s for s in steps}


def statuses(facts):
	return {k: s.status for k, s in by_key(facts).items()}


def test_just_registered():
	s = by_key(REGISTERED)
	assert s["registration"].status == DONE and s["registration"].date == date(2026, 3, 2)
	assert s["payment"].status == CURRENT and s["payment"].actor == YOU
	assert s["payment"].due == date(2026, 3, 9)
	assert s["payment_confirmation"].status == NEXT and s["payment_confirmation"].actor == BANK
	assert s["contract_upload"].status == CURRENT and s["contract_upload"].actor == YOU
	assert s["project_drafting"].status == NEXT
	assert [k for k, st in statuses(REGISTERED).items() if st == CURRENT] == [
		"payment",
		"contract_upload",
	]
	assert t.next_action(t.build_timeline(REGISTERED)).key == "payment"


def test_expired_boleto_is_on_our_team():
	s = by_key(replace(REGISTERED, boleto_status="Expired"))
	assert s["payment"].status == CURRENT and s["payment"].actor == TEAM
	assert "novo" in s["payment"].detail


def test_paid_project_drafting():
	s = by_key(PAID)
	assert s["payment"].status == DONE and s["payment"].date == date(2026, 3, 4)
	assert s["payment_confirmation"].status == DONE and s["payment_confirmation"].actor == BANK
	assert s["project_drafting"].status == CURRENT and s["project_drafting"].actor == TEAM
	assert s["project_drafting"].due == date(2026, 3, 5)
	assert s["project_approval"].status == NEXT


def test_project_sent_waits_for_the_customer():
	s = by_key(PROJECT_SENT)
	assert s["project_drafting"].status == DONE and s["project_drafting"].date == date(2026, 3, 5)
	assert s["project_approval"].status == CURRENT and s["project_approval"].actor == YOU
	assert s["prior_visit"].status == NEXT
	steps = t.build_timeline(replace(PROJECT_SENT, contract_state="Accepted"))
	assert t.next_action(steps).key == "project_approval"


def test_approved_execution_scheduled():
	s = by_key(APPROVED)
	assert s["project_approval"].status == DONE
	assert "12/03/2026" in s["project_approval"].detail
	assert s["contract_upload"].status == DONE and s["contract_upload"].date == date(2026, 3, 6)
	assert s["contract_review"].status == CURRENT and s["contract_review"].actor == TEAM
	assert s["internal_passage"].status == CURRENT
	assert s["internal_passage"].due == date(2026, 3, 12)
	assert s["internal_execution"].status == NEXT


def test_prior_visit_requested_then_reported():
	requested = replace(APPROVED, prior_visit_requested=True, prior_visit_date=date(2026, 3, 10))
	s = by_key(requested)
	assert s["prior_visit"].status == CURRENT and s["prior_visit"].actor == TEAM
	assert s["prior_visit"].due == date(2026, 3, 10)
	s = by_key(replace(requested, photo_report_sent_on=datetime(2026, 3, 10, 15, 0)))
	assert s["prior_visit"].status == DONE and s["prior_visit"].date == datetime(2026, 3, 10, 15, 0)


def test_prior_visit_skipped_once_passage_happened():
	s = by_key(INTERNAL)
	assert s["prior_visit"].status == SKIPPED


def test_internal_execution():
	s = by_key(INTERNAL)
	assert s["internal_passage"].status == DONE and s["internal_passage"].date == date(2026, 3, 12)
	assert s["internal_execution"].status == CURRENT
	assert s["contract_review"].status == DONE and s["contract_review"].date == date(2026, 3, 9)
	assert s["activation"].status == NEXT and s["activation"].due == date(2026, 4, 9)


def test_external_execution():
	s = by_key(EXTERNAL)
	assert s["internal_execution"].status == DONE
	assert s["external_execution"].status == CURRENT and s["external_execution"].actor == TEAM
	assert s["test_phase"].status == NEXT


def test_test_phase():
	s = by_key(TESTING)
	assert s["external_execution"].status == DONE
	assert s["test_phase"].status == CURRENT and s["test_phase"].actor == YOU
	assert s["test_phase"].due == datetime(2026, 3, 22, 10, 0)
	assert s["activation"].status == NEXT
	confirmed = by_key(replace(TESTING, customer_confirmed_at=datetime(2026, 3, 21, 9, 0)))
	assert "confirmou" in confirmed["test_phase"].detail
	problem = by_key(replace(TESTING, problem_open=True))
	assert problem["test_phase"].actor == TEAM and "problema" in problem["test_phase"].detail


def test_active():
	st = statuses(ACTIVE)
	assert st["activation"] == DONE and st["test_phase"] == DONE
	assert not [k for k, v in st.items() if v in (CURRENT, NEXT)]
	assert by_key(ACTIVE)["activation"].date == datetime(2026, 3, 22, 11, 0)
	assert t.next_action(t.build_timeline(ACTIVE)) is None


@pytest.mark.parametrize(
	"facts",
	[REGISTERED, PAID, PROJECT_SENT, APPROVED, INTERNAL, EXTERNAL, TESTING, ACTIVE],
)
def test_done_steps_never_follow_unreached_ones_on_the_main_track(facts):
	main = [
		s
		for s in t.build_timeline(facts)
		if s.key not in ("contract_upload", "contract_review", "prior_visit")
	]
	seen_open = False
	for s in main:
		if s.status in (CURRENT, NEXT):
			seen_open = True
		elif s.status == DONE:
			assert not seen_open, s.key


def test_rejected_contract_back_to_customer():
	s = by_key(replace(APPROVED, contract_state="Rejected"))
	assert s["contract_upload"].status == CURRENT and "recusado" in s["contract_upload"].detail
	assert s["contract_review"].status == NEXT


def test_cancelled_case_skips_everything_left():
	s = by_key(replace(PROJECT_SENT, cancelled=True))
	assert s["registration"].status == DONE and s["payment"].status == DONE
	assert s["project_approval"].status == SKIPPED
	assert s["activation"].status == SKIPPED
	assert t.current_steps(list(s.values())) == []


def test_empty_facts():
	st = statuses(TimelineFacts())
	assert st["registration"] == CURRENT
	assert st["activation"] == NEXT
