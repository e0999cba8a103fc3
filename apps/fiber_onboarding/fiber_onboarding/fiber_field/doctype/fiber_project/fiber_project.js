// Fiber Project: one button per step of the process; each calls its service (never a bare workflow action).
const FO_PROJECT_API = "fiber_onboarding.fiber_field.api.";

function fo_call(frm, method, args, message) {
	return frappe.call({
		method: FO_PROJECT_API + method,
		args: Object.assign({ name: frm.doc.name }, args || {}),
		freeze: true,
		freeze_message: message || __("Please wait..."),
		callback: () => frm.reload_doc(),
	});
}

// the report job tells the user who asked for it when it is done (or why it failed)
frappe.realtime.on("fo_field_report", (data) => {
	if (!data || data.doctype !== "Fiber Project") return;
	if (data.ok) {
		frappe.show_alert({ message: __("Report sent: {0}", [data.name]), indicator: "green" });
	} else {
		frappe.msgprint({ title: __("The report was not sent"), message: data.message, indicator: "red" });
	}
	const frm = window.cur_frm;
	if (frm && frm.doc && frm.doc.doctype === data.doctype && frm.doc.name === data.name) {
		frm.reload_doc();
	}
});

frappe.ui.form.on("Fiber Project", {
	refresh(frm) {
		if (frm.is_new()) return;
		const state = frm.doc.workflow_state;
		const group = __("Process");

		frappe
			.call({ method: FO_PROJECT_API + "project_next_step", args: { name: frm.doc.name } })
			.then((r) => {
				const info = r.message || {};
				if (!info.step) {
					frm.dashboard.clear_headline();
					return;
				}
				const problems = info.problems || [];
				if (problems.length) {
					frm.dashboard.set_headline_alert(
						`<b>${__("Next step: {0}", [__(info.step)])}</b><br>${problems.join("<br>")}`,
						"orange"
					);
				} else {
					frm.dashboard.set_headline_alert(__("Ready: {0}", [__(info.step)]), "green");
				}
			});

		if (state === "Drafting" || state === "Awaiting Payment") {
			frm.add_custom_button(
				__("Send Project"),
				() => {
					if (!frm.doc.project_file) {
						frappe.msgprint(__("Attach the project document before sending the project."));
						return;
					}
					frappe.confirm(__("E-mail the project to the technical contact with the approval link?"), () =>
						fo_call(frm, "send_project", {}, __("Sending the project..."))
					);
				},
				group
			);
		}
		if (["Drafting", "Sent", "Approved"].includes(state)) {
			frm.add_custom_button(
				__("Prior Visit"),
				() => {
					frappe.prompt(
						[{ fieldname: "scheduled_date", fieldtype: "Date", label: __("Scheduled Date") }],
						(v) => fo_call(frm, "request_prior_visit", v),
						__("Request Prior Visit")
					);
				},
				group
			);
		}
		if (state === "Approved") {
			frm.add_custom_button(
				__("Schedule Internal Survey"),
				() => {
					frappe.prompt(
						[
							{
								fieldname: "scheduled_date",
								fieldtype: "Date",
								label: __("Scheduled Date"),
								default: frm.doc.execution_date,
								reqd: 1,
							},
							{ fieldname: "technician", fieldtype: "Link", options: "User", label: __("Technician") },
						],
						(v) => fo_call(frm, "schedule_internal_survey", v),
						__("Schedule Internal Survey")
					);
				},
				group
			);
			frm.add_custom_button(
				__("Register Internal Passage"),
				() => {
					frappe.prompt(
						[
							{
								fieldname: "passage_date",
								fieldtype: "Date",
								label: __("Internal Passage Date"),
								default: frappe.datetime.get_today(),
								reqd: 1,
							},
						],
						(v) => fo_call(frm, "register_internal_passage", v),
						__("Register Internal Passage")
					);
				},
				group
			);
		}
		if (state === "Internal Execution") {
			frm.add_custom_button(
				__("Start External Execution"),
				() => fo_call(frm, "start_external_execution"),
				group
			);
		}
		if (state === "External Execution") {
			frm.add_custom_button(
				__("Send Implementation Report"),
				() => {
					frappe.call({
						method: FO_PROJECT_API + "implementation_report_problems",
						args: { name: frm.doc.name },
					}).then((r) => {
						const problems = r.message || [];
						if (problems.length) {
							frappe.msgprint({
								title: __("Implementation report not sent"),
								message: problems.join("<br>"),
								indicator: "orange",
							});
							return;
						}
						frappe.confirm(
							__("Send the implementation report to the customer? It starts the test phase of the circuit."),
							() =>
								frappe
									.call({
										method: FO_PROJECT_API + "send_implementation_report",
										args: { name: frm.doc.name },
										freeze: true,
									})
									.then(() =>
										frappe.show_alert({
											message: __("Generating the report..."),
											indicator: "blue",
										})
									)
						);
					});
				},
				group
			);
		}
		if (frm.doc.circuit) {
			frm.add_custom_button(__("Circuit"), () => frappe.set_route("Form", "Circuit", frm.doc.circuit), __("View"));
		}
		frm.add_custom_button(
			__("Site Visits"),
			() => frappe.set_route("List", "Site Visit", { project: frm.doc.name }),
			__("View")
		);
	},
});
