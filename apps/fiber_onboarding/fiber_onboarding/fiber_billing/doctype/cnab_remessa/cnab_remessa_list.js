frappe.listview_settings["CNAB Remessa"] = {
	get_indicator(doc) {
		return doc.status === "Sent" ? [__("Sent"), "green", "status,=,Sent"] : [__("Generated"), "blue", "status,=,Generated"];
	},
	onload(listview) {
		listview.page.add_inner_button(__("Generate Remittance"), () => {
			frappe.prompt(
				[
					{
						fieldname: "agreement",
						fieldtype: "Link",
						options: "Fiber Bank Agreement",
						label: __("Bank Agreement"),
						reqd: 1,
						get_query: () => ({ filters: { is_active: 1 } }),
					},
				],
				(values) => fiber_generate_remessa(values.agreement),
				__("Generate Remittance"),
				__("Generate")
			);
		});
	},
};

function fiber_generate_remessa(agreement) {
	frappe.call({
		method: "fiber_onboarding.api.boleto.generate_remessa",
		args: { agreement },
		freeze: true,
		freeze_message: __("Building the remittance file..."),
		callback(r) {
			frappe.show_alert({
				message: __("Remittance {0} with {1} boletos", [r.message.name, r.message.items]),
				indicator: "green",
			});
			frappe.set_route("Form", "CNAB Remessa", r.message.name);
		},
	});
}
