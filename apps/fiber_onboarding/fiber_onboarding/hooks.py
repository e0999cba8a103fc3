app_name = "fiber_onboarding"
app_title = "Fiber Onboarding"
app_publisher = "fiber_onboarding developers"
app_description = "B2B fiber-link onboarding for Brazilian ISPs: proposal to active circuit"
app_email = "dev@fiber-onboarding.invalid"
app_license = "MIT"

required_apps = ["frappe/erpnext"]

# ---------------------------------------------------------------------------------------------------------------
# Install, migrate and tests
# ---------------------------------------------------------------------------------------------------------------
before_install = "fiber_onboarding.setup.install.check_versions"
after_install = "fiber_onboarding.setup.install.after_install"
before_migrate = "fiber_onboarding.setup.install.check_versions"
after_migrate = "fiber_onboarding.setup.install.after_migrate"
before_tests = "fiber_onboarding.setup.install.before_tests"
before_uninstall = "fiber_onboarding.setup.install.before_uninstall"

export_python_type_annotations = True

# ---------------------------------------------------------------------------------------------------------------
# Permissions: a portal customer sees only the records of the Customer they are a portal user of
# ---------------------------------------------------------------------------------------------------------------
CUSTOMER_SCOPED_DOCTYPES = (
	"Fiber Onboarding",
	"Fiber Proposal",
	"Fiber Boleto",
	"Fiber Contract",
	"Fiber Project",
	"Site Visit",
	"Circuit",
)

permission_query_conditions = {
	doctype: "fiber_onboarding.permissions.get_permission_query_conditions"
	for doctype in CUSTOMER_SCOPED_DOCTYPES
}
has_permission = {
	doctype: "fiber_onboarding.permissions.has_permission" for doctype in CUSTOMER_SCOPED_DOCTYPES
}
has_website_permission = {
	doctype: "fiber_onboarding.permissions.has_website_permission" for doctype in CUSTOMER_SCOPED_DOCTYPES
}

# ---------------------------------------------------------------------------------------------------------------
# Scheduler (the test runner disables the scheduler: tests call these functions directly)
# ---------------------------------------------------------------------------------------------------------------
scheduler_events = {
	"hourly": [
		"fiber_onboarding.tasks.sweep_sla",
		"fiber_onboarding.tasks.send_due_projects",
		"fiber_onboarding.tasks.close_test_phases",
		# boletos registered through the bank's API: payments (BB has no webhook; Inter's lost notices)
		"fiber_onboarding.fiber_billing.boleto_service.bank_payments.poll_bank_payments",
	],
	"cron": {
		# Bank API: registrations the bank did not take yet (backoff per boleto) and pending write-offs
		"*/5 * * * *": [
			"fiber_onboarding.fiber_billing.boleto_service.api_registration.retry_due_registrations",
			"fiber_onboarding.fiber_billing.boleto_service.bank_payments.retry_write_offs",
		],
		# production sites (site config fo_scheduled_backups): bench backup --with-files every 6 hours, on the
		# long queue (setup/backups.py)
		"0 */6 * * *": ["fiber_onboarding.setup.backups.enqueue_scheduled_backup"],
	},
	"daily": [
		"fiber_onboarding.tasks.expire_boletos",
		"fiber_onboarding.tasks.send_remessas",
		"fiber_onboarding.fiber_onboarding.onboarding_service.expire_proposals",
	],
}

# ---------------------------------------------------------------------------------------------------------------
# Process gates: every workflow state change is checked against core.process (once per save, even when the
# controller already called enforce_gates)
# ---------------------------------------------------------------------------------------------------------------
doc_events = {
	doctype: {"validate": "fiber_onboarding.utils.gates.enforce_gates"}
	for doctype in ("Fiber Proposal", "Fiber Contract", "Fiber Project", "Circuit")
}
# signed-contract trust roots: a root whose file does not match its SHA-256 pin is refused on save
doc_events["Fiber Onboarding Settings"] = {
	"validate": "fiber_onboarding.fiber_contracts.trust_roots.validate_trust_roots"
}
# The case listens to its children: each change of one of them recomputes the case's links, milestones, stage
# and SLA (fiber_onboarding.case_events); no service writes the case
for _child in ("Fiber Boleto", "Fiber Contract", "Fiber Project", "Site Visit", "Circuit"):
	doc_events.setdefault(_child, {})["on_change"] = (
		"fiber_onboarding.fiber_onboarding.case_events.child_changed"
	)

# ---------------------------------------------------------------------------------------------------------------
# Portal
# ---------------------------------------------------------------------------------------------------------------
portal_menu_items = [
	{"title": "Minhas ativações", "route": "/ativacoes", "role": "Fiber Customer"},
]

website_route_rules = [
	{"from_route": "/ativacoes/<name>", "to_route": "ativacoes/caso"},
]

role_home_page = {"Fiber Customer": "ativacoes"}

# ---------------------------------------------------------------------------------------------------------------
# Security: deny by default for visitors and portal customers (security/allowlist.py names every method they may
# call); the gate runs as an auth hook, i.e. after API-key/token authentication has set the request's user
# ---------------------------------------------------------------------------------------------------------------
auth_hooks = ["fiber_onboarding.security.gate.check_request"]
after_request = ["fiber_onboarding.security.responses.after_request"]
override_whitelisted_methods = {
	# the same answer whether the account exists or not (Frappe's own says "not found")
	"frappe.core.doctype.user.user.reset_password": "fiber_onboarding.security.overrides.reset_password",
	# a 400 instead of a server error when neither the link's key nor the current password is sent
	"frappe.core.doctype.user.user.update_password": "fiber_onboarding.security.overrides.update_password",
}

# ---------------------------------------------------------------------------------------------------------------
# Print formats (Fiber Field reports): helpers callable from Jinja
# ---------------------------------------------------------------------------------------------------------------
jinja = {
	"methods": [
		f"fiber_onboarding.fiber_field.printing.{name}"
		for name in (
			"fo_date",
			"fo_datetime",
			"fo_cnpj",
			"fo_dbm",
			"fo_photo_src",
			"fo_implementation_data",
			"fo_visit_type",
			"fo_task_status",
			"fo_user_name",
		)
	]
	# contract print format (Fiber Contracts): Brazilian masks and money
	+ [
		f"fiber_onboarding.fiber_contracts.printing.{name}"
		for name in ("fo_brl", "fo_cnpj", "fo_cpf", "fo_cep")
	],
}
