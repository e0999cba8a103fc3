"""Banco do Brasil (001).

- CNAB 240 — "Particularidades BB — Leiaute CNAB 240, agosto/2017" over the Layout Padrão FEBRABAN 240 posições:
  arquivo 083, lote 042; convênio block = convênio 9 + "0014" + carteira 2 + variação 3 + 2 brancos; agency and
  account with their DVs; title identification (P/T 38-57) = convênio + nosso número (+ DV for 4/6-digit
  convênios), left-aligned.
- CNAB 400 — convênios of 7 digits: "Layout de Arquivo Remessa CNAB400 (CBR641), versão abril/2012" and "Layout de
  Arquivo Retorno CNAB400 (CBR643), versão jan/2014": detail type 7, optional type 5 (multa); the retorno detail
  has no CPF/CNPJ of the company (zeros), so a company is recognized by its convênio (header 150-156).
"""

from __future__ import annotations

from decimal import Decimal

from ...boleto import BoletoError
from ...boleto.banks import bb_mod11, bb_wallet, get_bank
from ..codes import merged
from ..fields import Record, daily_interest, day_after, ddmmyy
from ..layout240 import Profile240
from ..layout400 import DETAIL_FIELDS, MONEY, Profile400
from ..model import OTHER, PAID, REGISTERED, REJECTED, WRITTEN_OFF, RemessaError

CODE = "001"
_BANK = get_bank(CODE)


def wallet(account) -> tuple[str, str]:
	carteira, variation = bb_wallet(account.wallet)
	if not (len(carteira) == 2 and carteira.isdigit()):
		raise RemessaError(f"Carteira BB {account.wallet!r} inválida (ex.: 17-019).")
	if not variation:
		raise RemessaError("Informe a variação da carteira BB (ex.: carteira 17-019).")
	if not (variation.isdigit() and len(variation) <= 3):
		raise RemessaError(f"Variação da carteira BB {variation!r} inválida.")
	return carteira, variation.zfill(3)


def agency_account(account, agency_size: int, account_size: int) -> tuple[str, str, str, str]:
	agency = str(account.agency).strip()
	number = str(account.account).strip()
	if not (
		agency.isdigit() and len(agency) <= agency_size and number.isdigit() and len(number) <= account_size
	):
		raise RemessaError("Agência/conta BB inválidas.")
	account_dv = str(account.account_dv or "").strip().upper() or bb_mod11(number)
	return agency.zfill(agency_size), bb_mod11(agency), number.zfill(account_size), account_dv


def key(account, sequence) -> str:
	try:
		return _BANK.retorno_key(account, sequence)
	except BoletoError as exc:
		raise RemessaError(exc.message)


class Keys:
	"""``key(account, ·)`` for one file: for a 7-digit convênio the key is convênio + the sequence in 10 digits,
	the account's parts checked once; anything else (another convênio, a sequence that is not an int of up to 10
	digits, an account the boleto core refuses) goes through ``key`` itself, with its message."""

	def __init__(self, account):
		self.account = account
		try:
			agreement, _seq, _wallet = _BANK._parts(account, 0)
		except BoletoError:
			agreement = ""
		self.agreement = agreement if len(agreement) == 7 else None

	def __call__(self, sequence) -> str:
		if self.agreement is None or type(sequence) is not int or not 0 <= sequence < 10_000_000_000:
			return key(self.account, sequence)
		return f"{self.agreement}{sequence:010d}"


class BB240(Profile240):
	code = CODE
	bank_name = "BANCO DO BRASIL S.A."
	manual = "Banco do Brasil — Particularidades BB, Leiaute CNAB 240, agosto/2017 (arquivo 083, lote 042)"
	file_version = "083"
	lot_version = "042"
	H_FIELDS = {"doc_type": (17, 18), "doc": (18, 32), "agreement": (32, 41), "company": (72, 102)}

	def file_values(self):
		values = super().file_values()
		carteira, variation = wallet(self.account)
		agreement = str(self.account.agreement or "").strip()
		if not agreement.isdigit() or len(agreement) > 9:
			raise RemessaError(f"Convênio BB {agreement!r} inválido.")
		agency, agency_dv, number, number_dv = agency_account(self.account, 5, 12)
		self._account = agency + agency_dv + number + number_dv + " "
		self._kind = "7" if carteira == "17" else "1"  # 7: carteira 17 simples; 1: carteira 11/12 simples
		values["agreement_block"] = agreement.zfill(9) + "0014" + carteira + variation + "  "
		values["account_block"] = self._account
		self._keys = Keys(self.account)
		return values

	def title_block(self, item):
		# agência/conta (18-37), identificação do título (38-57), carteira, cadastramento com registro,
		# documento tradicional, emissão e distribuição pelo cliente (58-62)
		return self._account + self._keys(item.nosso_numero).ljust(20) + self._kind + "1122"

	def key_from_p(self, p):
		return p[37:57].strip()


