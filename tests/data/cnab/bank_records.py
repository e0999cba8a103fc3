"""Bank-like CNAB retorno records of the six banks, written at the positions their manuals print (1-based).

Used by make_cnab_files.py (the test files) and benchmarks/bench_cnab.py (large files). Independent of the app's
CNAB layouts on purpose: only the nosso-número check digits come from the boleto core.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "apps" / "fiber_onboarding"))

from fiber_onboarding.core.boleto.banks import (
	bb_mod11,
	bradesco_nn_dv,
	caixa_dv,
	santander_nn_dv,
	sicoob_nn_dv,
)
from fiber_onboarding.core.boleto.codes import mod10

COMPANY = "11222333000181"
OTHER_COMPANY = "99888777000161"
GENERATED = ("05032026", "050326")


def crc16(data: bytes) -> str:
	"""CRC-16/CCITT-FALSE of a Pix payload (BR Code manual), 4 hex digits."""
	crc = 0xFFFF
	for byte in data:
		crc ^= byte << 8
		for _ in range(8):
			crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else crc << 1
			crc &= 0xFFFF
	return f"{crc:04X}"


def tlv(tag: str, value: str) -> str:
	return f"{tag}{len(value):02d}{value}"


_EMV = (
	tlv("00", "01")
	+ tlv("01", "12")
	+ tlv(
		"26",
		tlv("00", "br.gov.bcb.pix") + tlv("25", "qrcodepix.bb.com.br/pix/v2/cobv/5a7f0e1b-9c2d-4e3f-8a1b"),
	)
	+ tlv("52", "0000")
	+ tlv("53", "986")
	+ tlv("58", "BR")
	+ tlv("59", "FIBRA RAPIDA TELECOM")
	+ tlv("60", "SAO PAULO")
	+ tlv("62", tlv("05", "***"))
	+ "6304"
)
EMV = _EMV + crc16(_EMV.encode("ascii"))  # a dynamic Pix "copia e cola" as a bank would return it
LOCATION = "pix.example.com.br/qr/v2/cobv/5a7f0e1b9c2d4e3f"
TXID = "FIBRA000000000000000000000000100"


class Rec:
	def __init__(self, size: int, fill: str = " "):
		self.chars = [fill] * size

	def put(self, start: int, value) -> Rec:
		value = str(value)
		self.chars[start - 1 : start - 1 + len(value)] = list(value)
		return self

	def text(self) -> str:
		return "".join(self.chars)


def money(value: str, size: int) -> str:
	whole, _dot, cents = value.partition(".")
	return (whole + cents.ljust(2, "0")).zfill(size)


# Scenario titles: (sequence, occurrence meaning, amounts…); "seq" is the nosso-número sequence given to the boleto
SCENARIOS = {
	"entrada": [
		{"seq": 101, "what": "registered", "doc": "FAT-0101", "title": "150.00", "fees": "1.80", "pix": True},
		{"seq": 102, "what": "registered", "doc": "FAT-0102", "title": "199.90", "fees": "1.80"},
	],
	"liquidacao": [
		{
			"seq": 101,
			"what": "paid",
			"doc": "FAT-0101",
			"title": "150.00",
			"paid": "150.00",
			"fees": "2.50",
			"net": "147.50",
			"paid_on": "04032026",
			"credit_on": "05032026",
		},  # fmt: skip
		{
			"seq": 102,
			"what": "paid",
			"doc": "FAT-0102",
			"title": "199.90",
			"paid": "214.90",
			"fees": "2.50",
			"net": "212.40",
			"interest": "15.00",
			"paid_on": "04032026",
			"credit_on": "05032026",
		},  # fmt: skip
	],
	"baixa": [
		{"seq": 103, "what": "written_off", "doc": "FAT-0103", "title": "89.90", "paid_on": "04032026"}
	],
	"rejeicao": [
		{"seq": 104, "what": "rejected", "doc": "FAT-0104", "title": "120.00", "paid_on": "04032026"}
	],
}

# ---------------------------------------------------------------------------------------------------------------
# Per bank: agreement data, occurrence and motive codes per scenario, and how the nosso número is written
# ---------------------------------------------------------------------------------------------------------------

BANKS = {
	"001": {
		"dir": "bb",
		"account": {"agency": "1234", "account": "56789", "wallet": "17-019", "agreement": "1234567"},
		"codes240": {"entrada": "02", "liquidacao": "06", "baixa": "09", "rejeicao": "03"},
		"codes400": {"entrada": "02", "liquidacao": "06", "baixa": "10", "rejeicao": "03"},
		"motives240": {"liquidacao": "04", "baixa": "10", "rejeicao": "0848"},
		"motives400": {"liquidacao": "01", "baixa": "00", "rejeicao": "09"},
		"key": lambda seq: "1234567" + str(seq).zfill(10),
	},
	"341": {
		"dir": "itau",
		"account": {"agency": "0057", "account": "12345", "wallet": "109"},
		"codes240": {"entrada": "02", "liquidacao": "06", "baixa": "09", "rejeicao": "03"},
		"codes400": {"entrada": "02", "liquidacao": "06", "baixa": "09", "rejeicao": "03"},
		"motives240": {"rejeicao": "0848"},
		"motives400": {"rejeicao": "1408"},
		"key": lambda seq: str(seq).zfill(8),
	},
	"237": {
		"dir": "bradesco",
		"account": {
			"agency": "3381",
			"account": "1234567",
			"account_dv": "8",
			"wallet": "09",
			"agreement": "4567890",
		},
		"codes240": {"entrada": "02", "liquidacao": "06", "baixa": "09", "rejeicao": "03"},
		"codes400": {"entrada": "02", "liquidacao": "06", "baixa": "09", "rejeicao": "03"},
		"motives240": {"baixa": "10", "rejeicao": "0848"},
		"motives400": {"baixa": "10", "rejeicao": "0848"},
		"key": lambda seq: str(seq).zfill(11),
	},
	"104": {
		"dir": "caixa",
		"account": {"agency": "1234", "account": "", "beneficiary_code": "005507"},
		"codes240": {"entrada": "02", "liquidacao": "06", "baixa": "09", "rejeicao": "03"},
		"codes400": {"entrada": "01", "liquidacao": "21", "baixa": "02", "rejeicao": "99"},
		"motives240": {"rejeicao": "1648"},
		"motives400": {"rejeicao": "026"},
		"key": lambda seq: "14" + str(seq).zfill(15),
	},
	"033": {
		"dir": "santander",
		"account": {
			"agency": "3001",
			"account": "13000123",
			"account_dv": "4",
			"wallet": "101",
			"beneficiary_code": "0282033",
		},  # fmt: skip
		"codes240": {"entrada": "02", "liquidacao": "06", "baixa": "09", "rejeicao": "03"},
		"codes400": {"entrada": "02", "liquidacao": "06", "baixa": "09", "rejeicao": "03"},
		"motives240": {"rejeicao": "0848"},
		"motives400": {"rejeicao": "016057"},
		"key": lambda seq: str(seq).zfill(12),
	},
	"756": {
		"dir": "sicoob",
		"account": {
			"agency": "4133",
			"account": "123456",
			"account_dv": "7",
			"wallet": "1",
			"beneficiary_code": "1234567",
		},  # fmt: skip
		"codes240": {"entrada": "02", "liquidacao": "06", "baixa": "09", "rejeicao": "03"},
		# the Sicoob CNAB 400 retorno sheet lists no "entrada rejeitada": 03 is kept to show how an unlisted
		# code is reported (status "other", code and motives as the file states them)
		"codes400": {"entrada": "02", "liquidacao": "06", "baixa": "10", "rejeicao": "03"},
		"motives240": {"rejeicao": "0848"},
		"motives400": {"baixa": "00", "rejeicao": "09"},
		"key": lambda seq: str(seq).zfill(7),
	},
}
# What the scenario's occurrence means, per layout, when the bank's manual says otherwise than the scenario name
STATUS_OVERRIDES = {("756", 400, "rejeicao"): "other"}
PIX_240 = {"001", "033", "756"}  # segment Y-03 (QR location + TXID) in the entrada file


def nn_block_240(bank: str, seq: int) -> tuple[int, str]:
	"""(start position, text) of the title identification in segment T."""
	if bank == "001":
		return 38, ("1234567" + str(seq).zfill(10)).ljust(20)
	if bank == "341":
		nn = str(seq).zfill(8)
		return 38, "109" + nn + str(mod10("0057" + "12345" + "109" + nn))
	if bank == "237":
		nn = str(seq).zfill(11)
		return 38, "009" + "00000" + nn + bradesco_nn_dv("09" + nn)
	if bank == "104":
		nn = "14" + str(seq).zfill(15)
		return 39, "0" + nn + str(caixa_dv(nn))
	if bank == "033":
		nn = str(seq).zfill(12)
		return 41, nn + str(santander_nn_dv(nn))
	nn = str(seq).zfill(7)
	return 38, (nn + str(sicoob_nn_dv("4133", "1234567".zfill(10), nn))).zfill(10) + "01014"


def nn_400(bank: str, seq: int, rec: Rec) -> None:
	if bank == "001":
		rec.put(64, "1234567" + str(seq).zfill(10))
	elif bank == "341":
		nn = str(seq).zfill(8)
		rec.put(63, nn).put(83, "109").put(86, nn).put(94, mod10("0057" + "12345" + "109" + nn)).put(127, nn)
	elif bank == "237":
		nn = str(seq).zfill(11)
		rec.put(71, nn + bradesco_nn_dv("09" + nn)).put(127, nn)
	elif bank == "104":
		rec.put(57, "14" + str(seq).zfill(15))
	elif bank == "033":
		nn = str(seq).zfill(7)
		rec.put(63, nn + str(santander_nn_dv(nn.zfill(12)))).put(127, nn + str(santander_nn_dv(nn.zfill(12))))
	else:
		nn = str(seq).zfill(7)
		rec.put(63, nn.zfill(11)).put(74, sicoob_nn_dv("4133", "1234567".zfill(10), nn))


# ---------------------------------------------------------------------------------------------------------------
# CNAB 240 retorno
# ---------------------------------------------------------------------------------------------------------------


def header_240(bank: str) -> list[str]:
	head = (
		Rec(240)
		.put(1, bank)
		.put(4, "0000")
		.put(8, "0")
		.put(143, "2")
		.put(144, GENERATED[0])
		.put(158, "000007")
	)
	lot = (
		Rec(240)
		.put(1, bank)
		.put(4, "0001")
		.put(8, "1")
		.put(9, "T")
		.put(10, "01")
		.put(18, "2")
		.put(19, "0" + COMPANY)
	)
	head.put(73, "FIBRA RAPIDA TELECOM").put(152, "101010")
	if bank == "033":  # Santander: tipo 17, CPF/CNPJ 18-32, agência/conta 33-47, código do beneficiário 53-61
		head.put(17, "2").put(18, "0" + COMPANY).put(33, "30010013000123" + "4").put(53, "000282033")
		head.put(103, "BANCO SANTANDER").put(152, "      ").put(164, "040")
		lot.put(14, "040").put(34, "000282033")
		return [head.text(), lot.text()]
	head.put(18, "2").put(19, COMPANY)
	if bank == "001":
		block = "01234" + bb_mod11("1234") + "000000056789" + bb_mod11("56789") + " "
		head.put(33, "001234567" + "0014" + "17" + "019").put(53, block).put(164, "083")
		lot.put(14, "042")
	elif bank == "341":
		head.put(53, "00057 000000012345 8").put(164, "040")
		lot.put(14, "030")
	elif bank == "237":
		head.put(33, "00000000000004567890").put(53, "033812000001234567" + "8 ").put(164, "084")
		lot.put(14, "042")
	elif bank == "104":
		head.put(33, "0" * 20).put(53, "012340" + "005507" + "0" * 8).put(164, "040")
		lot.put(14, "030")
	else:
		head.put(53, "041330" + "000000123456" + "70").put(164, "081")
		lot.put(14, "040")
	return [head.text(), lot.text()]


def detail_240(bank: str, seq_in_lot: int, code: str, t: dict, motives: str) -> list[str]:
	head = Rec(240).put(1, bank).put(4, "0001").put(8, "3")
	tseg = (
		Rec(240)
		.put(1, bank)
		.put(4, "0001")
		.put(8, "3")
		.put(9, str(seq_in_lot).zfill(5))
		.put(14, "T")
		.put(16, code)
	)
	useg = (
		Rec(240)
		.put(1, bank)
		.put(4, "0001")
		.put(8, "3")
		.put(9, str(seq_in_lot + 1).zfill(5))
		.put(14, "U")
		.put(16, code)
	)
	start, nn = nn_block_240(bank, t["seq"])
	tseg.put(start, nn)
	name = t.get("name", "PADARIA SAO JOAO LTDA")
	if bank == "033":
		tseg.put(54, "2").put(55, t["doc"].ljust(15)).put(70, "10032026").put(78, money(t["title"], 15))
		tseg.put(93, "000").put(128, "2").put(129, "0" + COMPANY).put(144, name.ljust(40))
		tseg.put(194, money(t.get("fees", "0"), 15)).put(209, motives.ljust(10, "0"))
	else:
		size = {"341": 10, "104": 11}.get(bank, 15)
		tseg.put(58, "1" if bank != "001" else "7").put(59, t["doc"].ljust(size)).put(74, "10032026")
		tseg.put(82, money(t["title"], 15)).put(97, "000").put(106, t["doc"].ljust(25)).put(131, "09")
		tseg.put(133, "2").put(134, "0" + COMPANY).put(149, name.ljust(40)).put(
			199, money(t.get("fees", "0"), 15)
		)
		tseg.put(214, motives.ljust(8 if bank == "341" else 10, "0"))
	useg.put(18, money(t.get("interest", "0"), 15)).put(33, "0" * 45).put(78, money(t.get("paid", "0"), 15))
	useg.put(93, money(t.get("net", "0"), 15)).put(108, "0" * 30).put(138, t.get("paid_on", "00000000"))
	useg.put(146, t.get("credit_on", "00000000"))
	lines = [tseg.text(), useg.text()]
	if t.get("pix") and bank in PIX_240:
		y = head.put(9, str(seq_in_lot + 2).zfill(5)).put(14, "Y").put(16, code).put(18, "03")
		y.put(82, LOCATION.ljust(77)).put(159, TXID)
		lines.append(y.text())
	return lines


def retorno_240(bank: str, scenario: str) -> str:
	spec = BANKS[bank]
	lines = header_240(bank)
	seq = 1
	for t in SCENARIOS[scenario]:
		details = detail_240(bank, seq, spec["codes240"][scenario], t, spec["motives240"].get(scenario, ""))
		lines += details
		seq += len(details)
	lines.append(Rec(240).put(1, bank).put(4, "0001").put(8, "5").put(18, str(len(lines)).zfill(6)).text())
	lines.append(
		Rec(240)
		.put(1, bank)
		.put(4, "9999")
		.put(8, "9")
		.put(18, "000001")
		.put(24, str(len(lines) + 1).zfill(6))
		.text()
	)
	return "\r\n".join(lines) + "\r\n"


# ---------------------------------------------------------------------------------------------------------------
# CNAB 400 retorno
# ---------------------------------------------------------------------------------------------------------------


def header_400(bank: str) -> Rec:
	head = Rec(400).put(1, "02RETORNO01").put(95, GENERATED[1]).put(395, "000001")
	if bank == "001":
		head.put(12, "COBRANCA").put(
			27, "1234" + bb_mod11("1234") + "00056789" + bb_mod11("56789") + "000000"
		)
		head.put(47, "FIBRA RAPIDA TELECOM").put(77, "001BANCODOBRASIL").put(101, "0000007").put(
			150, "1234567"
		)
	elif bank == "341":
		head.put(12, "COBRANCA").put(27, "0057001234" + "58").put(47, "FIBRA RAPIDA TELECOM").put(77, "341")
		head.put(80, "BANCO ITAU SA").put(101, "01600BPI").put(109, "00007").put(114, GENERATED[1])
	elif bank == "237":
		head.put(12, "COBRANCA").put(27, "00000000000004567890").put(47, "FIBRA RAPIDA TELECOM").put(
			77, "237"
		)
		head.put(80, "BRADESCO").put(101, "01600000").put(109, "00007").put(380, GENERATED[1])
	elif bank == "104":
		head.put(12, "COBRANCA").put(27, "1234" + "0005507").put(47, "FIBRA RAPIDA TELECOM").put(77, "104")
		head.put(80, "C ECON FEDERAL").put(159, "007").put(390, "00007")
	elif bank == "033":
		head.put(12, "COBRANCA").put(27, "3001" + "13000123" + "00282033").put(47, "FIBRA RAPIDA TELECOM")
		head.put(77, "033").put(80, "SANTANDER").put(101, "00001600").put(392, "000")
	else:
		head.put(12, "COBRANCA").put(27, "4133" + "0" + "01234567" + "9" + "123456").put(
			47, "FIBRA RAPIDA TELECOM"
		)
		head.put(77, "756 - BANCOOB S/A").put(101, "0000007")
	return head


def detail_400(bank: str, code: str, t: dict, motives: str) -> list[Rec]:
	kind = "7" if bank == "001" else "1"
	rec = Rec(400).put(1, kind)
	if bank != "001":  # BB's CBR643 leaves 002-017 with zeros
		rec.put(2, "02" + COMPANY)
	else:
		rec.put(2, "0" * 16).put(18, "1234" + bb_mod11("1234") + "00056789" + bb_mod11("56789") + "1234567")
	rec.put(38, t["doc"].ljust(25))
	nn_400(bank, t["seq"], rec)
	rec.put(109, code).put(111, t.get("paid_on", "00000000")[:4] + t.get("paid_on", "00000000")[6:])
	rec.put(117, t["doc"].ljust(10)).put(147, "100326").put(153, money(t["title"], 13)).put(166, "000")
	name = t.get("name", "PADARIA SAO JOAO LTDA")
	credit = t.get("credit_on", "00000000")
	credit = credit[:4] + credit[6:]
	amounts = {215: "0", 228: "0", 241: "0", 254: t.get("paid", "0"), 267: t.get("interest", "0"), 280: "0"}
	if bank in ("001", "756"):  # CBR643-like: crédito 176-181, tarifa 182-188, valor do lançamento 306-318
		rec.put(107, "17" if bank == "001" else "01").put(176, credit).put(182, money(t.get("fees", "0"), 7))
		amounts.update({189: "0", 202: "0", 306: t.get("net", "0")})
		if bank == "001":
			rec.put(87, motives.ljust(2, "0") if motives else "00")
		else:
			rec.put(75, "01").put(81, motives.ljust(2, "0") if motives else "00").put(343, COMPANY)
	else:
		rec.put(176, money(t.get("fees", "0"), 13))
		if bank != "104":
			rec.put(296, credit)
		if bank in ("237", "033"):
			amounts.update({189: "0", 202: "0"})
		if bank == "341":
			rec.put(18, "0057001234" + "5").put(108, "I").put(325, name.ljust(30)).put(378, motives.ljust(8))
		elif bank == "237":
			rec.put(21, "0009033810" + "1234567" + "8").put(108, "9").put(319, motives.ljust(10, "0"))
		elif bank == "104":
			rec.put(21, "0005507" + "20").put(80, motives.rjust(3, "0") if motives else "000").put(107, "01")
			rec.put(293, "1").put(294, credit)
		else:
			rec.put(18, "3001" + "13000123" + "00282033").put(108, "5").put(137, motives.ljust(9))
			rec.put(294, "N").put(302, name.ljust(36))
	for start, value in amounts.items():
		rec.put(start, money(value, 13))
	records = [rec]
	if t.get("pix") and bank == "341":  # registro 3: Boleto Pix (EMV copia e cola + código de erro)
		records.append(Rec(400).put(1, "3").put(2, EMV.ljust(390)).put(392, "000"))
	if t.get("pix") and bank == "237":  # registro 4: Pix (location + TXID)
		records.append(Rec(400).put(1, "4").put(29, LOCATION.ljust(77)).put(106, TXID))
	return records


def trailer_400(bank: str, details: int) -> Rec:
	rec = Rec(400).put(1, "9").put(2, "201" + bank)
	if bank == "756":
		rec = Rec(400).put(1, "902756" + "4133").put(156, GENERATED[0]).put(164, str(details).zfill(8))
	return rec


def retorno_400(bank: str, scenario: str) -> str:
	spec = BANKS[bank]
	records = [header_400(bank)]
	details = 0
	for t in SCENARIOS[scenario]:
		records += detail_400(bank, spec["codes400"][scenario], t, spec["motives400"].get(scenario, ""))
		details += 1
	records.append(trailer_400(bank, details))
	for number, rec in enumerate(records, start=1):
		rec.put(395, str(number).zfill(6))
	return "\r\n".join(rec.text() for rec in records) + "\r\n"
