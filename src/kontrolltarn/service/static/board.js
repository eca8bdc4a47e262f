// The board: every room of every location, live. No framework, no CDN (hospital networks are offline).
"use strict";
const T0 = 7 * 60, T1 = 20 * 60;  // timeline from 07:00 to 20:00
const state = { board: null, me: null, hb: null, hbAt: 0, lastMsgAt: 0, seen: new Set(), suggestions: [],
  shownLocation: null, focusRoom: null };
window.ktState = state;

const $ = sel => document.querySelector(sel);
const esc = s => String(s ?? "").replace(/[&<>"']/g, c => ({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c]));
const hhmm = m => ktClock(m);
const pct = m => Math.max(0, Math.min(100, (m - T0) / (T1 - T0) * 100));
const phone = () => window.matchMedia("(max-width: 800px)").matches;

async function api(path, options = {}) {
  const res = await fetch(path, { credentials: "same-origin", headers: { "Content-Type": "application/json" }, ...options });
  if (res.status === 401) { showLogin(); throw new Error("login required"); }
  if (!res.ok) throw new Error(`${res.status} ${await res.text()}`);
  return res.json();
}

function showLogin() { const d = $("#login"); if (!d.open) d.showModal(); }

ktLoginDialog();
$("#login-form").addEventListener("submit", async ev => {
  ev.preventDefault();
  const me = await ktLogin(ev.target);
  if (!me) return;
  const home = me.home;  // each role lands on its own page (porter, nurse, lists)
  if (home && home !== location.pathname) { location.assign(home); return; }
  $("#login").close();
  start();
});

$("#logout").addEventListener("click", async () => { await fetch("/api/auth/logout", { method: "POST" }); location.reload(); });
$("#lang").addEventListener("click", () => {
  localStorage.setItem("kt_lang", ktLang() === "nb" ? "en" : "nb");
  staticText(); renderAll(); loadAudit();
});

function staticText() {
  applyStaticText();
  $("#lang").textContent = t("switch");
  $("#loc-tabs").setAttribute("aria-label", t("locations"));
  $("#board").setAttribute("aria-label", t("board"));
  $("#side").setAttribute("aria-label", t("side"));
  if (state.me) $("#who").textContent = `${state.me.username} (${t("role_" + state.me.role)})`;
}

function roomName(id) { return state.board?.rooms[id]?.name || id || ""; }

/** The case a row speaks of: the one in the room, else the next to come, else the last one. */
function focusCase(r) {
  const live = c => c.phase !== "done" && c.phase !== "cancelled";
  return r.cases.find(c => c.case_id === r.current_case) || r.cases.find(live)
    || [...r.cases].reverse().find(c => c.phase === "done") || null;
}

function timeline(r) {
  const s = r.session;
  let tl = "";
  if (s) tl += `<div class="sess" style="left:${pct(s.start)}%;width:${pct(s.end) - pct(s.start)}%"></div>`
    + `<div class="after" style="left:${pct(s.end)}%"></div>`;
  const block = (cls, c, from, to, title) => `<div class="blk ${cls}" data-case="${esc(c.case_id)}" title="${title}" style="left:${pct(from)}%;width:${Math.max(0.3, pct(to) - pct(from))}%"></div>`;
  for (const c of r.cases) {
    const title = esc(`${c.procedure || c.case_id} · ${t("phase_" + c.phase)} · ${t("risk")} ${ktPct(c.cancel_risk)}`);
    if (c.planned_start != null) tl += block("plan", c, c.planned_start, c.planned_end, title);
    if (c.phase === "cancelled") {
      if (c.planned_start != null) tl += block("cancelled", c, c.planned_start, c.planned_end, title);
    } else if (c.start != null && c.end != null) {
      if (c.phase === "in_room") {
        const nowm = state.board.now_min;
        tl += block("act", c, c.start, nowm, title) + block("pred", c, nowm, c.end, title);
      } else {
        tl += block((c.actual ? "act" : "pred") + (c.cancel_risk >= 0.5 ? " risk" : ""), c, c.start, c.end, title);
      }
    }
  }
  if (s) tl += `<div class="send" style="left:${pct(s.end)}%"></div>`;
  tl += `<div class="now" style="left:${pct(state.board.now_min)}%"></div>`;
  return tl;
}

function status(r, c) {
  const s = r.session;
  if (!s && !r.cases.length) return { text: t("closed"), cls: "" };
  if (s && s.released) return { text: t("released"), cls: "" };
  if (c && c.case_id === r.current_case && c.milestone) return { text: t(t("st_" + c.milestone) !== "st_" + c.milestone ? "st_" + c.milestone : "m_" + c.milestone), cls: "active" };
  if (r.cases.length && r.cases.every(x => x.phase === "done" || x.phase === "cancelled")) return { text: t("phase_done"), cls: "" };
  if (r.ready_min != null && !r.current_case) return { text: t("st_ready"), cls: "ready" };
  if (c && ["waiting", "called", "arrived"].includes(c.phase)) {
    // what the porter and the patient did comes before the next milestone
    if (c.porter && c.phase !== "arrived") return { text: t("st_porter_" + c.porter), cls: "" };
    if (c.checked_in && c.phase === "waiting") return { text: t("st_checked_in"), cls: "" };
  }
  if (c) return { text: t("phase_" + c.phase), cls: c.phase === "in_room" ? "active" : "" };
  return { text: t("free"), cls: "" };
}

function renderRoom(r) {
  const s = r.session, c = focusCase(r);
  const closed = !s && !r.cases.length;
  const done = r.cases.length > 0 && r.cases.every(x => x.phase === "done" || x.phase === "cancelled");
  const st = status(r, c);
  const team = [c?.surgeon, s?.specialty_name].filter(Boolean).join(" · ");
  const what = (c ? `<span class="proc">${esc(c.procedure || c.case_id)}</span>` : "") + `<span class="surg">${esc(team)}</span>`;
  const late = c && c.behind_min != null && c.phase !== "cancelled" ? c.behind_min : null;
  const lateCls = late == null ? "" : late > 10 ? " behind" : late < -10 ? " ahead" : "";
  const risk = r.overtime_risk, rc = done || closed ? "" : risk >= 0.7 ? " hi" : risk >= 0.4 ? " mid" : "";
  const endTitle = s ? t("end_title", { p10: hhmm(r.end_p10), p90: hhmm(r.end_p90), staffed: hhmm(s.end), p: ktPct(risk) }) : "";
  const label = r.label || r.name;
  const caseAttr = c ? ` data-case="${esc(c.case_id)}"` : "";
  const aria = [r.name, c?.procedure, c?.surgeon, st.text].filter(Boolean).join(", ");
  const flash = state.focusRoom === r.room_id ? " focus" : "";
  return `<div class="room${closed ? " closed" : ""}${done ? " done" : ""}${flash}" data-room="${esc(r.room_id)}"${caseAttr} tabindex="0" aria-label="${esc(aria)}">
    <span class="lbl" title="${esc(r.name)}">${esc(label)}</span>
    <span class="what" title="${esc([c?.procedure, c?.surgeon || s?.specialty_name].filter(Boolean).join(" · "))}">${what}</span>
    <span class="cur ${st.cls}">${esc(st.text)}</span>
    <span class="late${lateCls}" title="${esc(t("late_title"))}">${late == null ? "" : ktSigned(late)}</span>
    <span class="end${rc}" title="${esc(endTitle)}">${closed || r.end_median == null ? "" : hhmm(r.end_median)}</span>
    <div class="tl">${timeline(r)}</div>
  </div>`;
}

function locHead(loc, open, total, cont) {
  let ticks = "";
  for (let h = 8; h <= 19; h += 4) ticks += `<span style="left:${pct(h * 60)}%">${String(h).padStart(2, "0")}</span>`;
  const name = cont ? t("continued", { name: loc.name }) : loc.name;
  return `<h2 class="lochead"><span class="locname">${esc(name)}<small>${t("open_rooms", { open, total })}</small></span>`
    + `<span class="h">${t("status")}</span><span class="h" title="${esc(t("late_title"))}">±</span>`
    + `<span class="h">${t("end")}</span><span class="ticks" aria-hidden="true">${ticks}</span></h2>`;
}

/** Locations into columns: whole locations while they fit under the tallest (a location that
 *  does not fit in what is left of a column starts the next one), a location taller than a
 *  column split with its heading repeated; the side panel under the last column if there is
 *  room for it, else in a column of its own. Returns [columns, lines, sideBelow]. */
function layout(locations, ncols) {
  const total = locations.reduce((n, l) => n + l.rooms.length + 1, 0);
  const minSide = 12;  // lines the side panel needs at least under a column
  let lines = Math.max(...locations.map(l => l.rooms.length + 1), Math.ceil((total + minSide) / ncols));
  for (;;) {
    const cols = [[]];
    let used = 0;
    for (const loc of locations) {
      let rooms = loc.rooms, cont = false;
      if (used > 0 && used + rooms.length + 1 > lines && rooms.length + 1 <= lines) { cols.push([]); used = 0; }
      while (rooms.length) {
        if (used + 2 > lines) { cols.push([]); used = 0; }
        const take = Math.min(rooms.length, lines - used - 1);
        cols[cols.length - 1].push({ loc, rooms: rooms.slice(0, take), cont });
        used += take + 1; rooms = rooms.slice(take); cont = true;
      }
    }
    if (cols.length <= ncols) return [cols, lines, cols.length === ncols ? lines - used >= minSide : true];
    lines += 1;
  }
}

function renderAll() {
  const b = state.board; if (!b) return;
  $("#day").textContent = ktDate(b.day);
  const ncols = phone() ? 1 : window.innerWidth >= 1400 ? 4 : window.innerWidth >= 1000 ? 3 : 2;
  const [cols, lines, sideBelow] = layout(b.locations, ncols);
  const wall = $("#wall");
  const used = sideBelow ? ncols : cols.length + 1;
  wall.style.setProperty("--cols", used);
  wall.style.setProperty("--lines", lines);
  wall.style.setProperty("--side-col", sideBelow ? cols.length : used);
  wall.style.setProperty("--side-row", sideBelow ? "2" : "1 / 3");
  const labelLen = Math.max(2, ...Object.values(b.rooms).map(r => (r.label || r.name).length));
  wall.style.setProperty("--label-w", `${Math.min(12, labelLen * 0.62 + 0.4)}em`);
  if (!state.shownLocation || !b.locations.some(l => l.id === state.shownLocation)) state.shownLocation = b.locations[0]?.id;
  $("#board").innerHTML = cols.map((col, i) => `<div class="col${sideBelow && i === cols.length - 1 ? " with-side" : ""}">`
    + col.map(part => {
      const rooms = part.loc.rooms.map(id => b.rooms[id]);
      const open = rooms.filter(r => r.session).length;
      return `<section class="loc${part.loc.id === state.shownLocation ? " shown" : ""}" data-location="${esc(part.loc.id)}">`
        + locHead(part.loc, open, rooms.length, part.cont) + part.rooms.map(id => renderRoom(b.rooms[id])).join("") + "</section>";
    }).join("") + "</div>").join("");
  if (!phone()) fitRows(wall, lines);
  $("#loc-tabs").innerHTML = b.locations.map(l => `<button type="button" data-location="${esc(l.id)}" aria-pressed="${l.id === state.shownLocation}">${esc(l.name)}</button>`).join("");
  renderAlerts(); renderSuggestions(); renderFreshness();
}

/** Rows as tall as the screen allows: start from one line per row and give a little more room
 *  while a column runs past the bottom (headings, borders and margins take some). */
function fitRows(wall, lines) {
  const over = () => [...wall.querySelectorAll(".col")].some(c => c.scrollHeight > wall.clientHeight);
  for (let l = lines, i = 0; i < 16 && over(); i += 1) { l += 0.25; wall.style.setProperty("--lines", l); }
}

let resizeTimer = null;
window.addEventListener("resize", () => { clearTimeout(resizeTimer); resizeTimer = setTimeout(renderAll, 150); });

function showLocation(id) {
  state.shownLocation = id;
  document.querySelectorAll(".loc").forEach(el => el.classList.toggle("shown", el.dataset.location === id));
  document.querySelectorAll("#loc-tabs button").forEach(el => el.setAttribute("aria-pressed", String(el.dataset.location === id)));
}
$("#loc-tabs").addEventListener("click", ev => { const b = ev.target.closest("button"); if (b) showLocation(b.dataset.location); });

/** An alert or suggestion was clicked: show its room (the row flashes) and open its case. */
async function goTo(roomId, caseId) {
  const room = state.board?.rooms[roomId];
  if (room) showLocation(room.location_id);
  const row = roomId && document.querySelector(`.room[data-room="${CSS.escape(roomId)}"]`);
  // the row stays marked (re-rendered rows too) until another alert or suggestion is followed
  document.querySelectorAll(".room.focus").forEach(el => el.classList.remove("focus", "flash"));
  state.focusRoom = roomId;
  if (row) {
    row.scrollIntoView({ block: "center", behavior: "smooth" });
    row.classList.add("focus", "flash");  // flashes once, stays marked
  }
  if (caseId) await openCase(caseId);
}

function renderAlerts() {
  const b = state.board; if (!b) return;
  // one per id (case or room, problem): rooms are updated one by one over the live stream
  const all = [...new Map(Object.values(b.rooms).flatMap(r => r.alerts).map(a => [a.id, a])).values()];
  all.sort((a, b2) => b2.urgency - a.urgency || (a.id < b2.id ? -1 : 1));  // control.Alert.urgency
  $("#alerts").innerHTML = all.length ? all.map(a => `<li class="${a.severity}" data-alert="${esc(a.id)}"><button type="button" class="goto" data-room="${esc(a.room_id || "")}" data-case="${esc(a.case_id || "")}">${esc(t("a_" + a.kind,
    { room: roomName(a.room_id), case: a.case_id || "", p: ktPct(a.value), m: ktNum(Math.round(a.value)) }))}</button></li>`).join("") : `<li>${t("no_alerts")}</li>`;
}

function effectText(effect) {
  return Object.entries(effect).map(([k, v]) => {
    const fmt = x => (x == null ? "–" : (k.includes("risk") ? ktPct(x) : (k === "expected_start_min" ? hhmm(x) : (k.endsWith("_deadline") ? ktDate(x) : ktNum(x, 1)))));
    return `${t("e_" + k)}: ${Array.isArray(v) ? fmt(v[0]) + " → " + fmt(v[1]) : fmt(v)}`;
  }).join("; ");
}

function suggestionText(s) {
  const a = s.action;
  return t("s_" + s.kind, { case: s.case_id || "", to: roomName(a.to_room), first: a.first, then: a.then, room: roomName(s.room_id) });
}

function renderSuggestions() {
  const list = state.suggestions;  // in the order the service ranks them
  const canDecide = state.me && state.me.role === "coordinator";
  $("#suggestions").innerHTML = list.length ? list.map(s => `<li data-suggestion="${esc(s.id)}">
     <button type="button" class="goto" data-room="${esc(s.room_id || "")}" data-case="${esc(s.case_id || "")}">${esc(suggestionText(s))}</button>
     <div class="effect">${esc(effectText(s.effect))}</div>
     ${canDecide ? `<button type="button" class="decide" data-id="${esc(s.id)}">${t("accept")} / ${t("reject")}</button>` : ""}</li>`).join("")
    : `<li>${t("no_suggestions")}</li>`;
}

$("#side").addEventListener("click", ev => {
  const go = ev.target.closest("button.goto"); if (!go) return;
  goTo(go.dataset.room, go.dataset.case || null);
});

async function loadSuggestions() {
  try { state.suggestions = (await api("/api/suggestions?status=open")).suggestions; } catch (e) { state.suggestions = []; }
  renderSuggestions();
}

function auditText(e) {
  const key = "act_" + e.action.replace(/\./g, "_");
  const action = t(key) === key ? e.action.replace(/[._]/g, " ") : t(key);
  const why = e.detail && e.detail.why ? ` · «${e.detail.why}»` : "";
  return `${ktTime(e.at)} ${e.actor} · ${action} ${e.resource_id || ""}${why}`;
}

async function loadAudit() {
  try {
    const entries = (await api("/api/audit?limit=25")).entries;
    $("#audit").innerHTML = entries.map(e => `<li data-action="${esc(e.action)}" data-at="${esc(e.at)}">${esc(auditText(e))}</li>`).join("");
  } catch (e) { $("#audit").innerHTML = ""; }
}

$("#suggestions").addEventListener("click", ev => {
  const btn = ev.target.closest("button.decide"); if (!btn) return;
  const s = state.suggestions.find(x => x.id === btn.dataset.id); if (!s) return;
  $("#decide-title").textContent = suggestionText(s);
  $("#decide-effect").textContent = effectText(s.effect);
  const dialog = $("#decide"); dialog.dataset.id = s.id; dialog.showModal();
});

$("#decide-form").addEventListener("submit", async ev => {
  const choice = ev.submitter && ev.submitter.value;
  if (choice === "cancel") return;
  ev.preventDefault();
  const why = new FormData(ev.target).get("why");
  const id = $("#decide").dataset.id;
  try {
    await api(`/api/suggestions/${encodeURIComponent(id)}/decision`, { method: "POST", body: JSON.stringify({ accept: choice === "accept", why }) });
  } catch (e) { alert(e.message); }
  $("#decide").close(); ev.target.reset();
  await loadSuggestions(); await loadAudit();
});

async function openCase(caseId) {
  try { showCase(await api(`/api/cases/${encodeURIComponent(caseId)}`)); loadAudit(); } catch (e) { /* not allowed */ }
}

$("#board").addEventListener("click", ev => {
  const hit = ev.target.closest("[data-case]"); if (hit) openCase(hit.dataset.case);
});
$("#board").addEventListener("keydown", ev => {
  if (ev.key !== "Enter" && ev.key !== " ") return;
  const row = ev.target.closest(".room[data-case]"); if (!row) return;
  ev.preventDefault(); openCase(row.dataset.case);
});

function showCase(c) {
  const row = (k, v) => `<tr><th scope="row">${esc(k)}</th><td>${v}</td></tr>`;
  const p = c.procedure || {};
  let html = `<h2 id="case-title">${esc(c.case_id)} · ${esc(p.name || "")}</h2><table>`;
  html += row(t("procedure"), esc(`${p.code || ""} · ${p.specialty_name || p.specialty || ""} · ${ktNum(p.booked_min || 0)} min · ${t("priority")} ${p.priority || ""}`));
  if (c.patient) html += row(t("patient"), esc(`${t("age_years", { n: c.patient.age })} · ${t("sex_" + c.patient.sex)} · ASA ${c.patient.asa} · BMI ${ktNum(c.patient.bmi, 1)}`));
  html += row(t("c_planned"), esc(`${roomName(c.plan.room_id)} · ${hhmm(c.plan.start_min)} · ${t("case_no", { n: c.plan.position })} · ${t("version")} ${c.plan.version}`));
  html += row(t("forecast"), c.forecast ? esc(`${hhmm(c.forecast.start_min)}–${hhmm(c.forecast.end_min)} · ${t("risk")} ${ktPct(c.forecast.cancel_risk)}`) : "–");
  if (c.remaining) html += row(t("remaining"), esc(`${ktNum(Math.round(c.remaining.p10))}–${ktNum(Math.round(c.remaining.p90))} min (${t("median")} ${ktNum(Math.round(c.remaining.p50))})`));
  if (c.cancellation_model) html += row(t("cancel_model"), esc(ktPct(c.cancellation_model.risk))
    + (c.cancellation_model.reasons.length ? "<br>" + c.cancellation_model.reasons.map(r => esc(reasonText(r, p))).join("<br>") : ""));
  html += row(t("milestones"), Object.entries(c.milestones).map(([k, v]) => esc(`${t("m_" + k)} ${ktTime(v)}`)).join(", ") || "–");
  html += row(t("readiness"), c.readiness.map(r => `<span class="${r.done ? "yes" : "no"}">${r.done ? "✔" : "✘"} ${esc(t("r_" + r.item))}</span>`).join("<br>"));
  // one line per fact: what the note says it has, else that it has not
  const facts = [...new Map([...c.note_facts].sort((a, b) => b.negated - a.negated).map(f => [f.fact, f])).values()];
  // the evidence is the note's own words, marked as Norwegian for screen readers (and the language test)
  html += row(t("note_facts"), facts.map(f => `${f.negated ? `<s>` : ""}${esc(t("f_" + f.fact))}${f.negated ? "</s>" : ""}: <i lang="nb">${esc(f.evidence)}</i>`).join("<br>") || "–");
  html += row(t("changes"), c.changes.map(ch => esc(`${ktDateTime(ch.at)} ${byText(ch.by)}: ${whyText(ch.why)}`)).join("<br>") || "–");
  html += row(t("booking"), c.booking_history.map(b => esc(`${ktDay(b.at)} ${t("b_" + b.kind)} ${b.new_date ? ktDay(b.new_date) : ""}`)).join("<br>") || "–");
  $("#case-body").innerHTML = html + "</table>" + (window.ktCaseActions ? ktCaseActions(c, state.me) : "");
  const dialog = $("#case");
  dialog.dataset.case = c.case_id;
  if (!dialog.open) dialog.showModal();
}

/** Who changed a plan: a person's name, or the system (its planners and jobs). */
function byText(by) { return /^(system|planner)[:]/.test(by) ? t("by_system") : by; }

/** A plan change's reason as the service wrote it (a person's words after a prefix the
 *  service adds) in the page's language. */
function whyText(why) {
  const m = (re) => why.match(re);
  let g;
  if (why === "initial program") return t("why_initial");
  if ((g = m(/^program version (\d+): (.*)$/s))) return t("why_version", { n: g[1], why: whyText(g[2]) });
  if ((g = m(/^repair job (\d+): (.*)$/s))) return t("why_repair", { n: g[1], why: g[2] });
  if ((g = m(/^(\w+) job (\d+)$/))) return t("why_job", { n: g[2] });
  if ((g = m(/^imported from (.*)$/s))) return t("why_imported", { source: g[1] });
  if ((g = m(/^(move_case|change_order|call_next|release_session|cancel_early): (.*)$/s))) return `${t("k_" + g[1])}: ${g[2]}`;
  return why;
}

/** A reason of the cancellation model in the page's language: its feature and its value. */
function reasonText(r, procedure) {
  const v = r.value;
  if (r.feature.startsWith("note_")) return t("reason_note", { fact: t("f_" + r.feature.slice(5)) });
  if (r.feature === "weekday" && v != null) return t("reason_weekday", { day: ktWeekday(Number(v)) });
  if (r.feature === "specialty_id" && v != null && v === procedure?.specialty) return t("reason_specialty_id", { value: procedure.specialty_name || v });
  if (r.feature === "location_id" && v != null) return t("reason_location_id", { value: state.board?.locations.find(l => l.id === v)?.name || v });
  const key = "reason_" + r.feature;
  if (v != null && t(key) !== key) return t(key, { value: typeof v === "number" ? (r.feature === "bed_occupancy" ? ktPct(v) : ktNum(v)) : v });
  return t(key) !== key ? t(key, { value: "" }) : r.text;
}

function renderFreshness() {
  const hb = state.hb, el = $("#freshness"), banner = $("#quiet-banner");
  if (!hb) { el.textContent = t("no_data"); return; }
  const since = (Date.now() - state.hbAt) / 1000;
  const lost = Date.now() - state.lastMsgAt > 5000;
  const age = hb.age_s == null ? null : hb.age_s + since;
  // no event is due yet (a replay before its day starts): a silent feed is not quiet; before
  // the first event the server's own view counts (quiet only once due for quiet_after_s)
  const quiet = hb.feed_due !== false && (age == null ? hb.quiet === true : age > hb.quiet_after_s);
  el.textContent = age == null ? t("no_data") : t("data_age", { s: ktNum(Math.round(age)) });
  const dbDown = hb.database === "unavailable";
  el.dataset.quiet = lost ? "lost" : dbDown ? "database" : String(quiet);
  $("#clock").textContent = hhmm(hb.now_min);
  if (lost) { banner.hidden = false; banner.textContent = t("lost"); }
  else if (dbDown) { banner.hidden = false; banner.textContent = t("db_down"); }
  else if (quiet) { banner.hidden = false; banner.textContent = t("quiet", { s: age == null ? "∞" : ktNum(Math.round(age)) }); }
  else banner.hidden = true;
}

function connect() {
  const es = new EventSource("/api/board/stream");
  const touch = () => { state.lastMsgAt = Date.now(); };
  es.addEventListener("hello", ev => { touch(); state.hb = JSON.parse(ev.data); state.hbAt = Date.now(); renderFreshness(); });
  es.addEventListener("heartbeat", ev => { touch(); state.hb = JSON.parse(ev.data); state.hbAt = Date.now(); renderFreshness(); });
  es.addEventListener("rooms", ev => {
    touch();
    const msg = JSON.parse(ev.data);
    state.hb = msg.freshness; state.hbAt = Date.now();
    state.board.now_min = msg.freshness.now_min;
    for (const [id, room] of Object.entries(msg.rooms)) {
      state.board.rooms[id] = room;
      const el = document.querySelector(`.room[data-room="${CSS.escape(id)}"]`);
      if (el) el.outerHTML = renderRoom(room);
    }
    const left = pct(state.board.now_min) + "%";
    document.querySelectorAll(".tl .now").forEach(el => { el.style.left = left; });
    for (const id of msg.event_ids) state.seen.add(id);
    document.body.dataset.events = String(state.seen.size);
    renderAlerts(); renderFreshness();
  });
  es.addEventListener("suggestions", () => { touch(); loadSuggestions(); loadAudit(); });
  es.onerror = () => { /* EventSource reconnects by itself; the freshness flag shows the gap */ };
}

async function start() {
  try { state.me = await api("/api/auth/me"); } catch (e) { return; }
  staticText();
  state.board = await api("/api/board");
  state.hb = state.board.freshness; state.hbAt = Date.now(); state.lastMsgAt = Date.now();
  renderAll();
  document.body.dataset.ready = "true";
  connect();
  loadSuggestions(); loadAudit();
}

staticText();
setInterval(renderFreshness, 1000);
start();
