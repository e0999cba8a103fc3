const FINANCE_ROLES = ["Fiber Finance", "System Manager"];

frappe.ui.form.on("Fiber Boleto", {
	refresh(frm) {
		if (frm.is_new()) return;
		const colors = {
			Draft: "gray",
			Submitted: "orange",
			Registered: "blue",
			Rejected: "red",
			Paid: "green",
			Cancelled: "darkgrey",
			Expired: "red",
		};
		frm.page.set_indicator(__(frm.doc.status), colors[frm.doc.status] || "gray");
		if (frm.doc.registration_channel === "Bank API" && frm.doc.api_state && frm.doc.api_state !== "Registered") {
			const retry = frm.doc.api_next_retry ? " " + __("Next attempt: {0}", [frappe.datetime.str_to_user(frm.doc.api_next_retry)]) : "";
			frm.dashboard.set_headline_alert(
				`<b>${__(frm.doc.api_state)}</b>: ${frappe.utils.escape_html(frm.doc.api_message || "")}${retry}`,
				frm.doc.api_state === "Waiting Retry" || frm.doc.api_state === "Registering" ? "orange" : "red"
			);
		}

		frm.add_custom_button(__("Open Boleto Page"), () => {
			window.open("/boleto?name=" + encodeURIComponent(frm.doc.name), "_blank");
		});

		const is_finance = FINANCE_ROLES.some((role) => frappe.user.has_role(role));
		if (!is_finance) return;

		if (["Submitted", "Registered", "Expired"].includes(frm.doc.status)) {
			frm.add_custom_button(__("Mark Paid Manually"), () => mark_paid(frm), __("Actions"));
		}
		if (frm.doc.status === "Submitted" && frm.doc.registration_channel === "Bank API") {
			frm.add_custom_button(
				__("Retry Registration"),
				() =>
					frappe.call({
						method: "fiber_onboarding.api.boleto.retry_registration",
						args: { name: frm.doc.name },
						freeze: true,
						callback: () => frm.reload_doc(),
					}),
				__("Actions")
			);
		}
		if (["Expired", "Rejected"].includes(frm.doc.status)) {
			frm.add_custom_button(__("Reissue"), () => reissue(frm), __("Actions"));
		}
	},
});

function mark_paid(frm) {
	const dialog = new frappe.ui.Dialog({
		title: __("Mark Paid Manually"),
		fields: [
			{
				fieldname: "amount",
				fieldtype: "Currency",
				label: __("Paid Amount"),
				options: "BRL",
				default: frm.doc.amount,
				reqd: 1,
			},
			{ fieldname: "paid_on", fieldtype: "Date", label: __("Paid On"), default: "Today", reqd: 1 },
			{ fieldname: "credit_date", fieldtype: "Date", label: __("Credit Date") },
		],
		primary_action_label: __("Confirm Payment"),
		primary_action(values) {
			frappe.call({
				method: "fiber_onboarding.api.boleto.mark_paid_manually",
				args: {
					name: frm.doc.name,
					amount: String(values.amount),
					paid_on: values.paid_on,
					credit_date: values.credit_date,
				},
				freeze: true,
				freeze_message: __("Creating the payment entry..."),
				callback() {
					dialog.hide();
					frappe.show_alert({ message: __("Boleto marked as paid"), indicator: "green" });
					frm.reload_doc();
				},
			});
		},
	});
	dialog.show();
}

function reissue(frm) {
	frappe.prompt(
		[{ fieldname: "due_date", fieldtype: "Date", label: __("New Due Date"), reqd: 1 }],
		(values) => {
			frappe.call({
				method: "fiber_onboarding.api.boleto.reissue",
				args: { name: frm.doc.name, due_date: values.due_date },
				freeze: true,
				callback(r) {
					frappe.show_alert({ message: __("New boleto {0} issued", [r.message.name]), indicator: "green" });
					frappe.set_route("Form", "Fiber Boleto", r.message.name);
				},
			});
		},
		__("Reissue"),
		__("Reissue")
	);
}
