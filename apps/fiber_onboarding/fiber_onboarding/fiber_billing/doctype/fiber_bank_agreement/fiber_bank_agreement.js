frappe.ui.form.on("Fiber Bank Agreement", {
	setup(frm) {
		frm.set_query("bank_account", () => ({
			filters: { company: frm.doc.company, account_type: "Bank", is_group: 0 },
		}));
	},
	refresh(frm) {
		if (frm.is_new()) return;
		add_bank_api_buttons(frm);
		if (!frm.doc.is_active) return;
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

// Bank API (Fiber Finance / System Manager): "Testar conexão" obtains a token with the saved credentials
function add_bank_api_buttons(frm) {
	const is_finance = ["Fiber Finance", "System Manager"].some((role) => frappe.user.has_role(role));
	if (!is_finance || !frm.doc.api_client_id) return;
	const call = (method, message) =>
		frappe.call({
			method: "fiber_onboarding.api.bank_api." + method,
			args: { agreement: frm.doc.name },
			freeze: true,
			freeze_message: message,
		});
	frm.add_custom_button(
		__("Test Connection"),
		() => {
			if (frm.is_dirty()) {
				frappe.msgprint(__("Save the agreement before testing the connection."));
				return;
			}
			call("test_connection", __("Asking the bank for a token..."));
		},
		__("Bank API")
	);
	if (frm.doc.bank_code === "077") {
		frm.add_custom_button(
			__("Register Webhook at Inter"),
			() => call("register_inter_webhook", __("Registering the webhook...")),
			__("Bank API")
		);
	}
}
