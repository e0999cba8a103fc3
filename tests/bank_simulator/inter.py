"""Banco Inter, API Cobrança v3 (BolePix), as the simulator answers it.

Resources under ``/cobranca/v3``: ``POST /cobrancas`` (→ ``codigoSolicitacao``; the charge stays
EM_PROCESSAMENTO for ``processing_reads`` detail reads, then A_RECEBER with boleto and Pix), ``GET /cobrancas``
(period + ``seuNumero``), ``GET /cobrancas/{codigo}``, ``POST /cobrancas/{codigo}/cancelar``,
``PUT/GET/DELETE /cobrancas/webhook``. An identical charge (seu número, value, due date, payer) is refused with
409 (Inter does so for 30 minutes; the simulator always). Errors are problem JSON with ``violacoes``.
:meth:`InterBank.pay` settles a charge and POSTs the callback to the registered webhook over mTLS with
"Inter's" client certificate, as Inter does.
"""

from __future__ import annotations

import http.client
import json
import re
import secrets
import uuid
from datetime import date, datetime, timezone
from decimal import Decimal
from urllib.parse import urlsplit

from . import febraban
from .server import Recorded, Reply

_MOTIVOS = {"ACERTOS", "APEDIDODOCLIENTE", "PAGODIRETOAOCLIENTE", "SUBSTITUICAO", "FALTADESOLUCAO"}


def problem(status: int, title: str, detail: str, violations=()) -> Reply:
	return Reply(
		status,
		{
			"title": title,
			"detail": detail,
			"timestamp": "2026-01-01T00:00:00.000Z",
			"violacoes": [{"razao": r, "propriedade": p, "valor": v} for p, r, v in violations],
		},
	)


def _iso(text) -> date | None:
	try:
		return date.fromisoformat(text) if isinstance(text, str) and len(text) == 10 else None
	except ValueError:
		return None


