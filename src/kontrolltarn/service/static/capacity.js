// The capacity page: the need-based session plan weeks ahead (a capacity job), demand against
// capacity per specialty and location, activity against budget, and scenarios simulated beside
// the plan with common random numbers (the job's replications run on Dask), as a chart.
"use strict";
const SIM = ["elective_operations", "mean_wait_days", "deadline_breaches", "utilisation_with_turnover"];
const SIM_TEXT = {
  nb: { elective_operations: "Elektive operasjoner", mean_wait_days: "Ventetid (dager, snitt)",
        deadline_breaches: "Fristbrudd", utilisation_with_turnover: "Utnyttelse med skift", plan: "Planen" },
  en: { elective_operations: "Elective operations", mean_wait_days: "Waiting time (days, mean)",
        deadline_breaches: "Deadline breaches", utilisation_with_turnover: "Utilisation with turnover", plan: "The plan" } };
const ARM_COLOURS = ["#7d8d9d", "#2f81f7", "#e3b341", "#3fb950", "#ff7b72", "#a371f7"];

function scenarios() {
  return [...document.querySelectorAll("#scenario-form tr.sc")].map(tr => {
    const v = n => tr.querySelector(`[name=${n}]`).value.trim();
    const sc = { name: v("name") };
    if (v("location_id")) sc.location_id = v("location_id");
    if (v("weekday") !== "") sc.weekday = Number(v("weekday"));
    sc.extra_rooms = Number(v("extra_rooms") || 0);
    sc.factor = Number(v("factor") || 1);
    const weeks = v("weeks").match(/^(\d+)(?:-(\d+))?$/);
    if (weeks) { sc.first_week = Number(weeks[1]); sc.last_week = Number(weeks[2] || weeks[1]); }
    return sc;
  }).filter(sc => sc.name);
}

// grouped bars with 95 % intervals: one group per KPI, one bar per arm
function scenarioChart(sim) {
  const W = 900, H = 70, pad = 190;
  let svg = "", y = 0;
  for (const k of SIM) {
    const row = sim.kpis[k];
    const top = Math.max(...sim.arms.map(a => row[a].high), 1e-9);
    const scale = v => pad + (W - pad - 70) * v / top;
    svg += `<text x="0" y="${y + 14}" class="clabel">${esc(SIM_TEXT[ktLang()][k])}</text>`;
    sim.arms.forEach((a, i) => {
      const r = row[a], by = y + 4 + i * 14;
      const pctk = k.startsWith("utilisation");
      const val = pctk ? `${fmt(r.mean * 100, 1)} %` : fmt(r.mean, 1);
      svg += `<rect data-arm="${esc(a)}" data-kpi="${k}" x="${pad}" y="${by}" width="${Math.max(1, scale(r.mean) - pad)}" height="11" fill="${ARM_COLOURS[i % ARM_COLOURS.length]}"></rect>` +
        `<line x1="${scale(r.low)}" x2="${scale(r.high)}" y1="${by + 5.5}" y2="${by + 5.5}" stroke="#e6edf3"></line>` +
        `<text x="${scale(r.high) + 4}" y="${by + 10}" class="cval">${val}</text>`;
    });
    y += 8 + sim.arms.length * 14 + 10;
  }
  const legend = sim.arms.map((a, i) => `<span class="lg" style="background:${ARM_COLOURS[i % ARM_COLOURS.length]}"></span>` +
    `${esc(a === "plan" ? SIM_TEXT[ktLang()].plan : a)} (${sim.sessions[a]} ${t("w_sessions").toLowerCase()})`).join(" ");
  return `<p class="legend">${legend} · n = ${sim.seeds.length}, 95 %</p><svg id="scenarios" viewBox="0 0 ${W} ${y}" width="100%">${svg}</svg>`;
}

