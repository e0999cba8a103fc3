frappe.ui.form.on("Fiber Finance Exception", {
	refresh(frm) {
		const is_finance = ["Fiber Finance", "System Manager"].some((role) => frappe.user.has_role(role));
		if (
			!is_finance ||
			frm.doc.status !== "Open" ||
			frm.doc.exception_type !== "Amount Mismatch" ||
			!frm.doc.boleto ||
			!(frm.doc.received_amount > frm.doc.expected_amount)
		) {
			return;
		}
		frm.add_custom_button(__("Accept Payment"), () => {
			frappe.confirm(
				__("Receive {0} for boleto {1}? The amount above the boleto stays as the customer's credit.", [
					format_currency(frm.doc.received_amount, "BRL"),
					frm.doc.boleto,
				]),
				() =>
					frappe.call({
						method: "fiber_onboarding.api.boleto.accept_overpayment",
						args: { name: frm.doc.name },
						freeze: true,
						callback: () => frm.reload_doc(),
					})
			);
		});
	},
});
