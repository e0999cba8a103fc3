"""Per-bank free field (campo livre, barcode positions 20-44) and nosso-número check digits.

Sources: brazil-banking.md §7 (BB Doc5175 annexes IV-XI, Itaú CNAB400 manual annexes 3/4/6 of Feb 2016,
Bradesco 4008-524-0121, Caixa SIGCB MO67119 v009, Santander barcode layout Jan 2015 v29, Sicoob
"Leiaute cobrança Sicoob sistemas de terceiro", sheet "Pré-homologação").

Each bank object offers:

- ``build(account, sequence) -> (free_field, nosso_numero_printed)``: ``sequence`` is the nosso número *without*
  its check digit (an int or a digit string); the DVs are computed here;
- ``inspect(free_field) -> (nosso_numero_printed, problems)``: reads a decoded free field back and re-checks the
  bank's own check digits (``problems`` lists pt-BR messages; empty when everything matches);
- ``retorno_key(account, sequence) -> str``: the nosso número exactly as the bank's CNAB 240 retorno carries it
  (``RetornoItem.nosso_numero``), for the banks with CNAB 240 support.
"""

from __future__ import annotations

from dataclasses import dataclass

from .codes import BoletoError, mod10, mod11_weights_from_right


@dataclass(frozen=True)
class BankAccount:
	"""The beneficiary's collection account at one bank (all values are digit strings as the bank prints them).

	- ``agency``: agência without DV; ``account``: conta without DV; ``account_dv``: optional, checked when given
	- ``wallet``: carteira (BB "17"/"18", Itaú "109"/"110"…, Bradesco "09", Santander "101", Sicoob "1" or "101"
	  = carteira 1 + modalidade 01)
	- ``agreement``: convênio (BB: 4, 6 or 7 digits)
	- ``beneficiary_code``: código do beneficiário (Caixa 6 digits, Santander PSK 7 digits, Sicoob client code)
	"""

	bank_code: str
	agency: str
	account: str
	account_dv: str = ""
	wallet: str = ""
	agreement: str = ""
	beneficiary_code: str = ""


_LIMITS = tuple(10**n for n in range(40))


def _empty(required: bool, label: str, size: int) -> str:
	if required:
		raise BoletoError(f"{label} não informado.", "field")
	return "0" * size


def _digits(value, size: int, label: str, required: bool = True) -> str:
	"""Zero-pad a digit string (or non-negative int) to ``size``; raise BoletoError when it does not fit."""
	kind = type(value)
	if kind is int:  # fast paths (the common cases)
		if 0 <= value < _LIMITS[size]:
			return str(value).zfill(size)
	elif kind is str and len(value) <= size and value.isdigit() and value.isascii():
		return value.zfill(size) if value else _empty(required, label, size)
	if isinstance(value, bool):
		raise BoletoError(f"{label} inválido.", "field")
	if isinstance(value, int):
		if value < 0:
			raise BoletoError(f"{label} não pode ser negativo.", "field")
		text = str(value)
	else:
		text = str(value or "").strip().replace("-", "").replace(".", "").replace(" ", "")
	if not text:
		if required:
			raise BoletoError(f"{label} não informado.", "field")
		text = "0"
	if not (text.isascii() and text.isdigit()):
		raise BoletoError(f"{label} deve conter apenas dígitos (recebido {str(value)!r}).", "field")
	if len(text) > size:
		text = text.lstrip("0") or "0"
		if len(text) > size:
			raise BoletoError(
				f"{label} deve ter no máximo {size} dígitos (recebido {str(value)!r}).", "field"
			)
	return text.zfill(size)


# ---------------------------------------------------------------------------------------------------------------
# Check-digit variants
# ---------------------------------------------------------------------------------------------------------------


