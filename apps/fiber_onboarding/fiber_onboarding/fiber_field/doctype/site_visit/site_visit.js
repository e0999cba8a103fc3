// Site Visit: photo report for the prior visit.
frappe.ui.form.on("Site Visit", {
	refresh(frm) {
		if (frm.is_new()) return;
		if (frm.doc.visit_type === "Prior Visit" && frm.doc.status === "Done" && !frm.doc.photo_report_sent_on) {
			frm.add_custom_button(__("Send Photo Report"), () => {
				frappe.confirm(__("E-mail the photo report (PDF) to the customer?"), () =>
					frappe.call({
						method: "fiber_onboarding.fiber_field.api.send_photo_report",
						args: { name: frm.doc.name },
						freeze: true,
						freeze_message: __("Generating the report..."),
						callback: () => frm.reload_doc(),
					})
				);
			});
		}
		if (frm.doc.project) {
			frm.add_custom_button(__("Project"), () => frappe.set_route("Form", "Fiber Project", frm.doc.project), __("View"));
		}
	},
});
