import frappe
from frappe import _
from frappe.model.document import Document


class SettingsError(frappe.ValidationError):
	pass


class FiberOnboardingSettings(Document):
	def validate(self):
		if self.min_rx_power_dbm is not None and self.max_rx_power_dbm is not None:
			if float(self.min_rx_power_dbm) >= float(self.max_rx_power_dbm):
				frappe.throw(
					_("The minimum RX power must be lower than the maximum RX power."),
					SettingsError,
					title=_("Invalid settings"),
				)
		if self.at_risk_share is not None and not (0 < float(self.at_risk_share) <= 100):
			frappe.throw(
				_("The at-risk share must be between 1 and 100%."), SettingsError, title=_("Invalid settings")
			)