def bb_nn_dv(digits: str) -> str:
	"""BB nosso número DV (4/6-digit agreements): weights 9…2 from the right, DV = remainder, 10 → X."""
	total = 0
	w = 9
	for ch in reversed(digits):
		total += (ord(ch) - 48) * w
		w = 9 if w == 2 else w - 1
	r = total % 11
	return "X" if r == 10 else str(r)


def bb_mod11(digits: str) -> str:
	"""BB agency / account DV: weights 2…9 from the right, DV = 11 - r; 10 → X, 11 → 0."""
	r = 11 - mod11_weights_from_right(digits) % 11
	return "X" if r == 10 else ("0" if r == 11 else str(r))


def bradesco_nn_dv(wallet_nn: str) -> str:
	"""Bradesco: mod 11 base 7 over wallet 2 + NN 11; r = 1 → P, r = 0 → 0, else 11 - r."""
	r = mod11_weights_from_right(wallet_nn, 2, 7) % 11
	if r == 0:
		return "0"
	if r == 1:
		return "P"
	return str(11 - r)


def caixa_dv(digits: str) -> int:
	"""Caixa SIGCB (NN, beneficiary code and free-field DV): 11 - r, any result > 9 → 0."""
	dv = 11 - mod11_weights_from_right(digits) % 11
	return 0 if dv > 9 else dv


def santander_nn_dv(nn12: str) -> int:
	"""Santander: r = 10 → 1; r = 0 or 1 → 0; else 11 - r."""
	r = mod11_weights_from_right(nn12) % 11
	if r == 10:
		return 1
	if r in (0, 1):
		return 0
	return 11 - r


_SICOOB_W = (3, 1, 9, 7)


def sicoob_nn_dv(coop4: str, client10: str, nn7: str) -> int:
	"""Sicoob: weights 3, 1, 9, 7 repeated from the LEFT; r = 0 or 1 → 0, else 11 - r."""
	data = coop4 + client10 + nn7
	total = 0
	for i, ch in enumerate(data):
		total += (ord(ch) - 48) * _SICOOB_W[i & 3]
	r = total % 11
	return 0 if r in (0, 1) else 11 - r


# ---------------------------------------------------------------------------------------------------------------
# Banks
# ---------------------------------------------------------------------------------------------------------------


class Bank:
	code = ""
	name = ""

	def build(self, account: BankAccount, sequence) -> tuple[str, str]:
		raise NotImplementedError

	def inspect(self, free_field: str) -> tuple[str, list[str]]:
		return "", []

	def retorno_key(self, account: BankAccount, sequence) -> str:
		raise BoletoError(f"CNAB 240 não suportado para o banco {self.code}.", "cnab_bank")


def bb_wallet(wallet) -> tuple[str, str]:
	"""BB wallet ``"17"``, or with its variation ``"17-019"`` / ``"17/019"`` / ``"17019"`` → ("17", "019" or "")."""
	text = str(wallet or "").strip().replace("/", "-").replace(" ", "")
	if "-" not in text and len(text) == 5 and text.isdigit():
		return text[:2], text[2:]
	carteira, _sep, variation = text.partition("-")
	return carteira.strip(), variation.strip()


class BancoDoBrasil(Bank):
	code = "001"
	name = "Banco do Brasil S.A."

	def _parts(self, account: BankAccount, sequence) -> tuple[str, str, str]:
		agreement = str(account.agreement or "").strip()
		if len(agreement) not in (4, 6, 7) or not agreement.isdigit():
			raise BoletoError(
				f"Convênio do Banco do Brasil deve ter 4, 6 ou 7 dígitos (recebido {agreement!r}).",
				"agreement",
			)
		seq_size = {4: 7, 6: 5, 7: 10}[len(agreement)]
		seq = _digits(sequence, seq_size, "Nosso número")
		wallet = _digits(bb_wallet(account.wallet)[0], 2, "Carteira")
		return agreement, seq, wallet

	def build(self, account, sequence):
		agreement, seq, wallet = self._parts(account, sequence)
		if len(agreement) == 7:
			nn = agreement + seq
			return "000000" + nn + wallet, nn
		agency = _digits(account.agency, 4, "Agência")
		acct = _digits(account.account, 8, "Conta")
		nn = agreement + seq
		return nn + agency + acct + wallet, nn + "-" + bb_nn_dv(nn)

	def inspect(self, ff):
		if ff.startswith("000000"):
			return ff[6:23], []
		nn = ff[0:11]
		return nn + "-" + bb_nn_dv(nn), []

	def retorno_key(self, account, sequence):
		agreement, seq, _wallet = self._parts(account, sequence)
		nn = agreement + seq
		return nn if len(agreement) == 7 else nn + bb_nn_dv(nn)


