frappe.ui.form.on("Fiber Bank Agreement", {
	setup(frm) {
		frm.set_query("bank_account", () => ({
			filters: { company: frm.doc.company, account_type: "Bank", is_group: 0 },
		}));
	},
	refresh(frm) {
		if (frm.is_new() || !frm.doc.is_active) return;
		frm.add_custom_button(__("Generate Remittance"), () => {
			frappe.call({
				method: "fiber_onboarding.api.boleto.generate_remessa",
				args: { agreement: frm.doc.name },
				freeze: true,
				freeze_message: __("Building the remittance file..."),
				callback(r) {
					frappe.set_route("Form", "CNAB Remessa", r.message.name);
				},
			});
		});
	},
});
