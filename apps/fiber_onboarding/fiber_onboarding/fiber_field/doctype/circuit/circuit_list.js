frappe.listview_settings["Circuit"] = {
	add_fields: ["workflow_state", "readings_verdict", "problem_reported", "problem_resolved"],
	has_indicator_for_draft: 1,
	get_indicator(doc) {
		const colors = {
			Planned: "gray",
			Provisioning: "cyan",
			Testing: "pink",
			Active: "green",
			Offline: "red",
			Decommissioned: "darkgrey",
		};
		const state = doc.workflow_state || "Planned";
		if (state === "Testing" && doc.problem_reported && !doc.problem_resolved) {
			return [__("Problem Reported"), "red", "problem_reported,=,1"];
		}
		if (state === "Testing" && doc.readings_verdict === "Fail") {
			return [__("Readings Fail"), "red", "readings_verdict,=,Fail"];
		}
		return [__(state), colors[state] || "gray", "workflow_state,=," + state];
	},
};
