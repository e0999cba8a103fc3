"""Core calendar: Brazilian national, bank and state holidays; O(log n) arithmetic; the ops CLI."""

import functools
import os
import subprocess
import sys
from datetime import date, timedelta

import pytest
from conftest import APP_DIR
from dateutil.easter import easter
from hypothesis import given, settings
from hypothesis import strategies as st

from fiber_onboarding.core import calendar as cal_mod
from fiber_onboarding.core.calendar import (
	BusinessCalendar,
	CalendarError,
	add_business_days,
	business_days_between,
	get_calendar,
	next_business_day_after,
	normalize_subdivision,
)

D = date.fromisoformat
NATIONAL = get_calendar()
SP = get_calendar("SP")
RJ = get_calendar("RJ")


# -- which days are closed ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
	"day, why",
	[
		("2026-01-01", "Confraternização Universal"),
		("2026-02-16", "Carnaval (segunda)"),
		("2026-02-17", "Carnaval (terça)"),
		("2026-04-03", "Sexta-feira Santa"),
		("2026-04-21", "Tiradentes"),
		("2026-05-01", "Dia do Trabalhador"),
		("2026-06-04", "Corpus Christi"),
		("2026-09-07", "Independência"),
		("2026-10-12", "Aparecida"),
		("2026-11-02", "Finados"),
		("2026-11-20", "Zumbi e Consciência Negra (nacional desde 2024)"),
		("2026-12-25", "Natal"),
		("2025-03-03", "Carnaval 2025"),
		("2025-03-04", "Carnaval 2025"),
		("2025-04-18", "Sexta-feira Santa 2025"),
		("2025-06-19", "Corpus Christi 2025"),
		("2025-11-20", "Consciência Negra 2025"),
		("2024-11-20", "Consciência Negra 2024, primeiro ano nacional"),
		("2027-02-08", "Carnaval 2027"),
		("2027-02-09", "Carnaval 2027"),
		("2027-03-26", "Sexta-feira Santa 2027"),
		("2027-05-27", "Corpus Christi 2027"),
	],
)
def test_national_and_bank_holidays_are_closed(day, why):
	assert not NATIONAL.is_business_day(D(day)), why
	assert not SP.is_business_day(D(day)), why


@pytest.mark.parametrize(
	"day, why",
	[
		("2026-02-18", "Quarta-feira de Cinzas: bancos abrem (meio expediente)"),
		("2026-10-28", "Dia do Servidor Público: só para servidores federais"),
		("2026-12-24", "Véspera de Natal: ponto facultativo"),
		("2026-12-31", "Véspera de Ano Novo: ponto facultativo"),
		("2025-03-05", "Quarta-feira de Cinzas 2025"),
		("2023-11-20", "Consciência Negra ainda não era feriado nacional em 2023"),
		("2026-07-09", "9 de julho é feriado só em SP"),
		("2026-04-23", "São Jorge é feriado só no RJ"),
	],
)
def test_working_days_that_look_like_holidays(day, why):
	assert NATIONAL.is_business_day(D(day)), why


def test_state_holidays():
	assert not SP.is_business_day(D("2026-07-09"))  # Revolução Constitucionalista
	assert not SP.is_business_day(D("2025-07-09"))
	assert RJ.is_business_day(D("2026-07-09"))
	assert not RJ.is_business_day(D("2026-04-23"))  # São Jorge
	assert not RJ.is_business_day(D("2025-04-23"))
	assert SP.is_business_day(D("2026-04-23"))


def test_weekends_are_closed():
	assert not NATIONAL.is_business_day(D("2026-03-07"))  # Saturday
	assert not NATIONAL.is_business_day(D("2026-03-08"))  # Sunday
	assert NATIONAL.is_business_day(D("2026-03-09"))


@pytest.mark.parametrize("year", range(2000, 2061))
def test_easter_based_days_every_year(year):
	e = easter(year)
	assert not NATIONAL.is_business_day(e - timedelta(days=48)), "Carnaval (segunda)"
	assert not NATIONAL.is_business_day(e - timedelta(days=47)), "Carnaval (terça)"
	assert NATIONAL.is_business_day(e - timedelta(days=46)), "Cinzas é dia útil"
	assert not NATIONAL.is_business_day(e - timedelta(days=2)), "Sexta-feira Santa"
	assert not NATIONAL.is_business_day(e + timedelta(days=60)), "Corpus Christi"


def test_only_carnival_and_corpus_christi_come_from_the_optional_category():
	for year in (2019, 2024, 2026, 2031):
		closed = SP.holidays_in_year(year)
		names = {part for name in closed.values() for part in name.split("; ")}
		assert "Ash Wednesday" not in names
		assert "Christmas Eve" not in names and "New Year's Eve" not in names
		assert "Public Servant's Day" not in names
		assert {"Carnival", "Corpus Christi", "Good Friday"} <= names


