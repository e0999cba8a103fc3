"""Itaú Unibanco (341).

- CNAB 240 — "Cobrança Bancária — Intercâmbio Eletrônico de Arquivos, Layout de Arquivos FEBRABAN 240",
  janeiro/2017: arquivo 040, lote 030; account block ``0 AAAA ␣ 0000000 CCCCC ␣ D``; segment P/T 38-40 carteira,
  41-48 nosso número, 49 DAC; payer name 30 positions; interest as an amount per day.
- CNAB 400 — "Cobrança Bancária — Intercâmbio Eletrônico de Arquivos, CNAB 400", julho/2021 (v3): detail 1,
  optional remessa record 2 (multa); retorno detail 1 (also the cheque-devolvido record), optional record 3 with the
  Boleto Pix "copia e cola" (EMV, 002-391) and its error code (392-394), optional record 4 (rateio).
"""

from __future__ import annotations

from decimal import Decimal

from ...boleto import BoletoError
from ...boleto.banks import get_bank
from ...boleto.codes import mod10
from ..codes import OCCURRENCES_240, merged
from ..fields import Record, daily_interest, day_after, ddmmyy
from ..layout240 import T_FIELDS, Profile240
from ..layout400 import MONEY, Profile400
from ..model import OTHER, PAID, REGISTERED, REJECTED, WRITTEN_OFF, RemessaError

CODE = "341"
_BANK = get_bank(CODE)


def parts(account, sequence=0):
	try:
		return _BANK._parts(account, sequence)
	except BoletoError as exc:
		raise RemessaError(exc.message)


def key(account, sequence) -> str:
	return parts(account, sequence)[3]


def nn_of(account, sequence) -> str:
	"""The 8-digit nosso número of a title; the account's own parts are checked once per file (``parts``)."""
	if type(sequence) is int and 0 <= sequence < 100_000_000:  # fast path: what ``parts`` gives for it
		return f"{sequence:08d}"
	return parts(account, sequence)[3]


_HALVES: list = []  # mod10 of each 4-digit string "0000"…"9999", built on first use


