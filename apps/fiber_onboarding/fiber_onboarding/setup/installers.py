"""What install and migrate create when it is missing, in order. Idempotent: existing records are never overwritten.

``install`` (the install/migrate hooks), the test-site setup and the demo site all run ``ensure_setup``.
"""

import frappe

# Each installer creates what is missing and leaves existing records alone. Order matters: roles before
# workflows (transitions name roles), workflow states/actions before workflows, templates before settings.
INSTALLERS = (
	"fiber_onboarding.setup.roles.ensure_roles",
	"fiber_onboarding.setup.email_templates.ensure_email_templates",
	"fiber_onboarding.setup.workflows.ensure_workflows",
	"fiber_onboarding.setup.settings.ensure_settings",
	"fiber_onboarding.setup.shipped_roots.ensure_shipped_trust_roots",
	"fiber_onboarding.setup.desk.ensure_desk",
)


def ensure_setup():
	for path in INSTALLERS:
		frappe.get_attr(path)()
