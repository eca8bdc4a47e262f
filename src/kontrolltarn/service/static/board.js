// The board: every room of every location, live. No framework, no CDN (hospital networks are offline).
"use strict";
const T0 = 7 * 60, T1 = 20 * 60;  // timeline from 07:00 to 20:00
const state = { board: null, me: null, hb: null, hbAt: 0, lastMsgAt: 0, seen: new Set(), suggestions: [] };
window.ktState = state;

const $ = sel => document.querySelector(sel);
const esc = s => String(s ?? "").replace(/[&<>"']/g, c => ({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c]));
const hhmm = m => m == null ? "–" : `${String(Math.floor(m / 60) % 24).padStart(2, "0")}:${String(Math.floor(m % 60)).padStart(2, "0")}`;
const pct = m => Math.max(0, Math.min(100, (m - T0) / (T1 - T0) * 100));
const pc = p => Math.round(p * 100);

async function api(path, options = {}) {
  const res = await fetch(path, { credentials: "same-origin", headers: { "Content-Type": "application/json" }, ...options });
  if (res.status === 401) { showLogin(); throw new Error("login required"); }
  if (!res.ok) throw new Error(`${res.status} ${await res.text()}`);
  return res.json();
}

function showLogin() { const d = $("#login"); if (!d.open) d.showModal(); }

$("#login-form").addEventListener("submit", async ev => {
  ev.preventDefault();
  const form = new FormData(ev.target);
  const res = await fetch("/api/auth/login", { method: "POST", credentials: "same-origin",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ username: form.get("username"), password: form.get("password") }) });
  if (!res.ok) { $("#login-error").textContent = t("wrong_login"); return; }
  $("#login").close();
  start();
});

$("#logout").addEventListener("click", async () => { await fetch("/api/auth/logout", { method: "POST" }); location.reload(); });
$("#lang").addEventListener("click", () => {
  localStorage.setItem("kt_lang", ktLang() === "nb" ? "en" : "nb");
  applyStaticText(); $("#lang").textContent = t("switch"); renderAll();
});

function roomName(id) { return state.board?.rooms[id]?.name || id; }

function renderRoom(r) {
  const s = r.session;
  const closed = !s;
  let tl = "";
  if (s) tl += `<div class="sess" style="left:${pct(s.start)}%;width:${pct(s.end) - pct(s.start)}%"></div>`;
  for (const c of r.cases) {
    const title = esc(`${c.case_id} · ${c.procedure || ""} · ${t("phase_" + c.phase)} · ${t("risk")} ${pc(c.cancel_risk)} %`);
    if (c.planned_start != null)
      tl += `<div class="blk plan" data-case="${esc(c.case_id)}" title="${title}" style="left:${pct(c.planned_start)}%;width:${pct(c.planned_end) - pct(c.planned_start)}%"></div>`;
    if (c.phase === "cancelled") {
      if (c.planned_start != null) tl += `<div class="blk cancelled" data-case="${esc(c.case_id)}" title="${title}" style="left:${pct(c.planned_start)}%;width:${pct(c.planned_end) - pct(c.planned_start)}%"></div>`;
    } else if (c.start != null && c.end != null) {
      const cls = c.actual ? "act" : "pred";
      const risky = c.cancel_risk >= 0.5 ? " risk" : "";
      if (c.phase === "in_room") {
        const nowm = state.board.now_min;
        tl += `<div class="blk act" data-case="${esc(c.case_id)}" title="${title}" style="left:${pct(c.start)}%;width:${Math.max(0.3, pct(nowm) - pct(c.start))}%"></div>`;
        tl += `<div class="blk pred" data-case="${esc(c.case_id)}" title="${title}" style="left:${pct(nowm)}%;width:${Math.max(0.3, pct(c.end) - pct(nowm))}%"></div>`;
      } else {
        tl += `<div class="blk ${cls}${risky}" data-case="${esc(c.case_id)}" title="${title}" style="left:${pct(c.start)}%;width:${Math.max(0.3, pct(c.end) - pct(c.start))}%"></div>`;
      }
    }
  }
  if (s) tl += `<div class="send" style="left:${pct(s.end)}%"></div>`;
  if (state.board) tl += `<div class="now" style="left:${pct(state.board.now_min)}%"></div>`;
  const cur = r.cases.find(c => c.case_id === r.current_case);
  let curText = "";
  if (closed) curText = t("closed");
  else if (s.released) curText = t("released");
  else if (cur) curText = `<b>${esc(cur.case_id)}</b> <span class="ms">${esc(t("m_" + cur.milestone))}</span>`;
  else if (r.cases.length && r.cases.every(c => c.phase === "done" || c.phase === "cancelled")) curText = t("phase_done");
  else { const next = r.cases.find(c => c.phase !== "done" && c.phase !== "cancelled"); if (next) curText = `${esc(next.case_id)} · ${t("phase_" + next.phase)}`; }
  const over = s && r.end_median != null && r.end_median > s.end + 30;
  const risk = r.overtime_risk, rc = risk >= 0.7 ? "hi" : risk >= 0.4 ? "mid" : "lo";
  const waiting = r.cases.filter(c => ["waiting", "called", "arrived"].includes(c.phase));
  const worst = waiting.reduce((m, c) => Math.max(m, c.cancel_risk), 0);
  const wc = worst >= 0.7 ? "hi" : worst >= 0.4 ? "mid" : "lo";
  return `<div class="room${closed ? " closed" : ""}" data-room="${esc(r.room_id)}">
    <span class="name" title="${esc(r.name)}">${esc(r.name)}</span>
    <div class="tl">${tl}</div>
    <span class="cur">${curText}</span>
    <span class="end${over ? " over" : ""}" title="${t("end")} p10–p90 ${hhmm(r.end_p10)}–${hhmm(r.end_p90)}">${closed ? "" : hhmm(r.end_median)}</span>
    <span class="risk ${rc}" title="${t("overtime")}">${closed ? "" : pc(risk) + "%"}</span>
    <span class="risk ${wc}" title="${t("a_late_cancellation", { room: "", case: "", p: pc(worst) })}">${waiting.length ? pc(worst) + "%" : ""}</span>
  </div>`;
}