# CBR643 note 05 — natureza do recebimento (087-088), by comando
_SETTLED_400 = {
	"01": "Liquidação normal",
	"02": "Liquidação parcial",
	"03": "Liquidação por saldo",
	"04": "Liquidação com cheque a compensar",
	"05": "Liquidação de título sem registro (carteira 7 tipo 4)",
	"07": "Liquidação na apresentação",
	"09": "Liquidação em cartório",
	"10": "Liquidação parcial com cheque a compensar",
	"11": "Liquidação por saldo com cheque a compensar",
}
_WRITTEN_OFF_400 = {
	"00": "Solicitada pelo cliente",
	"15": "Protestado",
	"18": "Por alteração da carteira",
	"19": "Débito automático",
	"31": "Liquidado anteriormente",
	"32": "Habilitado em processo",
	"33": "Incobrável por nosso intermédio",
	"34": "Transferido para créditos em liquidação",
	"46": "Por alteração da variação",
	"47": "Por alteração da variação",
	"51": "Acerto",
	"90": "Baixa automática",
}
_ENTERED_400 = {
	"00": "Por meio magnético",
	"11": "Por via convencional",
	"16": "Por alteração do código do cedente",
	"17": "Por alteração da variação",
	"18": "Por alteração da carteira",
}
_REFUSED_400 = {
	"01": "Identificação inválida",
	"02": "Variação da carteira inválida",
	"03": "Valor dos juros por um dia inválido",
	"04": "Valor do desconto inválido",
	"05": "Espécie de título inválida para carteira/variação",
	"06": "Espécie de valor invariável inválido",
	"07": "Prefixo da agência usuária inválido",
	"08": "Valor do título/apólice inválido",
	"09": "Data de vencimento inválida",
	"10": "Fora do prazo/só admissível na carteira",
	"11": "Inexistência de margem para desconto",
	"12": "O banco não tem agência na praça do sacado",
	"13": "Razões cadastrais",
	"14": "Sacado interligado com o sacador",
	"15": "Título sacado contra órgão do Poder Público",
	"16": "Título preenchido de forma irregular",
	"17": "Título rasurado",
	"18": "Endereço do sacado não localizado ou incompleto",
	"19": "Código do cedente inválido",
	"20": "Nome/endereço do cliente não informado (ECT)",
	"21": "Carteira inválida",
	"22": "Quantidade de valor variável inválida",
	"23": "Faixa de nosso número excedida",
	"24": "Valor do abatimento inválido",
	"25": "Novo número do título dado pelo cedente inválido (seu número)",
	"26": "Valor do IOF de seguro inválido",
	"27": "Nome do sacado/cedente inválido",
	"28": "Data do novo vencimento inválida",
	"29": "Endereço não informado",
	"30": "Registro de título já liquidado (carteira 17 tipo 4)",
	"31": "Número do borderô inválido",
	"32": "Nome da pessoa autorizada inválido",
	"33": "Nosso número já existente",
	"34": "Número da prestação do contrato inválido",
	"35": "Percentual de desconto inválido",
	"36": "Dias para fichamento de protesto inválido",
	"37": "Data de emissão do título inválida",
	"38": "Data do vencimento anterior à data da emissão do título",
	"39": "Comando de alteração indevido para a carteira",
	"40": "Tipo de moeda inválido",
	"41": "Abatimento não permitido",
	"42": "CEP/UF inválido ou não compatíveis (ECT)",
	"43": "Código de unidade variável incompatível com a data de emissão do título",
	"44": "Dados para débito ao sacado inválidos",
	"45": "Carteira/variação encerrada",
	"46": "Convênio encerrado",
	"47": "Título tem valor diverso do informado",
	"48": "Motivo de baixa inválido para a carteira",
	"49": "Abatimento a cancelar não consta do título",
	"50": "Comando incompatível com a carteira",
	"51": "Código do convenente inválido",
	"52": "Abatimento igual ou maior que o valor do título",
	"53": "Título já se encontra na situação pretendida",
	"54": "Título fora do prazo admitido para a conta 1",
	"55": "Novo vencimento fora dos limites da carteira",
	"56": "Título não pertence ao convenente",
	"57": "Variação incompatível com a carteira",
	"58": "Impossível a variação única para a carteira indicada",
	"59": "Título vencido em transferência para a carteira 51",
	"60": "Título com prazo superior a 179 dias em variação única para carteira 51",
	"61": "Título já foi fichado para protesto",
	"62": "Alteração da situação de débito inválida para o código de responsabilidade",
	"63": "DV do nosso número inválido",
	"64": "Título não passível de débito/baixa — situação anormal",
	"65": "Título com ordem de não protestar — não pode ser encaminhado a cartório",
	"66": "Número do documento do sacado (CNPJ/CPF) inválido",
	"67": "Título/carnê rejeitado",
	"69": "Valor/percentual de juros inválido",
	"70": "Título já se encontra isento de juros",
	"71": "Código de juros inválido",
	"72": "Prefixo da agência cobradora inválido",
	"73": "Número do controle do participante inválido",
	"74": "Cliente não cadastrado",
	"80": "Nosso número inválido",
	"81": "Data para concessão do desconto inválida",
	"82": "CEP do sacado inválido",
	"83": "Carteira/variação não localizada no cedente",
	"84": "Título não localizado na existência",
	"85": "Recusa do comando 41 — parâmetro de liquidação parcial",
	"99": "Outros motivos",
}
# CBR643 note 07 — comandos (109-110)
_OCCURRENCES_400 = {
	"02": (REGISTERED, "Confirmação de entrada de título", _ENTERED_400),
	"03": (REJECTED, "Comando recusado", _REFUSED_400),
	"05": (PAID, "Liquidado sem registro (carteira 17 tipo 4)", _SETTLED_400),
	"06": (PAID, "Liquidação normal", _SETTLED_400),
	"07": (PAID, "Liquidação por conta/parcial", _SETTLED_400),
	"08": (PAID, "Liquidação por saldo", _SETTLED_400),
	"09": (WRITTEN_OFF, "Baixa de título", _WRITTEN_OFF_400),
	"10": (WRITTEN_OFF, "Baixa solicitada", _WRITTEN_OFF_400),
	"11": (OTHER, "Títulos em ser", {}),
	"12": (OTHER, "Abatimento concedido", {}),
	"13": (OTHER, "Abatimento cancelado", {}),
	"14": (OTHER, "Alteração de vencimento do título", {}),
	"15": (PAID, "Liquidação em cartório", _SETTLED_400),
	"16": (OTHER, "Confirmação de alteração de juros de mora", {}),
	"19": (OTHER, "Confirmação de recebimento de instruções para protesto", {}),
	"20": (WRITTEN_OFF, "Débito em conta", _WRITTEN_OFF_400),
	"21": (OTHER, "Alteração do nome do sacado", {}),
	"22": (OTHER, "Alteração do endereço do sacado", {}),
	"23": (OTHER, "Indicação de encaminhamento a cartório", {}),
	"24": (OTHER, "Sustar protesto", {}),
	"25": (OTHER, "Dispensar juros de mora", {}),
	"26": (OTHER, "Alteração do número do título dado pelo cedente (seu número)", {}),
	"28": (OTHER, "Manutenção de título vencido", {}),
	"31": (OTHER, "Conceder desconto", {}),
	"32": (OTHER, "Não conceder desconto", {}),
	"33": (OTHER, "Retificar desconto", {}),
	"34": (OTHER, "Alterar data para desconto", {}),
	"35": (OTHER, "Cobrar multa", {}),
	"36": (OTHER, "Dispensar multa", {}),
	"37": (OTHER, "Dispensar indexador", {}),
	"38": (OTHER, "Dispensar prazo limite para recebimento", {}),
	"39": (OTHER, "Alterar prazo limite para recebimento", {}),
	"41": (OTHER, "Alteração do número do controle do participante", {}),
	"42": (OTHER, "Alteração do número do documento do sacado (CNPJ/CPF)", {}),
	"44": (OTHER, "Título pago com cheque devolvido", {}),
	"46": (OTHER, "Título pago com cheque, aguardando compensação", _SETTLED_400),
	"72": (OTHER, "Alteração de tipo de cobrança", {}),
	"73": (OTHER, "Confirmação de instrução de parâmetro de pagamento parcial", {}),
	"96": (OTHER, "Despesas de protesto", {}),
	"97": (OTHER, "Despesas de sustação de protesto", {}),
	"98": (OTHER, "Débito de custas antecipadas", {}),
}