def test_extra_dates_are_closed_and_merged():
	extra = get_calendar("SP", [D("2026-03-10"), D("2026-01-25")])
	assert not extra.is_business_day(D("2026-03-10"))
	assert SP.is_business_day(D("2026-03-10"))
	assert extra.add_business_days(D("2026-03-09"), 1) == D("2026-03-11")
	assert get_calendar("sp", (D("2026-01-25"), D("2026-03-10"))) is extra  # cached per (UF, dates)


# -- arithmetic -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
	"start, n, subdivision, expected",
	[
		(
			"2026-02-13",
			1,
			None,
			"2026-02-18",
		),  # Friday before Carnival -> Ash Wednesday
		("2026-02-13", 2, None, "2026-02-19"),
		("2026-04-02", 1, None, "2026-04-06"),  # Good Friday
		("2026-06-03", 1, None, "2026-06-05"),  # Corpus Christi
		("2026-11-19", 1, None, "2026-11-23"),  # 20 Nov (Friday) + weekend
		("2024-11-19", 1, None, "2024-11-21"),  # 20 Nov 2024 (Wednesday)
		("2023-11-17", 1, None, "2023-11-20"),  # 2023: not yet national
		("2026-12-30", 1, None, "2026-12-31"),
		("2026-12-30", 2, None, "2027-01-04"),  # year end: 1 Jan is Friday
		("2025-12-31", 1, None, "2026-01-02"),
		("2026-12-24", 1, None, "2026-12-28"),  # 25 Dec Friday
		("2026-07-08", 1, "SP", "2026-07-10"),  # 9 July in SP
		("2026-07-08", 1, "RJ", "2026-07-09"),
		("2026-04-22", 1, "RJ", "2026-04-24"),  # 23 April in RJ
		("2026-04-22", 1, "SP", "2026-04-23"),
		("2026-04-20", 1, "RJ", "2026-04-22"),  # Tiradentes
		("2026-02-14", 1, None, "2026-02-18"),  # non-business start (Saturday)
		("2026-02-16", 1, None, "2026-02-18"),  # non-business start (Carnival)
		("2026-02-18", 0, None, "2026-02-18"),
		("2026-02-19", -1, None, "2026-02-18"),
		("2026-02-19", -2, None, "2026-02-13"),
		("2026-02-17", -1, None, "2026-02-13"),  # non-business start backwards
		("2027-01-04", -1, None, "2026-12-31"),
		("2026-01-02", 10, "SP", "2026-01-16"),
		("2026-12-01", 45, "SP", "2027-02-04"),  # across year end, before Carnival 2027
		("2027-01-25", 15, None, "2027-02-17"),  # across Carnival 2027 (8-9 Feb)
	],
)
def test_add_business_days(start, n, subdivision, expected):
	cal = get_calendar(subdivision)
	assert cal.add_business_days(D(start), n) == D(expected)
	if n > 0 and cal.is_business_day(D(start)):
		assert cal.business_days_between(D(start), D(expected)) == n


def test_module_level_helpers_use_national_calendar():
	assert next_business_day_after(D("2026-02-13")) == D("2026-02-18")
	assert add_business_days(D("2026-07-08"), 1) == D("2026-07-09")
	assert add_business_days(D("2026-07-08"), 1, SP) == D("2026-07-10")
	assert business_days_between(D("2026-02-13"), D("2026-02-18")) == 1


def test_business_days_between():
	assert SP.business_days_between(D("2026-01-01"), D("2026-01-01")) == 0
	assert SP.business_days_between(D("2026-02-13"), D("2026-02-20")) == 3  # 18, 19, 20
	assert SP.business_days_between(D("2026-02-20"), D("2026-02-13")) == -3
	# 2026 has 261 weekdays; national closures on weekdays: 1/1, 16-17/2, 3/4, 21/4, 1/5, 4/6, 7/9, 12/10,
	# 2/11, 20/11, 25/12 = 12 (15/11 is a Sunday)
	assert NATIONAL.business_days_between(D("2025-12-31"), D("2026-12-31")) == 261 - 12
	assert SP.business_days_between(D("2025-12-31"), D("2026-12-31")) == 261 - 13  # + 9 July


def _naive_add(cal, start, n):
	d, step = start, (1 if n > 0 else -1)
	for _ in range(abs(n)):
		d += timedelta(days=step)
		while not _naive_open(cal, d):
			d += timedelta(days=step)
	return d


@functools.cache
def _closed(subdivision, year):
	return frozenset(cal_mod.holidays_for(subdivision, [year]))


def _naive_open(cal, d):
	closed = _closed(cal.subdivision, d.year)
	return d.weekday() < 5 and d not in closed and d not in cal.extra_dates


@settings(max_examples=150, deadline=None)
@given(
	st.dates(min_value=date(2001, 1, 1), max_value=date(2059, 1, 1)),
	st.integers(min_value=-70, max_value=70),
	st.sampled_from([None, "SP", "RJ", "MG", "BA"]),
)
def test_matches_day_by_day_reference(start, n, subdivision):
	cal = get_calendar(subdivision)
	result = cal.add_business_days(start, n)
	assert result == _naive_add(cal, start, n)
	assert _naive_open(cal, result) or n == 0
	if n > 0:
		# counting back from the result lands on `start` or the business day before it
		assert cal.business_days_between(start, result) == n


