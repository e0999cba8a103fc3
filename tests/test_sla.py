"""Core SLA rule: start, due date in business days, pauses, statuses."""

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fiber_onboarding.core.calendar import get_calendar
from fiber_onboarding.core.sla import (
	AT_RISK,
	MET,
	MISSED,
	NOT_STARTED,
	ON_TRACK,
	OVERDUE,
	Pause,
	SlaError,
	compute_sla,
	share_fraction,
)

D = date.fromisoformat
CAL = get_calendar()
SP = get_calendar("SP")


def sla(
	passage="2026-03-02",
	contract="2026-03-04",
	n=10,
	today="2026-03-05",
	activated=None,
	pauses=(),
	**kw,
):
	return compute_sla(
		D(passage) if passage else None,
		D(contract) if contract else None,
		n,
		D(today),
		activated if activated is None or not isinstance(activated, str) else D(activated),
		list(pauses),
		kw.pop("calendar", CAL),
		**kw,
	)


@pytest.mark.parametrize("passage, contract", [(None, "2026-03-04"), ("2026-03-02", None), (None, None)])
def test_not_started_until_both_dates_exist(passage, contract):
	r = sla(passage, contract, today="2026-06-01")
	assert r.status == NOT_STARTED
	assert r.start is None and r.due is None
	assert r.consumed_business_days == 0 and r.remaining_business_days == 10


def test_start_is_the_later_date_either_way():
	a = sla("2026-03-02", "2026-03-04")
	b = sla("2026-03-04", "2026-03-02")
	assert a.start == b.start == D("2026-03-04")
	# 10 business days after Wed 4 March: 5, 6, 9, 10, 11, 12, 13, 16, 17, 18
	assert a.due == b.due == D("2026-03-18")


def test_due_date_skips_carnival():
	r = sla("2026-02-13", "2026-02-10", today="2026-02-13")
	# 18, 19, 20, 23, 24, 25, 26, 27 Feb, 2, 3 Mar (16-17 Feb Carnival)
	assert r.due == D("2026-03-03")


def test_due_date_uses_state_holidays_and_year_end():
	r = sla("2026-07-01", "2026-07-01", n=10, today="2026-07-01", calendar=SP)
	assert r.due == D("2026-07-16")  # 9 July closed in SP
	r = sla("2026-07-01", "2026-07-01", n=10, today="2026-07-01")
	assert r.due == D("2026-07-15")
	r = sla("2026-12-17", "2026-12-17", n=10, today="2026-12-17")
	# 18, 21, 22, 23, 24, 28, 29, 30, 31 Dec, 4 Jan (25 Dec and 1 Jan closed)
	assert r.due == D("2027-01-04")


@pytest.mark.parametrize(
	"today, status, consumed",
	[
		("2026-03-03", ON_TRACK, 0),  # before the start
		("2026-03-04", ON_TRACK, 0),  # the start day itself is day 0
		("2026-03-05", ON_TRACK, 1),
		("2026-03-12", ON_TRACK, 6),
		("2026-03-13", AT_RISK, 7),  # 70 % of 10
		("2026-03-14", AT_RISK, 7),  # Saturday
		("2026-03-18", AT_RISK, 10),  # due day: still not overdue
		("2026-03-19", OVERDUE, 11),
		("2026-04-01", OVERDUE, 20),
	],
)
def test_open_statuses(today, status, consumed):
	r = sla(today=today)
	assert r.status == status
	assert r.consumed_business_days == consumed
	assert r.remaining_business_days == 10 - consumed
	assert r.due == D("2026-03-18")


@pytest.mark.parametrize(
	"activated, status",
	[
		("2026-03-10", MET),
		("2026-03-18", MET),
		(datetime(2026, 3, 18, 23, 59), MET),
		("2026-03-19", MISSED),
		(datetime(2026, 3, 19, 8, 0), MISSED),
	],
)
def test_met_or_missed_once_activated(activated, status):
	r = sla(today="2026-04-30", activated=activated)
	assert r.status == status
	# consumption stops at activation
	day = D(activated) if isinstance(activated, str) else activated.date()
	assert r.consumed_business_days == CAL.business_days_between(D("2026-03-04"), day)


def test_at_risk_share_is_configurable():
	assert sla(today="2026-03-11", at_risk_share=Decimal("0.5")).status == AT_RISK  # 5 of 10
	assert sla(today="2026-03-10", at_risk_share=Decimal("0.5")).status == ON_TRACK
	assert sla(today="2026-03-11", at_risk_share=50).status == AT_RISK  # Settings' Percent field
	assert sla(today="2026-03-17", at_risk_share="0.9").status == AT_RISK
	assert sla(today="2026-03-16", at_risk_share="0.9").status == ON_TRACK
	assert share_fraction(None) == share_fraction("0.70") == share_fraction(70)


@pytest.mark.parametrize("n", [9, 46, 0, -10, None, "x", 10.5])
def test_term_must_be_10_to_45(n):
	with pytest.raises(SlaError, match="dias úteis"):
		sla(n=n)


@pytest.mark.parametrize("share", [0, -5, 150, "abc"])
def test_bad_share(share):
	with pytest.raises(SlaError):
		sla(at_risk_share=share)