def nn_dac(agency: str, acct: str, wallet: str, nn: str, prefix_dac: int) -> int:
	"""``_BANK.nn_dac(agency, acct, wallet, nn)`` for an 8-digit ``nn``: mod 10 weighs 2, 1, 2, 1… from the right,
	so over an even number of digits each part's share of the sum adds up; ``prefix_dac`` is the mod 10 of what
	precedes the nosso número (computed once per file), each half of it read from a table."""
	if len(nn) != 8 or not (nn.isdigit() and nn.isascii()):
		return _BANK.nn_dac(agency, acct, wallet, nn)
	if not _HALVES:
		_HALVES.extend(mod10(f"{i:04d}") for i in range(10000))
	number = int(nn)
	return (prefix_dac + _HALVES[number // 10000] + _HALVES[number % 10000]) % 10


class Itau240(Profile240):
	code = CODE
	bank_name = "BANCO ITAU SA"
	manual = "Itaú — Layout de Arquivos FEBRABAN 240, Cobrança, janeiro/2017 (arquivo 040, lote 030)"
	file_version = "040"
	lot_version = "030"
	species = "08"  # duplicata de serviço
	name_size = 30
	T_FIELDS = merged(
		T_FIELDS, {"nn": (40, 48), "wallet": (37, 40), "document_number": (58, 68), "motives": (213, 221)}
	)
	H_FIELDS = {"doc_type": (17, 18), "doc": (18, 32), "agreement": (52, 72), "company": (72, 102)}
	occurrences = merged(
		OCCURRENCES_240,
		{
			"08": (PAID, "Liquidação em cartório", OCCURRENCES_240["06"][2]),
			"10": (OTHER, "Baixa por ter sido liquidado", OCCURRENCES_240["09"][2]),
		},
	)

	def file_values(self):
		values = super().file_values()
		self._account_parts = parts(self.account)
		_wallet, agency, acct, _nn, acct_dac = self._account_parts
		self._prefix_dac = mod10(_wallet if _wallet in _BANK.WALLET_NN_ONLY else agency + acct + _wallet)
		self._block = f"0{agency} 0000000{acct} {acct_dac}{_wallet}"
		values["account_block"] = f"0{agency} 0000000{acct} {acct_dac}"
		values["header_tail"] = "00000" + " " * 54 + "000" + " " * 12
		values["lot_reserved"] = "00"
		values["lot_trailer_tail"] = " " * 217
		values["p_106"] = "0"
		values["p_tail"] = "0" * 16
		return values

	def title_block(self, item):
		wallet, agency, acct, _nn, _acct_dac = self._account_parts
		nn = nn_of(self.account, item.nosso_numero)
		dac = nn_dac(agency, acct, wallet, nn, self._prefix_dac)
		return f"{self._block}{nn}{dac}        00000"

	def document_block(self, item, document):
		return document[:10]

	def interest(self, item, amount_cents, rate):
		if not rate:
			return "0", "0" * 15
		return "1", str(daily_interest(amount_cents, rate)).zfill(15)

	def key_from_p(self, p):
		return p[40:48]

	def agreement_of(self, header):
		return header[53:57] + header[65:70]  # agência + conta

	def agreement_code(self, agreement):
		_wallet, agency, acct, _nn, _dac = parts(agreement.account)
		return agency + acct


# Julho/2021 — nota 20, tabela 1 (entradas rejeitadas, ocorrência 03/60)
_REJECTED_400 = {
	"03": "Agência cobradora: não foi possível atribuir a agência pelo CEP ou CEP inválido",
	"04": "Sigla do estado inválida",
	"05": "Prazo da operação menor que o mínimo ou maior que o máximo",
	"07": "Valor do título maior que 10.000.000,00",
	"08": "Nome do pagador não informado ou deslocado",
	"09": "Agência encerrada",
	"10": "Logradouro não informado ou deslocado",
	"11": "CEP não numérico",
	"12": "Sacador/avalista: nome não informado ou deslocado",
	"13": "CEP incompatível com a sigla do estado",
	"14": "Nosso número já registrado no cadastro do banco ou fora da faixa",
	"15": "Nosso número em duplicidade no mesmo movimento",
	"18": "Data de entrada inválida para operar com esta carteira",
	"19": "Ocorrência inválida",
	"21": "Agência cobradora não aceita ou não cadastrada",
	"22": "Carteira não permitida (necessário cadastrar faixa livre)",
	"27": "CNPJ do beneficiário inapto",
	"29": "Categoria da conta inválida",
	"30": "Entradas bloqueadas, conta suspensa em cobrança",
	"31": "Agência/conta do beneficiário sem permissão para protesto",
	"35": "IOF maior que 5%",
	"36": "Quantidade de moeda incompatível com o valor do título",
	"37": "CNPJ/CPF do pagador não numérico ou igual a zeros",
	"42": "Nosso número fora de faixa",
	"44": "Conta migrada",
	"52": "Empresa não aceita banco correspondente",
	"53": "Empresa não aceita banco correspondente — cobrança mensagem",
	"54": "Banco correspondente — título com vencimento inferior a 15 dias",
	"55": "CEP não pertence à depositária informada",
	"56": "Vencimento superior a 180 dias da data de entrada",
	"57": "CEP só depositária Banco do Brasil com vencimento inferior a 8 dias",
	"60": "Valor do abatimento inválido",
	"61": "Juros de mora maior que o permitido",
	"62": "Valor do desconto maior que o valor do título ou data do desconto inválida",
	"63": "Valor da importância por dia de desconto (IDD) não permitido",
	"64": "Data de emissão do título inválida",
	"65": "Taxa inválida (vendor)",
	"66": "Data de vencimento inválida ou fora do prazo de operação",
	"67": "Valor do título/quantidade de moeda inválido",
	"68": "Carteira inválida",
	"69": "Carteira inválida para títulos com rateio de crédito",
	"70": "Beneficiário não cadastrado para fazer rateio de crédito",
	"90": "Cobrança mensagem — número da linha da mensagem inválido",
	"91": "DAC agência/conta corrente inválido",
	"92": "DAC agência/conta/carteira/nosso número inválido",
	"93": "Sigla do estado inválida",
	"94": "Sigla do estado incompatível com o CEP do pagador",
	"95": "CEP do pagador não numérico ou inválido",
	"96": "Endereço/nome/cidade do pagador inválido",
	"97": "Cobrança mensagem sem mensagem, porém com registro do tipo 7 ou 8",
	"98": "Registro mensagem sem flash cadastrado ou diferente do cadastrado",
	"99": "Conta de cobrança com flash cadastrado e sem registro de mensagem",
}
# Julho/2021 — nota 17 (códigos de ocorrência do retorno)
_O = {
	"02": (REGISTERED, "Entrada confirmada"),
	"03": (REJECTED, "Entrada rejeitada"),
	"04": (OTHER, "Alteração de dados — nova entrada"),
	"05": (OTHER, "Alteração de dados — baixa"),
	"06": (PAID, "Liquidação normal"),
	"07": (PAID, "Liquidação parcial — cobrança inteligente (B2B)"),
	"08": (PAID, "Liquidação em cartório"),
	"09": (WRITTEN_OFF, "Baixa simples"),
	"10": (PAID, "Baixa por ter sido liquidado (ocorrência 34 na remessa ou liquidação do boleto por Pix)"),
	"11": (OTHER, "Em ser (só no retorno mensal)"),
	"12": (OTHER, "Abatimento concedido"),
	"13": (OTHER, "Abatimento cancelado"),
	"14": (OTHER, "Vencimento alterado"),
	"15": (OTHER, "Baixas rejeitadas"),
	"16": (OTHER, "Instruções rejeitadas"),
	"17": (OTHER, "Alteração de dados rejeitados"),
	"18": (OTHER, "Cobrança contratual — instruções/alterações rejeitadas/pendentes"),
	"19": (OTHER, "Confirma recebimento de instrução de protesto"),
	"20": (OTHER, "Confirma recebimento de instrução de sustação de protesto/tarifa"),
	"21": (OTHER, "Confirma recebimento de instrução de não protestar"),
	"23": (OTHER, "Título enviado a cartório/tarifa"),
	"24": (OTHER, "Instrução de protesto rejeitada/sustada/pendente"),
	"25": (OTHER, "Alegações do pagador"),
	"26": (OTHER, "Tarifa de aviso de cobrança"),
	"27": (OTHER, "Tarifa de extrato posição (B40X)"),
	"28": (OTHER, "Tarifa de relação das liquidações"),
	"29": (OTHER, "Tarifa de manutenção de títulos vencidos"),
	"30": (OTHER, "Débito mensal de tarifas (para entradas e baixas)"),
	"32": (WRITTEN_OFF, "Baixa por ter sido protestado"),
	"33": (OTHER, "Custas de protesto"),
	"34": (OTHER, "Custas de sustação"),
	"35": (OTHER, "Custas de cartório distribuidor"),
	"36": (OTHER, "Custas de edital"),
	"37": (OTHER, "Tarifa de emissão de boleto/tarifa de envio de duplicata"),
	"38": (OTHER, "Tarifa de instrução"),
	"39": (OTHER, "Tarifa de ocorrências"),
	"47": (WRITTEN_OFF, "Baixa com transferência para desconto"),
	"57": (OTHER, "Instrução cancelada"),
	"59": (PAID, "Baixa por crédito em c/c"),
	"60": (REJECTED, "Entrada rejeitada carnê"),
	"63": (OTHER, "Título sustado judicialmente"),
	"64": (REGISTERED, "Entrada confirmada com rateio de crédito"),
	"65": (OTHER, "Pagamento com cheque — aguardando compensação"),
	"69": (OTHER, "Cheque devolvido"),
	"71": (REGISTERED, "Entrada registrada, aguardando avaliação"),
	"72": (OTHER, "Baixa por crédito em c/c sem título correspondente"),
	"73": (
		REGISTERED,
		"Confirmação de entrada na cobrança simples — entrada não aceita na cobrança contratual",
	),
	"76": (OTHER, "Cheque compensado"),
}
_OCCURRENCES_400 = {
	code: (status, text, _REJECTED_400 if status == REJECTED else {}) for code, (status, text) in _O.items()
}
# Julho/2021 — nota 41 (erro do Pix no registro 3)
PIX_ERRORS = {
	"001": "Valor maior que o máximo permitido",
	"002": "Chave não é compatível com o CNPJ informado",
	"003": "Chave inválida",
	"004": "Chave sem cadastro no DICT",
	"005": "Chave não cadastrada no mesmo CNPJ da agência/conta da remessa",
	"006": "Emissão de QR Code não permitida",
	"007": "Data de desconto maior que a data de vencimento",
	"008": "IdLocation já está sendo utilizado por outra cobrança Pix",
	"009": "Location criada para tipo cobrança com vencimento",
	"010": "Boleto com Pix não é permitido para boleto com pagamento parcial",
	"011": "Boleto com Pix não é permitido para a carteira do boleto",
	"999": "Pix não emitido por problemas na plataforma",
}

_HEADER_400 = Record(
	400,
	"header de arquivo",
	(
		"1-9 = 01REMESSA",
		"10-11 = 01",
		"12-26 = COBRANCA",
		"27-30 9 agency",
		"31-32 = 00",
		"33-37 9 account",
		"38 9 account_dac",
		"39-46 _",
		"47-76 X company",
		"77-79 = 341",
		"80-94 = BANCO ITAU SA",
		"95-100 9 date",
		"101-394 _",
		"395-400 9 seq",
	),
)
_DETAIL_400 = Record(
	400,
	"registro detalhe 1",
	(
		"1 = 1",
		"2-3 9 company_type",
		"4-17 9 company_doc",
		"18-21 9 agency",
		"22-23 = 00",
		"24-28 9 account",
		"29 9 account_dac",
		"30-33 _",
		"34-37 0",
		"38-62 X control",
		"63-70 9 nn",
		"71-83 0",
		"84-86 9 wallet",
		"87-107 _",
		"108 = I",
		"109-110 9 movement",
		"111-120 X document",
		"121-126 9 due_date",
		"127-139 9 amount",
		"140-142 = 341",
		"143-147 0",
		"148-149 9 species",
		"150 = N",
		"151-156 9 issue_date",
		"157-158 = 00",
		"159-160 = 00",
		"161-173 9 interest_value",
		"174-179 0",
		"180-192 0",
		"193-205 0",
		"206-218 0",
		"219-220 9 payer_type",
		"221-234 9 payer_doc",
		"235-264 X payer_name",
		"265-274 _",
		"275-314 X payer_address",
		"315-326 X payer_neighborhood",
		"327-334 9 payer_cep",
		"335-349 X payer_city",
		"350-351 X payer_uf",
		"352-381 _",
		"382-385 _",
		"386-391 9 interest_date",
		"392-393 = 00",
		"394 _",
		"395-400 9 seq",
	),
)
_FINE_400 = Record(
	400,
	"registro detalhe 2 (multa)",
	("1 = 2", "2 = 2", "3-10 9 fine_date", "11-23 9 fine_value", "24-394 _", "395-400 9 seq"),
)
_TRAILER_400 = Record(400, "trailer", ("1 = 9", "2-394 _", "395-400 9 seq"))


class Itau400(Profile400):
	code = CODE
	manual = "Itaú — Cobrança Bancária, Intercâmbio Eletrônico de Arquivos CNAB 400, julho/2021 (v3)"
	species = "08"
	extra_types = "34"
	remessa_extra_types = "2"
	HEADER = _HEADER_400
	DETAIL = _DETAIL_400
	TRAILER = _TRAILER_400
	MONEY = tuple(m for m in MONEY if m != "other_expenses")  # 189-214 are blanks
	H_SEQUENCE = (108, 113)
	H_AGREEMENT = (26, 37)  # agência + zeros + conta
	motives = (377, 385)
	wallet = (82, 85)
	occurrences = _OCCURRENCES_400

	def header_values(self):
		_wallet, agency, acct, _nn, acct_dac = parts(self.account)
		self._fixed = {"agency": agency, "account": acct, "account_dac": acct_dac, "wallet": _wallet}
		self._fine_dates = {}  # due date -> ddmmyyyy of the fine record, once per date in a file
		return dict(self._fixed)

	def detail_values(self, title, values):
		item = title.item
		values.update(self._fixed)
		values["control"] = values["document"]
		values["nn"] = nn_of(self.account, item.nosso_numero)
		daily = daily_interest(title.amount, title.interest)
		values["interest_value"] = daily
		values["interest_date"] = ddmmyy(day_after(item.due_date)) if daily else "000000"

	def extra_records(self, title, values):
		if not title.fine:
			return []
		due = title.item.due_date
		fine_date = self._fine_dates.get(due)
		if fine_date is None:
			fine_date = self._fine_dates[due] = due.strftime("%d%m%Y")
		return [(_FINE_400, {"fine_date": fine_date, "fine_value": int(title.fine * 100)})]

	KEY = (62, 70)  # the reader takes it with the other fields of the detail

	def key_from_detail(self, line):
		return line[62:70]

	key_from_remessa = key_from_detail

	def agreement_of(self, header):
		return header[26:30] + header[32:37]

	def agreement_code(self, agreement):
		_wallet, agency, acct, _nn, _dac = parts(agreement.account)
		return agency + acct

	def extra_record(self, line, item):
		if line[0] == "3":
			item.pix_payload = line[1:391].strip()
			error = line[391:394].strip(" 0")
			if error:
				text = PIX_ERRORS.get(line[391:394], f"Erro {line[391:394]}")
				item.reason = "; ".join(r for r in (item.reason, f"Pix não emitido: {text}") if r)

	def remessa_fine(self, line):
		return None, "1" if line[160:173].strip("0") else "0", Decimal(int(line[160:173])).scaleb(-2)

	def remessa_extra_fine(self, line):
		return Decimal(int(line[10:23])).scaleb(-2) if line[0] == "2" and line[10:23].isdigit() else None