function axis() {
  let ticks = "";
  for (let h = 8; h <= 19; h += 1) ticks += `<span style="left:${pct(h * 60)}%">${String(h).padStart(2, "0")}</span>`;
  return `<div class="axis"><span></span><div class="ticks">${ticks}</div><span></span><span>${t("end")}</span><span>${t("overtime")}</span><span>${t("s_cancel")}</span></div>`;
}

function renderAll() {
  const b = state.board; if (!b) return;
  $("#day").textContent = b.day;
  let html = "";
  for (const loc of b.locations) {
    const rooms = loc.rooms.map(id => b.rooms[id]);
    const open = rooms.filter(r => r.session).length;
    html += `<section class="loc" data-location="${esc(loc.id)}"><h3><span>${esc(loc.name)}</span><span>${open}/${rooms.length}</span></h3>${axis()}${rooms.map(renderRoom).join("")}</section>`;
  }
  $("#board").innerHTML = html;
  renderAlerts(); renderSuggestions(); renderFreshness();
}

function renderAlerts() {
  const b = state.board; if (!b) return;
  // one per id (case or room, problem): rooms are updated one by one over the live stream
  const all = [...new Map(Object.values(b.rooms).flatMap(r => r.alerts).map(a => [a.id, a])).values()];
  all.sort((a, b2) => (b2.severity === "critical") - (a.severity === "critical") || b2.value - a.value);
  $("#alerts").innerHTML = all.length ? all.map(a => `<li class="${a.severity}" data-alert="${esc(a.id)}">${esc(t("a_" + a.kind,
    { room: roomName(a.room_id), case: a.case_id || "", p: pc(a.value), m: Math.round(a.value) }))}</li>`).join("") : `<li>${t("no_alerts")}</li>`;
}

function effectText(effect) {
  return Object.entries(effect).map(([k, v]) => {
    const fmt = x => (x == null ? "–" : (k.includes("risk") ? pc(x) + " %" : (k === "expected_start_min" ? hhmm(x) : x)));
    return `${esc(t("e_" + k))}: ${Array.isArray(v) ? fmt(v[0]) + " → " + fmt(v[1]) : fmt(v)}`;
  }).join("; ");
}

function suggestionText(s) {
  const a = s.action;
  return t("s_" + s.kind, { case: s.case_id || "", to: roomName(a.to_room), first: a.first, then: a.then, room: roomName(s.room_id) });
}

function renderSuggestions() {
  const list = state.suggestions;
  const canDecide = state.me && state.me.role === "coordinator";
  $("#suggestions").innerHTML = list.length ? list.map(s => `<li data-suggestion="${esc(s.id)}">
     <div>${esc(suggestionText(s))}</div><div class="effect">${effectText(s.effect)}</div>
     ${canDecide ? `<button class="decide" data-id="${esc(s.id)}">${t("accept")} / ${t("reject")}</button>` : ""}</li>`).join("")
    : `<li>${t("no_suggestions")}</li>`;
}

async function loadSuggestions() {
  try { state.suggestions = (await api("/api/suggestions?status=open")).suggestions; } catch (e) { state.suggestions = []; }
  renderSuggestions();
}

async function loadAudit() {
  try {
    const entries = (await api("/api/audit?limit=25")).entries;
    $("#audit").innerHTML = entries.map(e => `<li data-action="${esc(e.action)}">${esc(new Date(e.at).toLocaleTimeString(ktLang()))} ${esc(e.actor)} · ${esc(e.action)} ${esc(e.resource_id || "")}${e.detail && e.detail.why ? " · «" + esc(e.detail.why) + "»" : ""}</li>`).join("");
  } catch (e) { $("#audit").innerHTML = ""; }
}

