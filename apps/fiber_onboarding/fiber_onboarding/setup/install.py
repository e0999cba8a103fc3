"""Install, migrate and test setup. Everything here is idempotent and never overwrites staff edits."""

import frappe
from frappe import _

# ensure_setup stays reachable here: patches.txt names it as fiber_onboarding.setup.install.ensure_setup
from fiber_onboarding.setup.installers import INSTALLERS, ensure_setup

SUPPORTED_MAJOR = 15


class UnsupportedVersionError(frappe.ValidationError):
	pass


def major(version: str) -> int:
	try:
		return int(str(version).split(".")[0])
	except ValueError:
		return 0


def check_versions():
	"""Refuse to install or migrate on a Frappe/ERPNext major this app was not built for."""
	import erpnext

	for app, version in (("Frappe", frappe.__version__), ("ERPNext", erpnext.__version__)):
		if major(version) != SUPPORTED_MAJOR:
			frappe.throw(
				_("fiber_onboarding supports {0} v{1} only; this site runs {0} {2}.").format(
					app, SUPPORTED_MAJOR, version
				),
				UnsupportedVersionError,
				title=_("Unsupported version"),
			)


def after_install():
	from fiber_onboarding.setup.company import TIME_ZONE
	from fiber_onboarding.setup.site_clock import adopt_time_zone

	# a new site is in Brazil's time zone from its creation (the scheduler counts from creation times)
	if not frappe.is_setup_complete():
		adopt_time_zone(TIME_ZONE)
	ensure_setup()


def after_migrate():
	ensure_setup()


def before_tests():
	"""The test runner calls only the tested app's before_tests: complete ERPNext setup, then ours."""
	from fiber_onboarding.setup.test_setup import prepare_test_site

	prepare_test_site()


def before_uninstall():
	for path in ("fiber_onboarding.setup.workflows.remove_workflows",):
		frappe.get_attr(path)()
