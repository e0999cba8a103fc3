// Circuit: readings coloured Pass/Fail, what blocks the activation, and the test-phase buttons.
const FO_CIRCUIT_API = "fiber_onboarding.fiber_field.api.";

function fo_result_formatter(value) {
	if (!value) return "";
	const color = value === "Pass" ? "green" : "red";
	return `<span class="indicator-pill ${color}">${__(value)}</span>`;
}

function fo_circuit_call(frm, method, args, message) {
	return frappe.call({
		method: FO_CIRCUIT_API + method,
		args: Object.assign({ name: frm.doc.name }, args || {}),
		freeze: true,
		freeze_message: message || __("Please wait..."),
		callback: () => frm.reload_doc(),
	});
}

function fo_power_formatter(value, df, options, doc) {
	if (value === null || value === undefined || value === "") return "";
	const text = format_number(value, null, 2) + " dBm";
	if (!doc || !doc.result) return text;
	const color = doc.result === "Pass" ? "var(--green-600)" : "var(--red-600)";
	return `<span style="color: ${color}; font-weight: 600">${text}</span>`;
}

function fo_set_reading_formatters(frm) {
	// the generic docfield and this document's copy (the grid reads the copy)
	for (const docname of [undefined, frm.doc.name]) {
		const result = frappe.meta.get_docfield("Circuit Optical Reading", "result", docname);
		const power = frappe.meta.get_docfield("Circuit Optical Reading", "power_dbm", docname);
		if (result) result.formatter = fo_result_formatter;
		if (power) power.formatter = fo_power_formatter;
	}
}

frappe.ui.form.on("Circuit", {
	onload(frm) {
		fo_set_reading_formatters(frm);
	},

	refresh(frm) {
		fo_set_reading_formatters(frm);
		frm.fields_dict.readings.grid.refresh();
		if (frm.is_new()) return;
		const state = frm.doc.workflow_state;
		const group = __("Process");
		frm.dashboard.clear_headline();

		if (frm.doc.readings_verdict) {
			frm.dashboard.add_indicator(
				frm.doc.readings_verdict === "Pass" ? __("Optical readings: pass") : __("Optical readings: fail"),
				frm.doc.readings_verdict === "Pass" ? "green" : "red"
			);
		}
		if (frm.doc.problem_reported && !frm.doc.problem_resolved) {
			frm.dashboard.add_indicator(__("Problem reported by the customer"), "red");
		}

		if (state === "Testing") {
			if (frm.doc.test_ends_at) {
				frm.dashboard.add_indicator(
					__("Test phase ends {0}", [frappe.datetime.str_to_user(frm.doc.test_ends_at)]),
					"orange"
				);
			}
			frappe
				.call({ method: FO_CIRCUIT_API + "activation_status", args: { name: frm.doc.name } })
				.then((r) => {
					const blockers = (r.message && r.message.blockers) || [];
					if (blockers.length) {
						frm.dashboard.set_headline_alert(
							`<b>${__("Activation blocked")}</b><br>${blockers.join("<br>")}`,
							"orange"
						);
					} else {
						frm.dashboard.set_headline_alert(__("Nothing blocks the activation."), "green");
					}
				});

			frm.add_custom_button(__("Activate"), () => fo_circuit_call(frm, "activate"), group);
			frm.add_custom_button(
				__("Early Close"),
				() => {
					frappe.prompt(
						[{ fieldname: "reason", fieldtype: "Small Text", label: __("Early Close Reason"), reqd: 1 }],
						(v) => fo_circuit_call(frm, "early_close", v),
						__("Close the test phase early and activate")
					);
				},
				group
			);
			if (frm.doc.problem_reported && !frm.doc.problem_resolved) {
				frm.add_custom_button(
					__("Resolve Problem"),
					() => {
						frappe.prompt(
							[{ fieldname: "note", fieldtype: "Small Text", label: __("Resolution Note"), reqd: 1 }],
							(v) => fo_circuit_call(frm, "resolve_problem", v),
							__("Resolve Problem")
						);
					},
					group
				);
			}
		}
		if (frm.doc.project) {
			frm.add_custom_button(__("Project"), () => frappe.set_route("Form", "Fiber Project", frm.doc.project), __("View"));
		}
	},
});

frappe.ui.form.on("Circuit", {
	before_workflow_action(frm) {
		// moves with side effects go through their service, never as a bare state change
		const action = frm.selected_workflow_action;
		if (action !== "Activate" && action !== "Start Test Phase") return;
		frappe.dom.unfreeze();
		frm.selected_workflow_action = null;
		if (action === "Activate") {
			fo_circuit_call(frm, "activate");
		} else {
			frappe.msgprint(
				__("The test phase starts when the implementation report is sent from the Fiber Project.")
			);
		}
		return Promise.reject(new Error("fo: handled by the service"));
	},
});

frappe.ui.form.on("Circuit Optical Reading", {
	readings_add(frm, cdt, cdn) {
		frappe.model.set_value(cdt, cdn, "measured_on", frappe.datetime.now_datetime());
	},
});
