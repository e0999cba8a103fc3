"""Brazilian business-day calendar (plain Python, never imports frappe).

A business day is a weekday that is neither

- a national public holiday (python-holidays ``PUBLIC``: 1 Jan, Good Friday, Tiradentes, 1 May, 7 Sep, 12 Oct,
  2 Nov, 15 Nov, 20 Nov since 2024, 25 Dec, ...),
- a bank non-business day (Resolução CMN 4.880/2020, art. 6: Carnival Monday and Tuesday and Corpus Christi,
  which python-holidays files under ``OPTIONAL``; Ash Wednesday, 24/31 Dec and Dia do Servidor Público are also
  ``OPTIONAL`` there but are working days and are left out),
- a state (or municipal, e.g. "São Paulo Capital") holiday of the chosen subdivision,
- nor one of the extra dates passed in (an ERPNext Holiday List, given by the Frappe layer).

``BusinessCalendar`` precomputes a sorted array of the ordinals of every business day in a span of years, so each
query is a bisection (O(log n)); the span grows on demand. ``get_calendar(subdivision, extra_dates)`` returns one
shared, cached instance per (subdivision, extra dates).

Conventions (``d`` is any date, business or not):

- ``add_business_days(d, n)``: the n-th business day after ``d`` (``n`` > 0), before ``d`` (``n`` < 0), ``d``
  itself for ``n`` = 0;
- ``next_business_day_after(d)`` = ``add_business_days(d, 1)``;
- ``business_days_between(a, b)``: how many business days fall in ``(a, b]`` (negative when ``b`` < ``a``), so
  ``business_days_between(a, add_business_days(a, n)) == n``.

Command line (prints an ISO date or a count; bad input exits 1 with a message in pt-BR)::

    python -m fiber_onboarding.core.calendar add-business-days 2026-02-13 1 --subdivision SP
    python -m fiber_onboarding.core.calendar next-business-day 2026-12-31
    python -m fiber_onboarding.core.calendar business-days-between 2026-01-01 2026-12-31 --subdivision RJ
"""

from __future__ import annotations

import argparse
import functools
import re
import sys
import threading
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from datetime import date, timedelta

import holidays as _holidays

MIN_YEAR = 1900
MAX_YEAR = 2200
DEFAULT_SPAN = (2000, 2060)

# Names python-holidays gives (with language="en_US") to the OPTIONAL days that banks do not open on.
BANK_CLOSED_OPTIONAL = frozenset({"Carnival", "Corpus Christi"})


class CalendarError(ValueError):
	"""Bad input for the calendar (unknown subdivision, date out of range). The message is in pt-BR."""


def supported_subdivisions() -> tuple[str, ...]:
	return _subdivision_lookup()[0]


@functools.cache
def _subdivision_lookup() -> tuple[tuple[str, ...], dict[str, str]]:
	cls = type(_holidays.country_holidays("BR"))
	codes = tuple(getattr(cls, "subdivisions", ()))
	aliases = dict(getattr(cls, "subdivisions_aliases", {}) or {})
	lookup = {code.casefold(): code for code in codes}
	lookup.update({alias.casefold(): code for alias, code in aliases.items()})
	return codes, lookup


def normalize_subdivision(subdivision: str | None) -> str | None:
	"""Canonical subdivision code ("sp" -> "SP", "São Paulo" -> "SP"); None/"" for national only."""
	if subdivision is None:
		return None
	value = str(subdivision).strip()
	if not value:
		return None
	codes, lookup = _subdivision_lookup()
	code = lookup.get(value.casefold())
	if code is None:
		raise CalendarError(
			"UF/subdivisão desconhecida: {!r}. Use uma destas: {}.".format(value, ", ".join(codes))
		)
	return code


def _check_year(year: int):
	if not MIN_YEAR <= year <= MAX_YEAR:
		raise CalendarError(f"Data fora do intervalo suportado pelo calendário ({MIN_YEAR}–{MAX_YEAR}).")


def holidays_for(subdivision: str | None, years: Iterable[int]) -> dict[date, str]:
	"""Non-business days other than weekends (date -> name) for ``years``: public + bank-closed optional days."""
	years = list(years)
	public = _holidays.country_holidays(
		"BR", subdiv=subdivision, years=years, categories=(_holidays.PUBLIC,), language="en_US"
	)
	optional = _holidays.country_holidays(
		"BR", subdiv=subdivision, years=years, categories=(_holidays.OPTIONAL,), language="en_US"
	)
	result: dict[date, str] = dict(public.items())
	for day, names in optional.items():
		kept = [n for n in str(names).split("; ") if n in BANK_CLOSED_OPTIONAL]
		if kept:
			result[day] = "; ".join([result[day], *kept]) if day in result else "; ".join(kept)
	return result


