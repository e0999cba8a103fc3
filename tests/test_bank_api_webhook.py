"""Banco Inter charge webhook: delivery over mTLS, token authentication, parsing, replay rejection."""

import json
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest
from bank_simulator import BankSimulator, CallbackReceiver, TestPKI
from bank_simulator.scenario import INTER, registrar, title

from fiber_onboarding.adapters.banks.inter_webhook import (
	InterWebhookError,
	ReplayGuard,
	inter_webhook_url,
	parse_inter_callback,
	webhook_token,
)

SECRET = "segredo-do-webhook-do-convenio"
PAID_AT = datetime(2026, 3, 9, 15, 30, tzinfo=timezone.utc)


@pytest.fixture
def receiver(pki):
	with CallbackReceiver(pki) as running:
		yield running


def parse(hit, **kw):
	return parse_inter_callback(hit.headers, hit.body, SECRET, token=hit.query.get("token"), **kw)


def test_payment_callback_end_to_end_and_replay(sim, receiver):
	url = inter_webhook_url(receiver.url + "/api/method/inter_webhook?agreement=CONV-1", SECRET)
	with registrar(sim, "inter") as inter:
		inter.register_webhook(url)
		assert inter.webhook()["webhookUrl"] == url
		charge = inter.register(title(INTER, 42))
	payload = sim.inter.pay(charge.bank_reference, origin="PIX", at=PAID_AT)
	assert receiver.received.is_set() and sim.inter.deliveries[-1][0] == 200
	hit = receiver.requests[0]
	assert hit.peer == "inter-webhook-client"  # Inter's client certificate reached the receiver
	assert hit.query["agreement"] == "CONV-1"
	notices = parse(hit)
	assert len(notices) == 1
	notice = notices[0]
	assert (notice.bank_reference, notice.seu_numero, notice.status, notice.channel) == (
		charge.bank_reference,
		"42",
		"paid",
		"PIX",
	)
	assert (notice.amount, notice.occurred_at) == (Decimal("1500.00"), PAID_AT)
	assert notice.nosso_numero == charge.nosso_numero and notice.txid == charge.pix_txid
	guard = ReplayGuard()
	assert guard.fresh(notices, now=PAID_AT + timedelta(minutes=1)) == notices
	sim.inter.deliver(payload)  # Inter retries the same callback (or someone replays it)
	replayed = parse(receiver.requests[1])
	assert replayed == notices and guard.fresh(replayed, now=PAID_AT + timedelta(minutes=20)) == []


def test_token_is_required_and_checked(receiver):
	body = json.dumps([{"codigoSolicitacao": "c1", "situacao": "RECEBIDO"}])
	headers = {"Content-Type": "application/json"}
	for token in (None, "", "0" * 64, webhook_token("outro-segredo")):
		with pytest.raises(InterWebhookError) as err:
			parse_inter_callback(headers, body, SECRET, token=token)
		assert err.value.code == "auth" and "token" in str(err.value)
	assert parse_inter_callback(headers, body, SECRET, token=webhook_token(SECRET))[0].status == "paid"
	with pytest.raises(InterWebhookError, match="https"):
		inter_webhook_url("http://erp.example/hook", SECRET)
	assert inter_webhook_url("https://erp.example/hook", SECRET).endswith("?token=" + webhook_token(SECRET))


def test_client_certificate_header_when_required():
	body = json.dumps([{"codigoSolicitacao": "c1", "situacao": "RECEBIDO"}])
	token = webhook_token(SECRET)
	with pytest.raises(InterWebhookError) as err:
		parse_inter_callback({}, body, SECRET, token=token, require_client_cert=True)
	assert err.value.code == "certificate"
	verified = {"x-ssl-client-verify": "SUCCESS"}
	assert parse_inter_callback(verified, body, SECRET, token=token, require_client_cert=True)


@pytest.mark.parametrize(
	"body, headers, message",
	[
		(b"not json", {}, "não é um JSON"),
		(b"[]", {"Content-Type": "text/html"}, "tipo de conteúdo"),
		(json.dumps([{"situacao": "RECEBIDO"}]), {}, "sem codigoSolicitacao"),
		(
			json.dumps([{"codigoSolicitacao": "c", "situacao": "RECEBIDO", "valorTotalRecebido": "x"}]),
			{},
			"Valor",
		),
		(
			json.dumps([{"codigoSolicitacao": "c", "situacao": "RECEBIDO", "dataHoraSituacao": "ontem"}]),
			{},
			"Data",
		),
		(b"[" + b" " * 1_000_001 + b"]", {}, "grande demais"),
	],
)
def test_malformed_callbacks_are_refused_whole(body, headers, message):
	with pytest.raises(InterWebhookError, match=message) as err:
		parse_inter_callback(headers, body, SECRET, token=webhook_token(SECRET))
	assert err.value.code == "payload"


def test_states_and_stale_notices():
	items = [
		{"codigoSolicitacao": "a", "situacao": "CANCELADO", "dataHoraSituacao": "2026-03-01T10:00:00Z"},
		{"codigoSolicitacao": "b", "situacao": "EXPIRADO", "dataHoraSituacao": "2026-01-01T10:00:00.000Z"},
		{"codigoSolicitacao": "c", "situacao": "NOVA_SITUACAO"},
	]
	notices = parse_inter_callback({}, json.dumps(items), SECRET, token=webhook_token(SECRET))
	assert [n.status for n in notices] == ["cancelled", "cancelled", "unknown"]
	assert len({n.idempotency_key for n in notices}) == 3
	store = set()
	guard = ReplayGuard(store, max_age=timedelta(days=30))
	fresh = guard.fresh(notices, now=datetime(2026, 3, 9, tzinfo=timezone.utc))
	assert [n.bank_reference for n in fresh] == ["a", "c"]  # b is older than 30 days
	assert store == {notices[0].idempotency_key, notices[2].idempotency_key}
