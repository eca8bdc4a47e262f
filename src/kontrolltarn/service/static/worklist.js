// A list of cases of the day as the lists and the nurse's room show them (GET /api/worklist).
"use strict";

function roomChoices(rooms) {
  // grouped by location, in the hospital's order
  const byLoc = new Map();
  for (const r of rooms) { if (!byLoc.has(r.location_name)) byLoc.set(r.location_name, []); byLoc.get(r.location_name).push(r); }
  return [...byLoc].map(([loc, rs]) => `<optgroup label="${esc(loc)}">${rs.map(r => `<option value="${esc(r.id)}">${esc(r.name)}</option>`).join("")}</optgroup>`).join("");
}

// the times of a case: planned, then forecast or actual in room, then the milestones reached
function caseTimes(c) {
  const parts = [t("wl_planned", { from: hhmm(c.planned_start), to: hhmm(c.planned_end) })];
  if (c.phase !== "cancelled" && c.start != null) parts.push(t(c.actual ? "wl_actual" : "wl_forecast", { from: hhmm(c.start), to: hhmm(c.end) }));
  const reached = Object.entries(c.milestones || {}).sort((a, b) => a[1] - b[1]).map(([k, m]) => `${t("m_" + k)} ${hhmm(m)}`);
  return parts.join(" · ") + (reached.length ? `<br><span class="dim">${esc(reached.join(" · "))}</span>` : "");
}

function caseCard(c, { room = true, surgeon = true, extra = "" } = {}) {
  const porter = c.porter ? ` <span class="chip ${esc(c.porter)}">${esc(t("po_" + c.porter))}</span>` : "";
  const checked = c.checked_in ? ` <span class="chip done">${esc(t("wl_checked_in"))}</span>` : "";
  return `<li class="card" data-case="${esc(c.case_id)}" data-phase="${esc(c.phase)}">
    <div class="row"><span class="big">${hhmm(c.planned_start)} ${esc(c.procedure || c.case_id)}</span><span class="chip ${esc(c.phase)}">${esc(t("phase_" + c.phase))}</span></div>
    <div class="dim">${esc(c.case_id)}${room ? " · " + esc(c.room_name) : ""}${c.position ? " · " + esc(t("wl_order", { n: c.position })) : ""}${surgeon && c.surgeon_name ? " · " + esc(c.surgeon_name) : ""}${porter}${checked}</div>
    <div>${caseTimes(c)}</div>${extra}
  </li>`;
}

// reload when the live stream sends one of ``rooms`` (at most twice a second)
function liveRooms(rooms, reload) {
  let due = null;
  live({ rooms: msg => {
    if (due || !Object.keys(msg.rooms).some(r => rooms().has(r))) return;
    due = setTimeout(() => { due = null; reload(); }, 500);
  }, logistics: () => reload() });
}