_HEADER_400 = Record(
	400,
	"header de arquivo",
	(
		"1-9 = 01REMESSA",
		"10-11 = 01",
		"12-19 = COBRANCA",
		"20-26 _",
		"27-30 9 agency",
		"31 X agency_dv",
		"32-39 9 account",
		"40 X account_dv",
		"41-46 0",
		"47-76 X company",
		"77-94 = 001BANCODOBRASIL",
		"95-100 9 date",
		"101-107 9 nsa",
		"108-129 _",
		"130-136 9 agreement",
		"137-394 _",
		"395-400 9 seq",
	),
)
_DETAIL_400 = Record(
	400,
	"registro detalhe 7",
	(
		"1 = 7",
		"2-3 9 company_type",
		"4-17 9 company_doc",
		"18-21 9 agency",
		"22 X agency_dv",
		"23-30 9 account",
		"31 X account_dv",
		"32-38 9 agreement",
		"39-63 X control",
		"64-80 9 nn",
		"81-82 = 00",
		"83-84 = 00",
		"85-87 _",
		"88 _",
		"89-91 _",
		"92-94 9 variation",
		"95 = 0",
		"96-101 0",
		"102-106 _",
		"107-108 9 wallet",
		"109-110 9 movement",
		"111-120 X document",
		"121-126 9 due_date",
		"127-139 9 amount",
		"140-142 = 001",
		"143-146 0",
		"147 _",
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
		"235-271 X payer_name",
		"272-274 _",
		"275-314 X payer_address",
		"315-326 X payer_neighborhood",
		"327-334 9 payer_cep",
		"335-349 X payer_city",
		"350-351 X payer_uf",
		"352-391 _",
		"392-393 = 00",
		"394 _",
		"395-400 9 seq",
	),
)
_FINE_400 = Record(
	400,
	"registro detalhe 5 (multa)",
	("1 = 5", "2-3 = 99", "4 = 2", "5-10 9 fine_date", "11-22 9 fine_value", "23-394 _", "395-400 9 seq"),
)
_TRAILER_400 = Record(400, "trailer", ("1 = 9", "2-394 _", "395-400 9 seq"))


