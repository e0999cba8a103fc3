"""Optical power readings against the receive-power window (plain Python, never imports frappe).

A reading passes when ``min_dbm <= power <= max_dbm`` (both limits inclusive). Too little power means a bad
splice, a dirty connector or too long a route; too much saturates the receiver. Values are compared as
``Decimal(str(x))`` so a Float coming from the database (``-25.0``) compares exactly with the limit ``-25``.

The circuit's readings verdict feeds the activation gate: a circuit with no reading, or with one reading outside
the window, cannot be activated. Messages are pt-BR because staff and customers see them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

PASS = "Pass"
FAIL = "Fail"

# Physically meaningful bounds for a receive power reading on a fiber link (dBm). Anything outside is a typing
# error (a missing minus sign, a reading in mW), never a measurement.
PHYSICAL_MIN_DBM = Decimal("-60")
PHYSICAL_MAX_DBM = Decimal("30")


class OpticalError(ValueError):
	"""A reading or a threshold that is not a usable number."""


@dataclass(frozen=True)
class Thresholds:
	min_dbm: Decimal
	max_dbm: Decimal

	def __post_init__(self):
		if self.min_dbm >= self.max_dbm:
			raise OpticalError(
				f"Limites de potência inválidos: o mínimo ({format_dbm(self.min_dbm)}) deve ser menor que o máximo ({format_dbm(self.max_dbm)})."
			)


@dataclass(frozen=True)
class ReadingResult:
	point: str
	power_dbm: Decimal
	result: str
	detail: str = ""


@dataclass(frozen=True)
class Verdict:
	ok: bool
	results: tuple[ReadingResult, ...] = ()
	problems: tuple[str, ...] = field(default_factory=tuple)

	@property
	def failing(self) -> tuple[ReadingResult, ...]:
		return tuple(r for r in self.results if r.result == FAIL)


def to_dbm(value) -> Decimal:
	"""A reading as Decimal (``Decimal(str(x))``); rejects empty, non-numeric, infinite and absurd values."""
	if value is None or isinstance(value, bool) or (isinstance(value, str) and not value.strip()):
		raise OpticalError("Informe a potência óptica em dBm.")
	if isinstance(value, str):
		value = value.strip().replace(",", ".")
	try:
		number = value if isinstance(value, Decimal) else Decimal(str(value))
	except (InvalidOperation, ValueError):
		raise OpticalError(f"Potência óptica inválida: {value}.")
	if not number.is_finite():
		raise OpticalError(f"Potência óptica inválida: {value}.")
	if number < PHYSICAL_MIN_DBM or number > PHYSICAL_MAX_DBM:
		raise OpticalError(
			f"Potência óptica fora da faixa física ({format_dbm(PHYSICAL_MIN_DBM)} a {format_dbm(PHYSICAL_MAX_DBM)}): {value}."
		)
	return number


def thresholds(min_dbm, max_dbm) -> Thresholds:
	"""Thresholds from settings values (any numeric type or string)."""
	return Thresholds(to_dbm(min_dbm), to_dbm(max_dbm))


def format_dbm(value: Decimal) -> str:
	"""``-25.5`` → ``-25,50 dBm`` (pt-BR decimal comma, two decimals)."""
	quantized = Decimal(value).quantize(Decimal("0.01"))
	text = f"{quantized:.2f}".replace(".", ",")
	if text == "-0,00":
		text = "0,00"
	return text + " dBm"


def classify(power_dbm, limits: Thresholds) -> str:
	"""``Pass`` when the reading is inside the window (limits inclusive), else ``Fail``."""
	power = to_dbm(power_dbm)
	return PASS if limits.min_dbm <= power <= limits.max_dbm else FAIL


def check_reading(point: str, power_dbm, limits: Thresholds) -> ReadingResult:
	power = to_dbm(power_dbm)
	label = (point or "").strip() or "?"
	if power < limits.min_dbm:
		return ReadingResult(
			label,
			power,
			FAIL,
			f"Ponto {label}: {format_dbm(power)} abaixo do mínimo de {format_dbm(limits.min_dbm)}.",
		)
	if power > limits.max_dbm:
		return ReadingResult(
			label,
			power,
			FAIL,
			f"Ponto {label}: {format_dbm(power)} acima do máximo de {format_dbm(limits.max_dbm)}.",
		)
	return ReadingResult(label, power, PASS)


def evaluate(readings: Iterable[tuple[str, object]], limits: Thresholds) -> Verdict:
	"""Verdict over all ``(point, power_dbm)`` readings of a circuit.

	Not OK when there is no reading at all, or when any reading fails; ``problems`` lists every reason in pt-BR.
	"""
	results = tuple(check_reading(point, power, limits) for point, power in readings)
	problems = [r.detail for r in results if r.result == FAIL]
	if not results:
		problems.insert(0, "Nenhuma leitura de potência óptica registrada no circuito.")
	return Verdict(ok=not problems, results=results, problems=tuple(problems))