class InterBank:
	def __init__(self, sim):
		self.sim = sim
		self.app = {
			"client_id": str(uuid.uuid4()),
			"client_secret": str(uuid.uuid4()),
			"scopes": {"boleto-cobranca.read", "boleto-cobranca.write"},
		}
		self.processing_reads = 0
		self.charges: dict[str, dict] = {}
		self.webhook_config: dict | None = None
		self.deliveries: list[tuple[int, list]] = []
		self._nosso = 1_000_000

	def invalid_client(self) -> Reply:
		return problem(401, "Não autorizado", "client_id ou client_secret inválidos")

	def invalid_token(self) -> Reply:
		return problem(401, "Não autorizado", "Token de acesso inválido ou expirado")

	def check_request(self, request: Recorded) -> Reply | None:
		return None

	# -- resources -------------------------------------------------------------------------------------------
	def _validate(self, body) -> list[tuple[str, str, str]]:
		if not isinstance(body, dict):
			return [("body", "corpo inválido", "")]
		found = []
		seu = str(body.get("seuNumero") or "")
		if not 1 <= len(seu) <= 15:
			found.append(("seuNumero", "deve ter entre 1 e 15 caracteres", seu))
		value = body.get("valorNominal")
		if not isinstance(value, int | float) or not 2.5 <= value <= 99_999_999.99:
			found.append(("valorNominal", "deve estar entre 2.5 e 99999999.99", str(value)))
		if _iso(body.get("dataVencimento")) is None:
			found.append(("dataVencimento", "formato aceito: AAAA-MM-DD", str(body.get("dataVencimento"))))
		if not isinstance(body.get("numDiasAgenda"), int) or not 0 <= body["numDiasAgenda"] <= 60:
			found.append(("numDiasAgenda", "deve estar entre 0 e 60", str(body.get("numDiasAgenda"))))
		payer = body.get("pagador") if isinstance(body.get("pagador"), dict) else {}
		for name in ("cpfCnpj", "tipoPessoa", "nome", "endereco", "cidade", "uf", "cep"):
			if not str(payer.get(name) or "").strip():
				found.append((f"pagador.{name}", "não deve estar em branco", ""))
		if payer.get("cep") and not re.fullmatch(r"\d{8}", str(payer["cep"])):
			found.append(("pagador.cep", "deve ter 8 dígitos", str(payer["cep"])))
		if payer.get("tipoPessoa") not in (None, "", "FISICA", "JURIDICA"):
			found.append(("pagador.tipoPessoa", "valor inválido", str(payer["tipoPessoa"])))
		return found

	def register(self, request: Recorded, _id=None) -> Reply:
		try:
			body = request.json()
		except ValueError:
			body = None
		violations = self._validate(body)
		if violations:
			return problem(400, "Requisição inválida", "Existem campos inválidos.", violations)
		key = (body["seuNumero"], body["valorNominal"], body["dataVencimento"], body["pagador"]["cpfCnpj"])
		for charge in self.charges.values():
			c = charge["cobranca"]
			if c["situacao"] not in ("CANCELADO", "EXPIRADO") and charge["key"] == key:
				return problem(
					409,
					"Cobrança duplicada",
					"Já existe uma cobrança com este seu número, valor, vencimento e pagador.",
				)
		codigo = str(uuid.uuid4())
		self.charges[codigo] = {
			"key": key,
			"reads_left": self.processing_reads,
			"formas": body.get("formasRecebimento") or ["BOLETO", "PIX"],
			"cobranca": {
				"codigoSolicitacao": codigo,
				"seuNumero": body["seuNumero"],
				"dataEmissao": self.sim.today.isoformat(),
				"dataVencimento": body["dataVencimento"],
				"valorNominal": body["valorNominal"],
				"tipoCobranca": "SIMPLES",
				"situacao": "EM_PROCESSAMENTO",
				"dataSituacao": self.sim.today.isoformat(),
				"arquivada": False,
				"pagador": body["pagador"],
			},
		}
		return Reply(200, {"codigoSolicitacao": codigo})

	def _issue(self, charge: dict):
		c = charge["cobranca"]
		if c["situacao"] != "EM_PROCESSAMENTO":
			return
		if charge["reads_left"] > 0:
			charge["reads_left"] -= 1
			return
		self._nosso += 1
		nosso = f"{self._nosso:010d}"
		code = febraban.barcode(
			"077",
			_iso(c["dataVencimento"]),
			Decimal(str(c["valorNominal"])),
			febraban.inter_free_field(nosso),
		)
		c["situacao"] = "A_RECEBER"
		charge["boleto"] = {"nossoNumero": nosso, "codigoBarras": code, "linhaDigitavel": febraban.line(code)}
		if "PIX" in charge["formas"]:
			location = f"cdpj.partners.bancointer.com.br/pj-s/v2/cobv/{secrets.token_hex(16)}"
			charge["pix"] = {
				"txid": nosso + secrets.token_hex(10),
				"pixCopiaECola": febraban.pix_payload(
					location, "EMPRESA TESTE LTDA", "BELO HORIZONTE", "BR.GOV.BCB.PIX"
				),
			}

	def _view(self, charge: dict) -> dict:
		view = {"cobranca": dict(charge["cobranca"])}
		for part in ("boleto", "pix"):
			if part in charge:
				view[part] = dict(charge[part])
		return view

	def query(self, request: Recorded, codigo: str) -> Reply:
		charge = self.charges.get(codigo)
		if charge is None:
			return problem(404, "Cobrança não encontrada", "Não há cobrança com este código de solicitação.")
		self._issue(charge)
		return Reply(200, self._view(charge))

	def list(self, request: Recorded, _id=None) -> Reply:
		start, end = _iso(request.query.get("dataInicial")), _iso(request.query.get("dataFinal"))
		if start is None or end is None:
			return problem(400, "Período obrigatório", "dataInicial e dataFinal são obrigatórios.")
		field = {"EMISSAO": "dataEmissao", "PAGAMENTO": "dataSituacao"}.get(
			request.query.get("filtrarDataPor", ""), "dataVencimento"
		)
		seu = request.query.get("seuNumero")
		found = []
		for charge in self.charges.values():
			self._issue(charge)
			c = charge["cobranca"]
			if start.isoformat() <= c[field] <= end.isoformat() and (seu is None or c["seuNumero"] == seu):
				found.append(self._view(charge))
		return Reply(
			200,
			{
				"totalPaginas": 1,
				"totalElementos": len(found),
				"ultimaPagina": True,
				"primeiraPagina": True,
				"tamanhoPagina": 100,
				"numeroDeElementos": len(found),
				"cobrancas": found,
			},
		)

	def cancel(self, request: Recorded, codigo: str) -> Reply:
		charge = self.charges.get(codigo)
		if charge is None:
			return problem(404, "Cobrança não encontrada", "Não há cobrança com este código de solicitação.")
		reason = (request.json() or {}).get("motivoCancelamento")
		if reason not in _MOTIVOS:
			return problem(
				400,
				"Requisição inválida",
				"Motivo inválido.",
				[("motivoCancelamento", "valor inválido", str(reason))],
			)
		c = charge["cobranca"]
		if c["situacao"] not in ("A_RECEBER", "ATRASADO", "EM_PROCESSAMENTO"):
			return problem(400, "Cobrança não pode ser cancelada", f"Situação atual: {c['situacao']}.")
		c.update(situacao="CANCELADO", dataSituacao=self.sim.today.isoformat())
		return Reply(202)

	def webhook(self, request: Recorded, _id=None) -> Reply:
		if request.method == "PUT":
			url = (request.json() or {}).get("webhookUrl", "")
			if not str(url).startswith("https://"):
				return problem(400, "URL inválida", "A URL do webhook deve começar com https://.")
			self.webhook_config = {
				"webhookUrl": url,
				"criacao": f"{self.sim.today.isoformat()}T12:00:00.000Z",
			}
			return Reply(204)
		if self.webhook_config is None:
			return problem(404, "Webhook não encontrado", "Não há webhook cadastrado.")
		if request.method == "DELETE":
			self.webhook_config = None
			return Reply(204)
		return Reply(200, dict(self.webhook_config))

	# -- test controls ---------------------------------------------------------------------------------------
	def pay(self, codigo: str, *, origin: str = "PIX", amount=None, at: datetime | None = None) -> list:
		"""Settle the charge and deliver the callback (when a webhook is registered); returns the payload."""
		with self.sim._state:
			charge = self.charges[codigo]
			self._issue(charge)
			c = charge["cobranca"]
			at = at or datetime.now(timezone.utc)
			value = f"{Decimal(str(amount or c['valorNominal'])):.2f}"
			c.update(
				situacao="RECEBIDO",
				dataSituacao=at.date().isoformat(),
				valorTotalRecebido=value,
				origemRecebimento=origin,
			)
			payload = [
				{
					"codigoSolicitacao": codigo,
					"seuNumero": c["seuNumero"],
					"situacao": "RECEBIDO",
					"dataHoraSituacao": at.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
					"valorTotalRecebido": value,
					"origemRecebimento": origin,
					**charge.get("boleto", {}),
					**charge.get("pix", {}),
				}
			]
		self.deliver(payload)
		return payload

	def deliver(self, payload: list) -> int | None:
		"""POST ``payload`` to the registered webhook (mTLS with Inter's client certificate)."""
		if self.webhook_config is None:
			return None
		target = urlsplit(self.webhook_config["webhookUrl"])
		connection = http.client.HTTPSConnection(
			target.hostname, target.port, context=self.sim.pki.client_context(), timeout=10
		)
		try:
			path = target.path + (f"?{target.query}" if target.query else "")
			connection.request("POST", path, json.dumps(payload), {"Content-Type": "application/json"})
			status = connection.getresponse().status
		finally:
			connection.close()
		self.deliveries.append((status, payload))
		return status