class BusinessCalendar:
	"""Business days for one subdivision plus extra non-business dates; O(log n) queries."""

	def __init__(
		self,
		subdivision: str | None = None,
		extra_dates: Iterable[date] = (),
		span: tuple[int, int] = DEFAULT_SPAN,
	):
		self.subdivision = normalize_subdivision(subdivision)
		self.extra_dates = frozenset(extra_dates)
		self._lock = threading.Lock()
		self._first_year = self._last_year = 0
		self._days = array("l")
		self._holidays: dict[date, str] = {}
		self._build(*span)

	def __repr__(self):
		return f"BusinessCalendar(subdivision={self.subdivision!r}, extra_dates={len(self.extra_dates)}, years={self._first_year}-{self._last_year})"

	# -- precomputation ------------------------------------------------------------------------------------

	def _build(self, first_year: int, last_year: int):
		first_year = max(MIN_YEAR, first_year)
		last_year = min(MAX_YEAR, last_year)
		closed = holidays_for(self.subdivision, range(first_year, last_year + 1))
		for day in self.extra_dates:
			if first_year <= day.year <= last_year:
				closed.setdefault(day, "Extra")
		first = date(first_year, 1, 1).toordinal()
		last = date(last_year, 12, 31).toordinal()
		closed_ordinals = {d.toordinal() for d in closed}
		# ordinal 1 (0001-01-01) is a Monday: weekday = (ordinal - 1) % 7, Saturday = 5, Sunday = 6
		days = array("l", (o for o in range(first, last + 1) if (o - 1) % 7 < 5 and o not in closed_ordinals))
		# publish the new state in one go: readers see either the old or the new arrays
		self._holidays, self._days = closed, days
		self._first_year, self._last_year = first_year, last_year

	def _ensure_years(self, first_year: int, last_year: int):
		if first_year >= self._first_year and last_year <= self._last_year:
			return
		_check_year(first_year)
		_check_year(last_year)
		with self._lock:
			if first_year < self._first_year or last_year > self._last_year:
				self._build(min(first_year, self._first_year), max(last_year, self._last_year))

	def _ensure(self, *days: date):
		self._ensure_years(min(d.year for d in days), max(d.year for d in days))

	# -- queries ----------------------------------------------------------------------------------------------

	def is_business_day(self, day: date) -> bool:
		self._ensure(day)
		o = day.toordinal()
		days = self._days
		i = bisect_left(days, o)
		return i < len(days) and days[i] == o

	def holiday_name(self, day: date) -> str | None:
		self._ensure(day)
		return self._holidays.get(day)

	def holidays_in_year(self, year: int) -> dict[date, str]:
		self._ensure_years(year, year)
		return {d: n for d, n in self._holidays.items() if d.year == year}

	def add_business_days(self, day: date, n: int) -> date:
		n = int(n)
		if n == 0:
			return day
		self._ensure(day)
		o = day.toordinal()
		while True:
			days = self._days
			if n > 0:
				i = bisect_right(days, o) + n - 1  # bisect_right = business days up to and including `day`
				if i < len(days):
					return date.fromordinal(days[i])
				# about 250 business days a year: grow the span enough and retry
				self._ensure_years(self._first_year, self._last_year + (n // 240) + 1)
			else:
				i = bisect_left(days, o) + n  # bisect_left = business days strictly before `day`
				if i >= 0:
					return date.fromordinal(days[i])
				self._ensure_years(self._first_year - (-n // 240) - 1, self._last_year)

	def next_business_day_after(self, day: date) -> date:
		return self.add_business_days(day, 1)

	def previous_business_day_before(self, day: date) -> date:
		return self.add_business_days(day, -1)

	def business_days_between(self, start: date, end: date) -> int:
		"""Business days in ``(start, end]``; negative when ``end`` < ``start``."""
		self._ensure(start, end)
		days = self._days
		return bisect_right(days, end.toordinal()) - bisect_right(days, start.toordinal())

	def business_days_in(self, first: date, last: date) -> int:
		"""Business days in ``[first, last]`` (0 when ``last`` < ``first``)."""
		if last < first:
			return 0
		self._ensure(first, last)
		days = self._days
		return bisect_right(days, last.toordinal()) - bisect_left(days, first.toordinal())


_CACHE: dict[tuple[str | None, frozenset], BusinessCalendar] = {}
_CACHE_LOCK = threading.Lock()


def get_calendar(subdivision: str | None = None, extra_dates: Iterable[date] = ()) -> BusinessCalendar:
	"""Shared calendar for (subdivision, extra dates), built once per process."""
	key = (normalize_subdivision(subdivision), frozenset(extra_dates))
	cal = _CACHE.get(key)
	if cal is None:
		with _CACHE_LOCK:
			cal = _CACHE.get(key)
			if cal is None:
				if len(_CACHE) >= 64:  # extra-date sets change when a Holiday List is edited: stay bounded
					_CACHE.pop(next(iter(_CACHE)))
				cal = _CACHE[key] = BusinessCalendar(key[0], key[1])
	return cal


def add_business_days(day: date, n: int, calendar: BusinessCalendar | None = None) -> date:
	return (calendar or get_calendar()).add_business_days(day, n)


def next_business_day_after(day: date, calendar: BusinessCalendar | None = None) -> date:
	return (calendar or get_calendar()).next_business_day_after(day)


def business_days_between(start: date, end: date, calendar: BusinessCalendar | None = None) -> int:
	return (calendar or get_calendar()).business_days_between(start, end)


# -- command line ---------------------------------------------------------------------------------------------

_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def parse_date(text: str) -> date:
	value = (text or "").strip()
	try:
		if not _ISO.match(value):
			raise ValueError
		day = date.fromisoformat(value)
	except ValueError:
		raise CalendarError(f"Data inválida: {text!r}. Use o formato AAAA-MM-DD (ex.: 2026-02-13).")
	_check_year(day.year)
	return day


def parse_int(text: str) -> int:
	value = (text or "").strip()
	if not re.match(r"^[+-]?\d{1,6}$", value):
		raise CalendarError(f"Número de dias úteis inválido: {text!r}. Informe um número inteiro.")
	return int(value)


_ARGPARSE_PT = (
	(r"the following arguments are required: (.*)", "faltam argumentos obrigatórios: {0}"),
	(r"unrecognized arguments: (.*)", "argumentos não reconhecidos: {0}"),
	(
		r"argument (\S+): invalid choice: (.*?) \(choose from (.*)\)",
		"comando inválido: {1} (use um destes: {2})",
	),
	(r"argument (\S+): expected one argument", "a opção {0} precisa de um valor"),
)


class _Parser(argparse.ArgumentParser):
	"""argparse with its own words in pt-BR (usage, section titles, -h) and exit status 1 on bad input."""

	def __init__(self, *args, **kwargs):
		kwargs.setdefault("add_help", False)
		super().__init__(*args, **kwargs)
		self._positionals.title = "argumentos"
		self._optionals.title = "opções"
		self.add_argument("-h", "--help", action="help", help="mostra esta ajuda e sai")

	def format_usage(self):
		return super().format_usage().replace("usage:", "uso:", 1)

	def format_help(self):
		return super().format_help().replace("usage:", "uso:", 1)

	def error(self, message):
		text = f"argumentos inválidos ({message})"
		for pattern, template in _ARGPARSE_PT:
			m = re.match(pattern, message)
			if m:
				text = template.format(*m.groups())
				break
		sys.stderr.write(self.format_usage())
		self.exit(1, f"Erro: {text}. Use --help para ajuda.\n")


def _parser() -> argparse.ArgumentParser:
	common = argparse.ArgumentParser(add_help=False)
	common.add_argument(
		"--subdivision",
		"--uf",
		dest="subdivision",
		default=None,
		metavar="UF",
		help="UF dos feriados estaduais (ex.: SP, RJ); sem ela, só o calendário nacional e bancário",
	)
	common.add_argument(
		"--extra-holiday",
		dest="extra",
		action="append",
		default=[],
		metavar="AAAA-MM-DD",
		help="dia não útil adicional (feriado municipal, lista de feriados da empresa); pode repetir",
	)
	parser = _Parser(
		prog="python -m fiber_onboarding.core.calendar",
		description="Calendário de dias úteis (feriados nacionais, bancários e estaduais do Brasil).",
	)
	sub = parser.add_subparsers(dest="command", metavar="comando", parser_class=_Parser)
	sub.required = True
	p = sub.add_parser("add-business-days", parents=[common], help="data + N dias úteis")
	p.add_argument("date", metavar="AAAA-MM-DD", help="data inicial")
	p.add_argument("n", metavar="N", help="quantidade de dias úteis (negativa: para trás)")
	p = sub.add_parser("next-business-day", parents=[common], help="primeiro dia útil posterior à data")
	p.add_argument("date", metavar="AAAA-MM-DD", help="data de referência")
	p = sub.add_parser(
		"business-days-between", parents=[common], help="dias úteis depois de A até B (inclusive)"
	)
	p.add_argument("start", metavar="A", help="data inicial (não contada)")
	p.add_argument("end", metavar="B", help="data final (contada)")
	return parser


def main(argv: list[str] | None = None) -> int:
	args = _parser().parse_args(argv)
	try:
		extra = [parse_date(x) for x in args.extra]
		cal = get_calendar(args.subdivision, extra)
		if args.command == "add-business-days":
			print(cal.add_business_days(parse_date(args.date), parse_int(args.n)).isoformat())
		elif args.command == "next-business-day":
			print(cal.next_business_day_after(parse_date(args.date)).isoformat())
		else:
			print(cal.business_days_between(parse_date(args.start), parse_date(args.end)))
	except CalendarError as e:
		print(f"Erro: {e}", file=sys.stderr)
		return 1
	return 0


if __name__ == "__main__":
	sys.exit(main())