def test_closed_pause_extends_due_date():
	p = Pause(D("2026-03-09"), D("2026-03-10"), "Prédio sem acesso")
	r = sla(today="2026-03-12", pauses=[p])
	assert r.due == D("2026-03-20")
	assert r.consumed_business_days == 4  # 5, 6, 11, 12
	assert r.paused_business_days == 2
	assert not r.paused


def test_open_pause_moves_due_every_day():
	p = Pause(D("2026-03-09"), None, "Cliente sem acesso ao prédio")
	r = sla(today="2026-03-12", pauses=[p])
	assert r.paused
	assert r.consumed_business_days == 2  # 5, 6
	assert r.due == D("2026-03-24")  # 18 March + 4 paused days (9-12)
	assert r.status == ON_TRACK
	later = sla(today="2026-03-20", pauses=[p])
	assert later.due == D("2026-04-01")  # 18 March + 10 paused days (9-20)
	assert later.consumed_business_days == 2
	assert later.status == ON_TRACK


def test_future_pauses():
	# planned ahead (closed): counts already; open but not begun: ignored until it begins
	assert sla(pauses=[Pause(D("2026-03-16"), D("2026-03-17"), "x")], today="2026-03-05").due == D(
		"2026-03-20"
	)
	r = sla(pauses=[Pause(D("2026-03-16"), None, "x")], today="2026-03-05")
	assert (r.due, r.paused) == (D("2026-03-18"), False)


def test_pause_before_start_does_not_count_and_overlap_counts_only_after():
	assert sla(pauses=[Pause(D("2026-02-02"), D("2026-02-27"), "x")]).due == D("2026-03-18")
	assert sla(pauses=[Pause(D("2026-03-02"), D("2026-03-05"), "x")]).due == D("2026-03-19")


def test_pause_over_the_due_date_and_after_it():
	# counted before the pause: 5, 6, 9, 10, 11, 12, 13, 16 (8); 2 more after 20 March: 23, 24
	assert sla(pauses=[Pause(D("2026-03-17"), D("2026-03-20"), "x")], today="2026-03-25").due == D(
		"2026-03-24"
	)
	# a pause that starts after the due date does not rescue an overdue case
	r = sla(pauses=[Pause(D("2026-03-20"), D("2026-03-25"), "x")], today="2026-03-26")
	assert r.due == D("2026-03-18")
	assert r.status == OVERDUE


def test_overlapping_pauses_are_not_counted_twice():
	pauses = [
		Pause(D("2026-03-09"), D("2026-03-11"), "a"),
		Pause(D("2026-03-10"), D("2026-03-12"), "b"),
	]
	r = sla(pauses=pauses, today="2026-03-13")
	assert r.due == D("2026-03-24")
	assert r.paused_business_days == 4


def test_pause_ending_before_it_starts_is_rejected():
	with pytest.raises(SlaError, match="Pausa"):
		sla(pauses=[Pause(D("2026-03-10"), D("2026-03-09"), "x")])


# -- against a day-by-day reference ---------------------------------------------------------------------------


def _reference(start, n, pauses, today, activated):
	def paused(d):
		return any(p.from_date <= d <= (p.to_date or today) for p in pauses)

	d, counted = start, 0
	while counted < n:
		d += timedelta(days=1)
		if CAL.is_business_day(d) and not paused(d):
			counted += 1
	due = d
	until = min(today, activated) if activated else today
	consumed, d = 0, start
	while d < until:
		d += timedelta(days=1)
		if CAL.is_business_day(d) and not paused(d):
			consumed += 1
	return due, consumed


pause_st = st.builds(
	lambda a, length, open_: (a, None if open_ else a + timedelta(days=length)),
	st.dates(min_value=date(2026, 1, 1), max_value=date(2026, 12, 31)),
	st.integers(min_value=0, max_value=30),
	st.booleans(),
)


@settings(max_examples=200, deadline=None)
@given(
	st.dates(min_value=date(2026, 1, 1), max_value=date(2026, 12, 31)),
	st.integers(min_value=0, max_value=20),
	st.integers(min_value=10, max_value=45),
	st.integers(min_value=-10, max_value=120),
	st.one_of(st.none(), st.integers(min_value=0, max_value=120)),
	st.lists(pause_st, max_size=4),
)
def test_matches_reference(passage, contract_offset, n, today_offset, activated_offset, raw_pauses):
	contract = passage + timedelta(days=contract_offset)
	start = max(passage, contract)
	today = start + timedelta(days=today_offset)
	activated = start + timedelta(days=activated_offset) if activated_offset is not None else None
	if activated and activated > today:
		activated = today
	pauses = [Pause(a, b, "r") for a, b in raw_pauses]
	r = compute_sla(passage, contract, n, today, activated, pauses, CAL)
	due, consumed = _reference(start, n, pauses, today, activated)
	assert r.start == start
	assert r.due == due
	assert r.consumed_business_days == consumed
	assert r.remaining_business_days == n - consumed
	if activated:
		assert r.status == (MET if activated <= due else MISSED)
	elif today > due:
		assert r.status == OVERDUE
	else:
		assert r.status == (AT_RISK if consumed * 10 >= 7 * n else ON_TRACK)
