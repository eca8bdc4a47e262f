// The planning workspace's words (program and capacity pages), added to the shared table.
Object.assign(window.KT_TEXT.nb, {
  w_program: "Ukeprogram", w_week: "Uke fra", w_show: "Vis", w_propose: "Foreslå",
  w_capacity: "Kapasitet", w_board: "Tavle", w_compare: "Forslag mot publisert",
  w_no_proposal: "Ingen forslag ennå", w_pin: "Fest", w_remove: "Ta ut", w_repropose: "Foreslå på nytt",
  w_publish: "Publiser", w_published: "Versjon {v} er publisert", w_kpi: "Nøkkeltall",
  w_current: "Publisert", w_proposal: "Forslag", w_moved: "Flyttet", w_added: "Nye", w_removed_n: "Tatt ut",
  w_told: "Pasienter som har fått dato og blir berørt", w_none: "ingen",
  k_planned_utilisation: "Planlagt utnyttelse", k_overrun_chance: "Risiko for overtid (snitt)",
  k_deadline_breaches: "Fristbrudd", k_mean_wait_days: "Ventetid (dager, snitt)", k_cases: "Operasjoner",
  k_feasible: "Gyldig (check)", w_late: "etter frist", w_not_ready: "ikke klar", w_pinned: "festet",
  w_deadline: "frist", w_selected: "Valgt: {c}", w_running: "{m} ({p} %)", w_job_failed: "Jobben feilet: {e}",
  w_capacity_title: "Kapasitet", w_weeks: "Uker", w_plan: "Planlegg", w_scenarios: "Scenarier",
  w_simulate: "Simuler", w_replications: "Replikasjoner", w_specialty: "Fagområde",
  w_sessions: "Økter", w_need: "Behov (ops.)", w_capacity_ops: "Kapasitet (ops.)",
  w_deadline_gap: "Etter frist", w_now_late: "Nå etter frist", w_budget: "Budsjett", w_vs_budget: "Mot budsjett",
  w_location: "Sted", w_scenario: "Scenario", w_baseline: "Dagens økter", w_rules: "Lokale regler",
  w_differences: "Der stedene er ulike"
});
Object.assign(window.KT_TEXT.en, {
  w_program: "Week program", w_week: "Week from", w_show: "Show", w_propose: "Propose",
  w_capacity: "Capacity", w_board: "Board", w_compare: "Proposal against published",
  w_no_proposal: "No proposal yet", w_pin: "Pin", w_remove: "Remove", w_repropose: "Propose again",
  w_publish: "Publish", w_published: "Version {v} is published", w_kpi: "KPIs",
  w_current: "Published", w_proposal: "Proposal", w_moved: "Moved", w_added: "Added", w_removed_n: "Taken out",
  w_told: "Patients told a date who are affected", w_none: "none",
  k_planned_utilisation: "Planned utilisation", k_overrun_chance: "Overrun chance (mean)",
  k_deadline_breaches: "Deadline breaches", k_mean_wait_days: "Waiting time (days, mean)", k_cases: "Operations",
  k_feasible: "Valid (check)", w_late: "past deadline", w_not_ready: "not ready", w_pinned: "pinned",
  w_deadline: "deadline", w_selected: "Selected: {c}", w_running: "{m} ({p} %)", w_job_failed: "The job failed: {e}",
  w_capacity_title: "Capacity", w_weeks: "Weeks", w_plan: "Plan", w_scenarios: "Scenarios",
  w_simulate: "Simulate", w_replications: "Replications", w_specialty: "Specialty",
  w_sessions: "Sessions", w_need: "Need (ops)", w_capacity_ops: "Capacity (ops)",
  w_deadline_gap: "Past deadline", w_now_late: "Now past deadline", w_budget: "Budget", w_vs_budget: "Against budget",
  w_location: "Location", w_scenario: "Scenario", w_baseline: "Current sessions", w_rules: "Local rules",
  w_differences: "Where the locations differ"
});