class BB400(Profile400):
	code = CODE
	manual = "Banco do Brasil — CNAB 400 convênio de 7 posições: remessa CBR641 (abril/2012), retorno CBR643 (jan/2014)"
	detail_type = "7"
	extra_types = "5"
	remessa_extra_types = "5"
	HEADER = _HEADER_400
	DETAIL = _DETAIL_400
	TRAILER = _TRAILER_400
	DETAIL_FIELDS = merged(
		DETAIL_FIELDS, {"fees": (181, 188), "credit_date": (175, 181), "net_credit": (305, 318)}
	)
	MONEY = (*MONEY, "net_credit")
	H_SEQUENCE = H_SEQUENCE_REMESSA = (100, 107)
	H_AGREEMENT = (149, 156)
	motives = (86, 88)
	wallet = (106, 108)
	occurrences = _OCCURRENCES_400

	def header_values(self):
		agreement = str(self.account.agreement or "").strip()
		if len(agreement) != 7 or not agreement.isdigit():
			raise RemessaError("O CNAB 400 do BB (CBR641) é para convênios de 7 dígitos.")
		self._carteira, self._variation = wallet(self.account)
		agency, agency_dv, number, number_dv = agency_account(self.account, 4, 8)
		self._keys = Keys(self.account)
		self._fixed = {
			"agency": agency,
			"agency_dv": agency_dv,
			"account": number,
			"account_dv": number_dv,
			"agreement": agreement,
			"variation": self._variation,
			"wallet": self._carteira,
		}
		return dict(self._fixed)

	def detail_values(self, title, values):
		item = title.item
		values.update(self._fixed)
		values["control"] = values["document"]
		values["nn"] = self._keys(item.nosso_numero)
		values["payer_name"] = title.payer_name[:37]
		values["interest_value"] = daily_interest(title.amount, title.interest)

	def extra_records(self, title, values):
		if not title.fine:
			return []
		due = title.item.due_date
		return [(_FINE_400, {"fine_date": ddmmyy(day_after(due)), "fine_value": int(title.fine * 100)})]

	DETAIL_DOCUMENT = (0, 0)  # the reader cuts "" (what detail_document returns) with the other fields

	def detail_document(self, line):
		return ""  # CBR643: positions 2-17 of the retorno are zeros

	def remessa_document(self, line):
		return line[3:17]

	KEY = (63, 80)  # the reader takes it with the other fields of the detail

	def key_from_detail(self, line):
		return line[63:80]

	def key_from_remessa(self, line):
		return line[63:80]

	def agreement_code(self, agreement):
		return agreement.account.agreement

	def agreement_of_remessa(self, header):
		return header[129:136]

	def remessa_fine(self, line):
		return None, "", Decimal(int(line[160:173])).scaleb(-2) if line[160:173].isdigit() else None

	def remessa_extra_fine(self, line):
		return Decimal(int(line[10:22])).scaleb(-2) if line[1:3] == "99" and line[10:22].isdigit() else None