$("#suggestions").addEventListener("click", ev => {
  const btn = ev.target.closest("button.decide"); if (!btn) return;
  const s = state.suggestions.find(x => x.id === btn.dataset.id); if (!s) return;
  $("#decide-title").textContent = suggestionText(s);
  $("#decide-effect").textContent = effectText(s.effect).replace(/&amp;/g, "&");
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

$("#board").addEventListener("click", async ev => {
  const blk = ev.target.closest("[data-case]"); if (!blk) return;
  try { showCase(await api(`/api/cases/${encodeURIComponent(blk.dataset.case)}`)); loadAudit(); } catch (e) { /* not allowed */ }
});

function showCase(c) {
  const row = (k, v) => `<tr><th>${esc(k)}</th><td>${v}</td></tr>`;
  let html = `<h2>${esc(c.case_id)} · ${esc(c.procedure?.name || "")}</h2><table>`;
  html += row(t("procedure"), esc(`${c.procedure?.code || ""} · ${c.procedure?.specialty || ""} · ${c.procedure?.booked_min || ""} min · P${c.procedure?.priority || ""}`));
  if (c.patient) html += row(t("patient"), esc(`${c.patient.age} år · ${c.patient.sex} · ASA ${c.patient.asa} · BMI ${c.patient.bmi}`));
  html += row(t("planned"), esc(`${roomName(c.plan.room_id)} · ${hhmm(c.plan.start_min)} · #${c.plan.position} · ${t("version")} ${c.plan.version}`));
  html += row(t("forecast"), c.forecast ? esc(`${hhmm(c.forecast.start_min)}–${hhmm(c.forecast.end_min)} · ${t("risk")} ${pc(c.forecast.cancel_risk)} %`) : "–");
  if (c.remaining) html += row(t("remaining"), esc(`${Math.round(c.remaining.p10)}–${Math.round(c.remaining.p90)} min (${t("median")} ${Math.round(c.remaining.p50)})`));
  if (c.cancellation_model) html += row(t("cancel_model"), esc(`${pc(c.cancellation_model.risk)} %`) + (c.cancellation_model.reasons.length ? "<br>" + c.cancellation_model.reasons.map(r => esc(r.text)).join("<br>") : ""));
  html += row(t("milestones"), Object.entries(c.milestones).map(([k, v]) => esc(`${t("m_" + k)} ${new Date(v).toLocaleTimeString(ktLang(), {hour: "2-digit", minute: "2-digit"})}`)).join(", ") || "–");
  html += row(t("readiness"), c.readiness.map(r => `<span class="${r.done ? "yes" : "no"}">${r.done ? "✔" : "✘"} ${esc(t("r_" + r.item))}</span>`).join("<br>"));
  html += row(t("note_facts"), c.note_facts.map(f => `${f.negated ? "<s>" : ""}${esc(f.fact)}${f.negated ? "</s>" : ""}: <i>${esc(f.evidence)}</i>`).join("<br>") || "–");
  html += row(t("changes"), c.changes.map(ch => esc(`${new Date(ch.at).toLocaleString(ktLang())} ${ch.by}: ${ch.why}`)).join("<br>") || "–");
  html += row(t("booking"), c.booking_history.map(b => esc(`${b.at.slice(0, 10)} ${b.kind} ${b.new_date || ""}`)).join("<br>") || "–");
  $("#case-body").innerHTML = html + "</table>";
  $("#case").showModal();
}

function renderFreshness() {
  const hb = state.hb, el = $("#freshness"), banner = $("#quiet-banner");
  if (!hb) { el.textContent = t("no_data"); return; }
  const since = (Date.now() - state.hbAt) / 1000;
  const lost = Date.now() - state.lastMsgAt > 5000;
  const age = hb.age_s == null ? null : hb.age_s + since;
  // no event is due yet (a replay before its day starts): a silent feed is not quiet
  const quiet = hb.feed_due !== false && (age == null || age > hb.quiet_after_s);
  el.textContent = age == null ? t("no_data") : t("data_age", { s: Math.round(age) });
  const dbDown = hb.database === "unavailable";
  el.dataset.quiet = lost ? "lost" : dbDown ? "database" : String(quiet);
  $("#clock").textContent = hhmm(hb.now_min);
  if (lost) { banner.hidden = false; banner.textContent = t("lost"); }
  else if (dbDown) { banner.hidden = false; banner.textContent = t("db_down"); }
  else if (quiet) { banner.hidden = false; banner.textContent = t("quiet", { s: age == null ? "∞" : Math.round(age) }); }
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
  $("#who").textContent = `${state.me.username} (${state.me.role})`;
  state.board = await api("/api/board");
  state.hb = state.board.freshness; state.hbAt = Date.now(); state.lastMsgAt = Date.now();
  renderAll();
  document.body.dataset.ready = "true";
  connect();
  loadSuggestions(); loadAudit();
}

applyStaticText();
$("#lang").textContent = t("switch");
setInterval(renderFreshness, 1000);
start();
