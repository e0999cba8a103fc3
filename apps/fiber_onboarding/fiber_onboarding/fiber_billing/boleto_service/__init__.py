"""The setup-fee boleto's life cycle, one room per step (steps 2 and 3 of the process).

- ``issue``: the invoice and the boleto at registration, its e-mail (step 2);
- ``api_registration``: online registration through the bank's API at issue (codes, Pix, retries);
- ``bank_payments``: the bank API's payments (Inter webhook, periodic query) and write-offs (baixa);
- ``remessa``: the remittance file of the boletos not yet sent (Finance's button and the daily job);
- ``retorno``: the bank's return file, read whole, then applied in a background job;
- ``retorno_items``: one line of a return applied in its own savepoint (its outcome, or a Finance Exception);
- ``payment``: a boleto paid (bank return, Finance's confirmation, accepted overpayment) (step 3);
- ``expiry_and_reissue``: expiry after the due date and Finance's reissue;
- ``finance_exceptions``: money that cannot be applied, recorded and e-mailed to Finance;
- ``shared``: errors, money, settings, the agreement and the boleto row lock.

The arithmetic (barcode, linha digitável, CNAB 240/400 files of six banks) is the core's (``core.boleto``,
``core.cnab``); ERPNext documents and bank files go through ``adapters``; the boleto's print is
``fiber_billing.boleto_render``.
Paying is idempotent twice over: a return file with the same SHA-256 is refused (``CNAB Retorno.file_hash`` is
unique) and a boleto already Paid is skipped under a row lock, so the same payment inside another file never
creates a second Payment Entry. No step writes the case: the case listens to its boleto (``case_events``).

This package's names below are its public surface (the whitelisted wrappers of ``api.boleto`` check permissions
first and call them); inside the app, import from the room that holds the function.
"""

from fiber_onboarding.fiber_billing.boleto_service.api_registration import (
	retry_due_registrations,
	retry_registration,
)
from fiber_onboarding.fiber_billing.boleto_service.bank_payments import poll_bank_payments
from fiber_onboarding.fiber_billing.boleto_service.expiry_and_reissue import (
	DEFAULT_EXPIRY_GRACE_DAYS,
	expire_overdue,
	expiry_grace_days,
	reissue,
)
from fiber_onboarding.fiber_billing.boleto_service.issue import issue_boleto, send_boleto_email
from fiber_onboarding.fiber_billing.boleto_service.payment import accept_overpayment, mark_paid_manually
from fiber_onboarding.fiber_billing.boleto_service.remessa import (
	build_remessa_file,
	pending_for_remessa,
	send_daily_remessas,
)
from fiber_onboarding.fiber_billing.boleto_service.retorno import (
	import_retorno,
	process_retorno,
	start_import,
)
from fiber_onboarding.fiber_billing.boleto_service.shared import (
	FINANCE_ROLES,
	AlreadyPaidError,
	BillingError,
	NothingToSendError,
)
