"""Sites created in Frappe's default time zone and switched to Brazil's afterwards carry timestamps in the
future (scheduled jobs would not run for hours): move them back."""

from fiber_onboarding.setup.site_clock import correct_framework_default_zone


def execute():
	correct_framework_default_zone()