function needChart(weekly) {
  // per specialty: need due by the end of the horizon against the plan's capacity (minutes)
  const rows = Object.entries(weekly).map(([s, w]) => [s, w[w.length - 1][0], w[w.length - 1][1]]);
  const top = Math.max(...rows.flatMap(r => [r[1], r[2]]), 1);
  return `<p class="legend"><span class="lg" style="background:#c96"></span>${t("w_need_bar")} <span class="lg" style="background:#6a8caf"></span>${t("w_capacity_bar")}</p><div class="bars">` + rows.map(([s, need, cap]) =>
    `<span>${esc(s)}</span><span><div class="bar need" style="width:${need / top * 100}%"></div>` +
    `<div class="bar" style="width:${cap / top * 100}%"></div></span><span>${fmt(cap / Math.max(need, 1) * 100, 0)} %</span>`).join("") + `</div>`;
}

function render(result) {
  const g = result.gaps;
  $("#gaps").innerHTML = `<table class="grid" id="gap-table"><tr><th>${t("w_specialty")}</th><th>${t("w_baseline")}</th>` +
    `<th>${t("w_sessions")}</th><th>${t("w_need")}</th><th>${t("w_capacity_ops")}</th><th>${t("w_deadline_gap")}</th>` +
    `<th>${t("w_now_late")}</th><th>${t("w_budget")}</th><th>${t("w_vs_budget")}</th></tr>` +
    g.map(r => `<tr data-specialty="${esc(r.specialty)}"><td>${esc(r.specialty)}</td><td>${r.current_sessions ?? ""}</td><td>${r.planned_sessions}</td>` +
      `<td>${fmt(r.due_cases, 0)}</td><td>${fmt(r.capacity_cases, 0)}</td><td>${fmt(r.deadline_gap_cases, 0)}</td>` +
      `<td>${r.current_deadline_gap_cases == null ? "" : fmt(r.current_deadline_gap_cases, 0)}</td><td>${fmt(r.budget_cases, 0)}</td>` +
      `<td>${r.budget_gap_cases > 0 ? "+" : ""}${fmt(r.budget_gap_cases, 0)}</td></tr>`).join("") + `</table>`;
  $("#need-chart").innerHTML = needChart(result.weekly);
  $("#by-location").innerHTML = `<table class="grid"><tr><th>${t("w_location")}</th><th>${t("w_specialty")}</th><th>${t("w_sessions")}</th><th>${t("w_baseline")}</th></tr>` +
    result.by_location.map(r => `<tr><td>${esc(r.location_id)}</td><td>${esc(r.specialty_id)}</td><td>${r.planned}</td><td>${r.current}</td></tr>`).join("") + `</table>`;
  $("#scenario-chart").innerHTML = result.simulation ? scenarioChart(result.simulation) : "";
}

async function plan() {
  $("#progress").hidden = false;
  const job = await api("/api/jobs", { method: "POST", body: JSON.stringify({
    kind: "capacity", first_day: $("#first-day").value, weeks: Number($("#weeks").value),
    time_limit_s: 30, replications: Number($("#replications").value), scenarios: scenarios() }) });
  const done = await followJob(job, j => {
    $("#progress progress").value = j.progress;
    $("#progress-text").textContent = t("w_running", { m: t("w_state_" + j.status), p: Math.round(j.progress * 100) });
  });
  if (done.status !== "done") { $("#error").textContent = t("w_job_failed", { e: done.error || done.status }); return; }
  window.ktCapacity = done.result;
  render(done.result);
  document.body.dataset.job = String(done.id);
}

function start() {
  const q = new URLSearchParams(location.search);
  if (!$("#first-day").value) $("#first-day").value = q.get("week") || nextMonday();
  if (q.get("weeks")) $("#weeks").value = q.get("weeks");
  if (q.get("replications")) $("#replications").value = q.get("replications");
  api("/api/auth/me").then(() => { document.body.dataset.ready = "true"; }).catch(() => {});
  if (window.ktCapacity) render(window.ktCapacity);
}
$("#plan").addEventListener("click", () => plan());
workspaceStart(start);
