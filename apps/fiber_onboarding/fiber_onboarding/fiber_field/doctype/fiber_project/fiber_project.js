// Fiber Project: one button per step of the process; each calls its service. The workflow's own "Actions" menu
// runs the same steps (its bare state change would skip the e-mails, dates and checks).
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

const FO_PROJECT_STEPS = {
	send_project(frm) {
		if (!frm.doc.project_file) {
			frappe.msgprint(__("Attach the project document before sending the project."));
			return;
		}
		frappe.confirm(__("E-mail the project to the technical contact with the approval link?"), () =>
			fo_call(frm, "send_project", {}, __("Sending the project..."))
		);
	},
	request_prior_visit(frm) {
		frappe.prompt(
			[{ fieldname: "scheduled_date", fieldtype: "Date", label: __("Scheduled Date") }],
			(v) => fo_call(frm, "request_prior_visit", v),
			__("Request Prior Visit")
		);
	},
	schedule_internal_survey(frm) {
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
	register_internal_passage(frm) {
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
	start_external_execution(frm) {
		fo_call(frm, "start_external_execution");
	},
	send_implementation_report(frm) {
		frappe
			.call({ method: FO_PROJECT_API + "implementation_report_problems", args: { name: frm.doc.name } })
			.then((r) => {
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
								frappe.show_alert({ message: __("Generating the report..."), indicator: "blue" })
							)
				);
			});
	},
};

// workflow action -> the step that performs it
const FO_PROJECT_ACTIONS = {
	"Send Project": "send_project",
	"Register Internal Passage": "register_internal_passage",
	"Start External Execution": "start_external_execution",
	Finish: "send_implementation_report",
};

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

function fo_show_next_step(frm) {
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
}

frappe.ui.form.on("Fiber Project", {
	refresh(frm) {
		if (frm.is_new()) return;
		const state = frm.doc.workflow_state;
		const group = __("Process");
		const button = (label, step) => frm.add_custom_button(__(label), () => FO_PROJECT_STEPS[step](frm), group);

		fo_show_next_step(frm);
		if (state === "Drafting" || state === "Awaiting Payment") button("Send Project", "send_project");
		if (["Drafting", "Sent", "Approved"].includes(state)) button("Prior Visit", "request_prior_visit");
		if (state === "Approved") {
			button("Schedule Internal Survey", "schedule_internal_survey");
			button("Register Internal Passage", "register_internal_passage");
		}
		if (state === "Internal Execution") button("Start External Execution", "start_external_execution");
		if (state === "External Execution") button("Send Implementation Report", "send_implementation_report");

		if (frm.doc.circuit) {
			frm.add_custom_button(__("Circuit"), () => frappe.set_route("Form", "Circuit", frm.doc.circuit), __("View"));
		}
		frm.add_custom_button(
			__("Site Visits"),
			() => frappe.set_route("List", "Site Visit", { project: frm.doc.name }),
			__("View")
		);
	},

	before_workflow_action(frm) {
		const step = FO_PROJECT_ACTIONS[frm.selected_workflow_action];
		if (!step) return;
		// run the step (dialog, checks, service) instead of the bare state change
		frappe.dom.unfreeze();
		frm.selected_workflow_action = null;
		FO_PROJECT_STEPS[step](frm);
		return Promise.reject(new Error("fo: handled by the step"));
	},
});
