"""Defaults of the Fiber Onboarding Settings single, filled only where nothing is stored yet.

Runs on install and migrate (``install.INSTALLERS``). A value staff set (even 0 or an empty table) is never
touched: a field counts as empty only when the single has no stored value for it or the stored value is "".
"""

import frappe

SETTINGS = "Fiber Onboarding Settings"

# Field -> default. Only fields the DocType actually has are written.
DEFAULTS = {
	"subdivision": "SP",
	"boleto_due_days": 5,
	"boleto_expiry_grace_days": 10,  # boleto_service.expiry_and_reissue.DEFAULT_EXPIRY_GRACE_DAYS
	"fine_percent": 2,
	"monthly_interest_percent": 1,
	"test_phase_hours": 48,
	"at_risk_share": 70,
	"execution_lead_days": 3,
	"link_expiry_hours": 168,
	"max_upload_mb": 10,
	"min_rx_power_dbm": -25,
	"max_rx_power_dbm": -8,
}


def _stored(field: str):
	rows = frappe.db.sql(
		"select value from `tabSingles` where doctype=%s and field=%s", (SETTINGS, field), as_list=True
	)
	return rows[0][0] if rows else None


def _is_empty(field: str) -> bool:
	value = _stored(field)
	return value is None or value == ""


def _link_defaults() -> dict:
	"""Links that can be derived from what exists on the site."""
	from fiber_onboarding.setup.company import DEFAULT_COMPANY, SETUP_ITEM

	values = {}
	company = (
		DEFAULT_COMPANY
		if frappe.db.exists("Company", DEFAULT_COMPANY)
		else frappe.db.get_single_value("Global Defaults", "default_company")
	)
	if company:
		values["company"] = company
	if frappe.db.exists("Item", SETUP_ITEM):
		values["setup_item"] = SETUP_ITEM
	if frappe.db.exists("DocType", "Fiber Bank Agreement"):
		filters = {"company": company} if company else {}
		agreements = frappe.get_all("Fiber Bank Agreement", filters=filters, pluck="name", limit=2)
		if len(agreements) == 1:  # never guess between several agreements
			values["bank_agreement"] = agreements[0]
	return values


def ensure_settings():
	if not frappe.db.exists("DocType", SETTINGS):
		return
	meta = frappe.get_meta(SETTINGS)
	wanted = {**DEFAULTS, **_link_defaults()}
	values = {field: value for field, value in wanted.items() if meta.has_field(field) and _is_empty(field)}
	if values:
		frappe.db.set_single_value(SETTINGS, values)
		frappe.clear_document_cache(SETTINGS, SETTINGS)
	ensure_invitation_expiry()


# The portal invitation carries Frappe's set-password link; without this setting that link never expires.
INVITATION_LINK_SECONDS = 3 * 24 * 3600


def ensure_invitation_expiry():
	"""Give set-password links an expiry when the site has none (a value staff chose is kept)."""
	if not frappe.db.get_single_value("System Settings", "reset_password_link_expiry_duration"):
		frappe.db.set_single_value(
			"System Settings", "reset_password_link_expiry_duration", INVITATION_LINK_SECONDS
		)
