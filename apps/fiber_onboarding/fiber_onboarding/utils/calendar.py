"""The site's business-day calendar: the core ``BusinessCalendar`` for Settings.subdivision (UF) merged with the
dates of the ERPNext Holiday List chosen in Fiber Onboarding Settings (municipal holidays, company closures).

Every date the process names (the project's send date, the SLA due date, execution lead days) goes through
these helpers, so all of them follow one calendar. The calendar is built once per process for each
(subdivision, Holiday List version): the Holiday List's dates are cached under its ``modified`` timestamp, so
editing the list takes effect on the next call without any manual cache clearing.
"""

from __future__ import annotations

from datetime import date

import frappe
from frappe.utils import getdate

from fiber_onboarding.core import calendar as core_calendar
from fiber_onboarding.utils.per_request import remember

SETTINGS = "Fiber Onboarding Settings"
DEFAULT_SUBDIVISION = "SP"

# (holiday list name, modified) -> frozenset of dates
_HOLIDAY_DATES: dict[tuple[str, str], frozenset[date]] = {}


def _settings():
	return frappe.get_cached_doc(SETTINGS)


def subdivision() -> str:
	return (_settings().get("subdivision") or DEFAULT_SUBDIVISION).strip()


def holiday_list_dates(holiday_list: str | None) -> frozenset[date]:
	"""Dates of an ERPNext Holiday List (weekly offs included; they are weekends anyway)."""
	if not holiday_list:
		return frozenset()
	# the list's version is read once per page view (a list of cases asks for every row)
	modified = remember(
		("holiday_list_modified", holiday_list),
		lambda: frappe.db.get_value("Holiday List", holiday_list, "modified"),
	)
	if modified is None:
		return frozenset()
	key = (holiday_list, str(modified))
	dates = _HOLIDAY_DATES.get(key)
	if dates is None:
		rows = frappe.get_all(
			"Holiday",
			filters={"parenttype": "Holiday List", "parent": holiday_list},
			pluck="holiday_date",
			ignore_permissions=True,
		)
		dates = frozenset(getdate(d) for d in rows if d)
		for old in [k for k in _HOLIDAY_DATES if k[0] == holiday_list]:
			del _HOLIDAY_DATES[old]
		_HOLIDAY_DATES[key] = dates
	return dates


def get_calendar() -> core_calendar.BusinessCalendar:
	"""The shared calendar for this site's Settings (subdivision + Holiday List)."""
	return core_calendar.get_calendar(subdivision(), holiday_list_dates(_settings().get("holiday_list")))


def add_business_days(day, n: int) -> date:
	return get_calendar().add_business_days(getdate(day), int(n))


def next_business_day_after(day) -> date:
	return get_calendar().next_business_day_after(getdate(day))


def business_days_between(start, end) -> int:
	return get_calendar().business_days_between(getdate(start), getdate(end))


def is_business_day(day) -> bool:
	return get_calendar().is_business_day(getdate(day))