class Itau(Bank):
	code = "341"
	name = "Itaú Unibanco S.A."
	# Annex 4: DAC over wallet + NN only
	WALLET_NN_ONLY = frozenset({"126", "131", "146", "150", "168"})
	# Layout with "seu número" and client code instead of agency/account: not supported here
	SPECIAL = frozenset({"107", "122", "142", "143", "196", "198"})

	def _parts(self, account, sequence):
		wallet = _digits(account.wallet, 3, "Carteira")
		if wallet in self.SPECIAL:
			raise BoletoError(
				f"Carteira Itaú {wallet} (com seu número/código do cliente) não suportada.", "wallet"
			)
		agency = _digits(account.agency, 4, "Agência")
		acct = _digits(account.account, 5, "Conta")
		nn = _digits(sequence, 8, "Nosso número")
		acct_dac = mod10(agency + acct)
		if account.account_dv not in ("", None) and str(account.account_dv) != str(acct_dac):
			raise BoletoError(
				f"Dígito da conta Itaú {acct}-{account.account_dv} não confere (esperado {acct_dac}).",
				"account_dv",
			)
		return wallet, agency, acct, nn, acct_dac

	def nn_dac(self, agency, acct, wallet, nn) -> int:
		return mod10(wallet + nn) if wallet in self.WALLET_NN_ONLY else mod10(agency + acct + wallet + nn)

	def build(self, account, sequence):
		wallet, agency, acct, nn, acct_dac = self._parts(account, sequence)
		dac = self.nn_dac(agency, acct, wallet, nn)
		ff = f"{wallet}{nn}{dac}{agency}{acct}{acct_dac}000"
		return ff, f"{wallet}/{nn}-{dac}"

	def inspect(self, ff):
		wallet, nn, dac = ff[0:3], ff[3:11], ff[11]
		agency, acct, acct_dac = ff[12:16], ff[16:21], ff[21]
		printed = f"{wallet}/{nn}-{dac}"
		problems = []
		if wallet in self.SPECIAL:
			return printed, problems  # different layout, not re-checked
		if int(dac) != self.nn_dac(agency, acct, wallet, nn):
			problems.append("DAC do nosso número Itaú não confere.")
		if int(acct_dac) != mod10(agency + acct):
			problems.append("DAC da agência/conta Itaú não confere.")
		if ff[22:25] != "000":
			problems.append("Campo livre Itaú deve terminar com 000.")
		return printed, problems

	def retorno_key(self, account, sequence):
		return self._parts(account, sequence)[3]


class Bradesco(Bank):
	code = "237"
	name = "Banco Bradesco S.A."

	def build(self, account, sequence):
		agency = _digits(account.agency, 4, "Agência")
		wallet = _digits(account.wallet, 2, "Carteira")
		nn = _digits(sequence, 11, "Nosso número")
		acct = _digits(account.account, 7, "Conta")
		return agency + wallet + nn + acct + "0", f"{wallet}/{nn}-{bradesco_nn_dv(wallet + nn)}"

	def inspect(self, ff):
		wallet, nn = ff[4:6], ff[6:17]
		problems = [] if ff[24] == "0" else ["Campo livre Bradesco deve terminar com 0."]
		return f"{wallet}/{nn}-{bradesco_nn_dv(wallet + nn)}", problems