@settings(max_examples=100, deadline=None)
@given(
	st.dates(min_value=date(2001, 1, 1), max_value=date(2059, 1, 1)),
	st.dates(min_value=date(2001, 1, 1), max_value=date(2059, 1, 1)),
)
def test_between_is_antisymmetric_and_additive(a, b):
	ab = SP.business_days_between(a, b)
	assert ab == -SP.business_days_between(b, a)
	mid = a + (b - a) / 2
	assert ab == SP.business_days_between(a, mid) + SP.business_days_between(mid, b)


def test_span_grows_on_demand():
	cal = BusinessCalendar("SP", span=(2026, 2026))
	assert cal.add_business_days(D("2026-12-30"), 2) == D("2027-01-04")
	assert cal.add_business_days(D("2026-01-02"), -1) == D("2025-12-31")
	assert cal.add_business_days(D("2026-06-01"), 2000) == _naive_add(cal, D("2026-06-01"), 2000)
	assert cal.is_business_day(D("1950-03-01"))
	assert cal.business_days_between(D("2080-01-01"), D("2080-01-31")) == 22


def test_out_of_range_and_bad_subdivision():
	with pytest.raises(CalendarError):
		NATIONAL.is_business_day(D("1800-01-02"))
	with pytest.raises(CalendarError):
		NATIONAL.add_business_days(D("2199-12-01"), 1000)
	with pytest.raises(CalendarError, match="UF"):
		get_calendar("XX")
	assert normalize_subdivision(" rj ") == "RJ"
	assert normalize_subdivision("São Paulo") == "SP"
	assert normalize_subdivision("") is None


# -- command line ---------------------------------------------------------------------------------------------


def run_cli(*args):
	env = dict(
		os.environ,
		PYTHONPATH=str(APP_DIR) + os.pathsep + os.environ.get("PYTHONPATH", ""),
	)
	return subprocess.run(
		[sys.executable, "-m", "fiber_onboarding.core.calendar", *args],
		capture_output=True,
		text=True,
		env=env,
		timeout=60,
	)


@pytest.mark.parametrize(
	"args, expected",
	[
		(["add-business-days", "2026-02-13", "1"], "2026-02-18"),  # Carnival
		(
			["add-business-days", "2026-06-03", "1", "--subdivision", "SP"],
			"2026-06-05",
		),  # Corpus Christi
		(["add-business-days", "2026-11-19", "1"], "2026-11-23"),  # 20 November
		(["add-business-days", "2026-04-02", "1"], "2026-04-06"),  # Good Friday
		(["add-business-days", "2026-12-30", "2"], "2027-01-04"),  # year end
		(
			["add-business-days", "2026-07-08", "1", "--subdivision", "SP"],
			"2026-07-10",
		),  # SP 9 July
		(["add-business-days", "2026-07-08", "1", "--subdivision", "RJ"], "2026-07-09"),
		(
			["add-business-days", "2026-04-22", "1", "--subdivision", "RJ"],
			"2026-04-24",
		),  # RJ 23 April
		(["add-business-days", "2026-02-19", "-2"], "2026-02-13"),
		(
			["add-business-days", "2026-03-09", "1", "--extra-holiday", "2026-03-10"],
			"2026-03-11",
		),
		(["next-business-day", "2026-12-31"], "2027-01-04"),
		(["next-business-day", "2026-02-13", "--subdivision", "sp"], "2026-02-18"),
		(["next-business-day", "2026-07-08", "--uf", "SP"], "2026-07-10"),
		(["business-days-between", "2026-02-13", "2026-02-20"], "3"),
		(
			[
				"business-days-between",
				"2025-12-31",
				"2026-12-31",
				"--subdivision",
				"SP",
			],
			"248",
		),
	],
)
def test_cli(args, expected):
	result = run_cli(*args)
	assert result.returncode == 0, result.stderr
	assert result.stdout.strip() == expected
	assert result.stderr == ""


def test_cli_help_is_in_portuguese():
	result = run_cli("add-business-days", "--help")
	assert result.returncode == 0
	assert result.stdout.startswith("uso:")
	assert "mostra esta ajuda" in result.stdout and "--subdivision UF" in result.stdout


@pytest.mark.parametrize(
	"args, message",
	[
		(["add-business-days", "2026-02-30", "1"], "Data inválida"),
		(["add-business-days", "13/02/2026", "1"], "AAAA-MM-DD"),
		(["add-business-days", "2026-02-13", "um"], "Número de dias úteis inválido"),
		(["add-business-days", "2026-02-13"], "faltam argumentos obrigatórios"),
		(
			["next-business-day", "2026-02-13", "--subdivision", "XX"],
			"UF/subdivisão desconhecida",
		),
		(["next-business-day", "1700-01-01"], "fora do intervalo"),
		(["dias"], "comando inválido"),
		([], "faltam argumentos obrigatórios"),
	],
)
def test_cli_bad_input(args, message):
	result = run_cli(*args)
	assert result.returncode == 1
	assert result.stdout == ""
	assert message in result.stderr
	assert "Traceback" not in result.stderr
