"""The activation-term (SLA) rule, as pure functions over plain data (never imports frappe).

The term (10-45 business days, set per proposal) counts only from the internal cable-passage date and only
once the signed contract was received: start = the later of the two; nothing starts while either is missing.
Due = start + N business days, where business days inside customer pauses (e.g. premises not accessible) do
not count and so push the due date forward.

Counting: the term's days are the business days after ``start`` (the start day itself is day 0), so without
pauses ``due = calendar.add_business_days(start, N)``. A pause covers ``from_date`` to ``to_date`` inclusive;
an open pause (``to_date`` None) runs through ``today``, so the due date moves forward every day it stays open.

Status:

- ``Not Started``: a start date is missing;
- ``Met`` / ``Missed``: activated on or before / after the due date;
- ``Overdue``: not activated and ``today`` is after the due date;
- ``At Risk``: the consumed share of the term reached ``at_risk_share`` (default 70 %);
- ``On Track``: otherwise.

``remaining_business_days`` = N - consumed; negative once overdue (business days late).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction

MIN_BUSINESS_DAYS = 10
MAX_BUSINESS_DAYS = 45
DEFAULT_AT_RISK_SHARE = Decimal("0.70")

NOT_STARTED = "Not Started"
ON_TRACK = "On Track"
AT_RISK = "At Risk"
OVERDUE = "Overdue"
MET = "Met"
MISSED = "Missed"
STATUSES = (NOT_STARTED, ON_TRACK, AT_RISK, OVERDUE, MET, MISSED)
OPEN_STATUSES = (NOT_STARTED, ON_TRACK, AT_RISK, OVERDUE)
ALERT_STATUSES = (AT_RISK, OVERDUE)


class SlaError(ValueError):
	"""Invalid SLA input; the message is in pt-BR."""


@dataclass(frozen=True)
class Pause:
	from_date: date
	to_date: date | None = None
	reason: str = ""


@dataclass(frozen=True)
class SlaResult:
	start: date | None
	due: date | None
	status: str
	consumed_business_days: int
	remaining_business_days: int
	paused: bool = False
	paused_business_days: int = 0


def _as_date(value) -> date | None:
	if value is None or value == "":
		return None
	if isinstance(value, datetime):
		return value.date()
	if isinstance(value, date):
		return value
	return date.fromisoformat(str(value)[:10])


def validate_business_days(business_days) -> int:
	try:
		n = int(business_days)
	except (TypeError, ValueError):
		n = None
	if n is None or n != business_days or not MIN_BUSINESS_DAYS <= n <= MAX_BUSINESS_DAYS:
		raise SlaError(
			f"O prazo de ativação deve ser um número inteiro de {MIN_BUSINESS_DAYS} a {MAX_BUSINESS_DAYS} dias úteis (recebido: {business_days})."
		)
	return n


def share_fraction(at_risk_share) -> Fraction:
	"""The at-risk share as an exact fraction in (0, 1]; accepts 0.7, Decimal("0.7"), "0.7" or a percentage > 1
	such as 70 (the Settings field is a Percent)."""
	if at_risk_share is None or at_risk_share == "":
		return Fraction(DEFAULT_AT_RISK_SHARE)
	try:
		share = Fraction(str(at_risk_share))
	except (TypeError, ValueError, ZeroDivisionError):
		raise SlaError(f"Percentual de risco inválido: {at_risk_share}.")
	if share > 1:
		share /= 100
	if not 0 < share <= 1:
		raise SlaError(f"O percentual de risco deve estar entre 0 e 100 % (recebido: {at_risk_share}).")
	return share


def merge_pauses(pauses: Iterable[Pause], today: date) -> list[tuple[date, date]]:
	"""Pause intervals as sorted, disjoint, inclusive (from, to) pairs; open pauses end ``today`` (an open pause
	starting after ``today`` is ignored; a closed one, planned ahead, counts)."""
	intervals = []
	for p in pauses:
		start = _as_date(p.from_date)
		if start is None:
			continue
		end = _as_date(p.to_date)
		if end is None:
			if start > today:
				continue  # an open pause that has not begun yet changes nothing so far
			end = today
		if end < start:
			raise SlaError(f"Pausa com término ({end.isoformat()}) anterior ao início ({start.isoformat()}).")
		intervals.append((start, end))
	intervals.sort()
	merged: list[tuple[date, date]] = []
	for start, end in intervals:
		if merged and start <= merged[-1][1] + timedelta(days=1):
			if end > merged[-1][1]:
				merged[-1] = (merged[-1][0], end)
		else:
			merged.append((start, end))
	return merged


def due_date(start: date, business_days: int, pauses: list[tuple[date, date]], calendar) -> date:
	"""The ``business_days``-th non-paused business day after ``start`` (``pauses`` from ``merge_pauses``)."""
	remaining = business_days
	cursor = start  # days up to and including the cursor are spent or paused
	for p_from, p_to in pauses:
		lo = max(p_from, cursor + timedelta(days=1))
		if p_to < lo:
			continue
		available = calendar.business_days_between(cursor, lo - timedelta(days=1))
		if available >= remaining:
			break
		remaining -= available
		cursor = p_to
	return calendar.add_business_days(cursor, remaining)


def counted_business_days(
	start: date, until: date, pauses: list[tuple[date, date]], calendar
) -> tuple[int, int]:
	"""(counted, paused) business days in ``(start, until]``."""
	if until <= start:
		return 0, 0
	total = calendar.business_days_between(start, until)
	paused = 0
	first = start + timedelta(days=1)
	for p_from, p_to in pauses:
		lo, hi = max(p_from, first), min(p_to, until)
		if lo <= hi:
			paused += calendar.business_days_in(lo, hi)
	return total - paused, paused


def compute_sla(
	internal_passage: date | None,
	contract_received: date | None,
	business_days: int,
	today: date,
	activated_on: date | None,
	pauses: list[Pause],
	calendar,
	at_risk_share=DEFAULT_AT_RISK_SHARE,
) -> SlaResult:
	n = validate_business_days(business_days)
	share = share_fraction(at_risk_share)
	today = _as_date(today)
	internal_passage = _as_date(internal_passage)
	contract_received = _as_date(contract_received)
	activated_on = _as_date(activated_on)
	is_paused = any(
		_as_date(p.from_date) is not None
		and _as_date(p.from_date) <= today
		and (p.to_date is None or _as_date(p.to_date) >= today)
		for p in pauses
	)

	if internal_passage is None or contract_received is None:
		return SlaResult(None, None, NOT_STARTED, 0, n, is_paused, 0)

	start = max(internal_passage, contract_received)
	intervals = merge_pauses(pauses, today)
	due = due_date(start, n, intervals, calendar)
	until = min(today, activated_on) if activated_on else today
	consumed, paused_days = counted_business_days(start, until, intervals, calendar)
	remaining = n - consumed

	if activated_on is not None:
		status = MET if activated_on <= due else MISSED
	elif today > due:
		status = OVERDUE
	elif consumed >= share * n:
		status = AT_RISK
	else:
		status = ON_TRACK
	return SlaResult(start, due, status, consumed, remaining, is_paused, paused_days)
