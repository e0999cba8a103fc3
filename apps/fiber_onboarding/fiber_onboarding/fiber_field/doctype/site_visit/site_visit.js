// Site Visit: photo report for the prior visit (rendered and e-mailed by a background job).
frappe.realtime.on("fo_field_report", (data) => {
	if (!data || data.doctype !== "Site Visit") return;
	if (data.ok) {
		frappe.show_alert({ message: __("Report sent: {0}", [data.name]), indicator: "green" });
	} else {
		frappe.msgprint({ title: __("The report was not sent"), message: data.message, indicator: "red" });
	}
	const frm = window.cur_frm;
	if (frm && frm.doc && frm.doc.doctype === data.doctype && frm.doc.name === data.name) frm.reload_doc();
});

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
					}).then(() =>
						frappe.show_alert({ message: __("Generating the report..."), indicator: "blue" })
					)
				);
			});
		}
		if (frm.doc.visit_type === "Internal Survey" && frm.doc.status === "Done" && frm.doc.project) {
			frappe.db.get_value("Fiber Project", frm.doc.project, "workflow_state").then((r) => {
				if (!r.message || r.message.workflow_state !== "Approved") return;
				frm.add_custom_button(
					__("Register Internal Passage ({0})", [frappe.datetime.str_to_user(frm.doc.done_on)]),
					() =>
						frappe.call({
							method: "fiber_onboarding.fiber_field.api.register_internal_passage",
							args: { name: frm.doc.project, passage_date: frm.doc.done_on },
							freeze: true,
							callback: () => frappe.set_route("Form", "Fiber Project", frm.doc.project),
						})
				);
			});
		}
		if (frm.doc.project) {
			frm.add_custom_button(__("Project"), () => frappe.set_route("Form", "Fiber Project", frm.doc.project), __("View"));
		}
	},
});