class Caixa(Bank):
	"""Caixa SIGCB. The NN has 17 digits: 1 (registered) + 4 (issued by the beneficiary) + 15-digit sequence."""

	code = "104"
	name = "Caixa Econômica Federal"

	def build(self, account, sequence):
		code = _digits(account.beneficiary_code or account.agreement, 6, "Código do beneficiário")
		nn = "14" + _digits(sequence, 15, "Nosso número")
		body = code + str(caixa_dv(code)) + nn[2:5] + nn[0] + nn[5:8] + nn[1] + nn[8:17]
		return body + str(caixa_dv(body)), f"{nn}-{caixa_dv(nn)}"

	def inspect(self, ff):
		code, code_dv = ff[0:6], ff[6]
		nn = ff[10] + ff[14] + ff[7:10] + ff[11:14] + ff[15:24]
		problems = []
		if int(code_dv) != caixa_dv(code):
			problems.append("Dígito do código do beneficiário Caixa não confere.")
		if int(ff[24]) != caixa_dv(ff[:24]):
			problems.append("Dígito verificador do campo livre Caixa não confere.")
		return f"{nn}-{caixa_dv(nn)}", problems


class Santander(Bank):
	code = "033"
	name = "Banco Santander (Brasil) S.A."

	def build(self, account, sequence):
		psk = _digits(account.beneficiary_code or account.agreement, 7, "Código do beneficiário (PSK)")
		nn = _digits(sequence, 12, "Nosso número")
		wallet = _digits(account.wallet or "101", 3, "Carteira")
		dv = santander_nn_dv(nn)
		return f"9{psk}{nn}{dv}0{wallet}", f"{nn}-{dv}"

	def inspect(self, ff):
		nn, dv = ff[8:20], ff[20]
		problems = []
		if ff[0] != "9":
			problems.append("Campo livre Santander deve começar com 9.")
		if int(dv) != santander_nn_dv(nn):
			problems.append("Dígito do nosso número Santander não confere.")
		return f"{nn}-{dv}", problems


class Sicoob(Bank):
	"""Sicoob: wallet ``"1"`` (carteira 1, modalidade 01) or ``"1" + modalidade`` (e.g. ``"102"``)."""

	code = "756"
	name = "Sicoob"

	def _parts(self, account, sequence):
		wallet = str(account.wallet or "1").strip()
		if len(wallet) == 1:
			wallet += "01"
		wallet = _digits(wallet, 3, "Carteira/modalidade")
		coop = _digits(account.agency, 4, "Cooperativa")
		client = _digits(account.beneficiary_code or account.agreement, 7, "Código do cliente")
		nn = _digits(sequence, 7, "Nosso número")
		return wallet, coop, client, nn

	def build(self, account, sequence):
		wallet, coop, client, nn = self._parts(account, sequence)
		dv = sicoob_nn_dv(coop, client.zfill(10), nn)
		return f"{wallet[0]}{coop}{wallet[1:]}{client}{nn}{dv}001", f"{nn}-{dv}"

	def inspect(self, ff):
		coop, client, nn, dv = ff[1:5], ff[7:14], ff[14:21], ff[21]
		problems = []
		if int(dv) != sicoob_nn_dv(coop, client.zfill(10), nn):
			problems.append("Dígito do nosso número Sicoob não confere.")
		return f"{nn}-{dv}", problems


BANKS: dict[str, Bank] = {
	b.code: b for b in (BancoDoBrasil(), Itau(), Bradesco(), Caixa(), Santander(), Sicoob())
}


def get_bank(code: str) -> Bank:
	bank = (BANKS.get(code) if isinstance(code, str) else None) or BANKS.get(str(code or "").strip().zfill(3))
	if bank is None:
		raise BoletoError(
			"Banco {} não suportado (suportados: {}).".format(code, ", ".join(sorted(BANKS))), "bank"
		)
	return bank
