"""Circuit: the delivered link (identifier, bandwidth, VLAN, IP block, CPE, terminations, splices, optical power
readings) and its lifecycle. Each reading's Pass/Fail is computed by ``core.optical`` from the settings' window."""

import ipaddress

import frappe
from frappe import _
from frappe.model.document import Document

from fiber_onboarding.core import optical
from fiber_onboarding.core.process import CircuitState
from fiber_onboarding.fiber_field.common import (
	enforce_process_gates,
	guard_service_states,
	setting,
)

SERVICE_STATES = {CircuitState.TESTING: "Send Implementation Report", CircuitState.ACTIVE: "Activate"}


class CircuitError(frappe.ValidationError):
	pass


def power_thresholds() -> optical.Thresholds:
	try:
		return optical.thresholds(setting("min_rx_power_dbm", -25), setting("max_rx_power_dbm", -8))
	except optical.OpticalError as e:
		frappe.throw(str(e), CircuitError, title=_("Fiber Onboarding Settings"))


class Circuit(Document):
	def validate(self):
		if self.onboarding:
			self.customer = (
				frappe.db.get_value("Fiber Onboarding", self.onboarding, "customer") or self.customer
			)
		self.validate_network()
		self.set_reading_results()
		self.validate_problem()
		if not (
			self.workflow_state == CircuitState.ACTIVE
			and self.get_doc_before_save()
			and self.get_doc_before_save().workflow_state == CircuitState.OFFLINE
		):
			guard_service_states(self, SERVICE_STATES)
		enforce_process_gates(self)

	def validate_network(self):
		if self.vlan and not 1 <= int(self.vlan) <= 4094:
			frappe.throw(_("The VLAN must be between 1 and 4094."), CircuitError)
		if self.ip_block:
			try:
				self.ip_block = str(ipaddress.ip_network(self.ip_block.strip(), strict=True))
			except ValueError:
				frappe.throw(
					_(
						"Invalid IP block {0}: use the network address and prefix, e.g. 200.160.2.0/29."
					).format(self.ip_block),
					CircuitError,
				)
		if self.bandwidth_mbps is not None and int(self.bandwidth_mbps) < 0:
			frappe.throw(_("The bandwidth cannot be negative."), CircuitError)

	def set_reading_results(self):
		limits = power_thresholds()
		readings = []
		for row in self.readings:
			try:
				result = optical.check_reading(row.point, row.power_dbm, limits)
			except optical.OpticalError as e:
				frappe.throw(_("Row {0}: {1}").format(row.idx, str(e)), CircuitError)
			row.result = result.result
			readings.append((row.point, row.power_dbm))
		self.readings_verdict = (
			("Pass" if optical.evaluate(readings, limits).ok else "Fail") if readings else ""
		)

	def reading_problems(self) -> list[str]:
		"""pt-BR reasons the readings block activation (empty: they pass)."""
		return list(
			optical.evaluate([(r.point, r.power_dbm) for r in self.readings], power_thresholds()).problems
		)

	def validate_problem(self):
		if self.problem_resolved and not self.problem_reported:
			self.problem_resolved = 0

	@property
	def has_open_problem(self) -> bool:
		return bool(self.problem_reported and not self.problem_resolved)
