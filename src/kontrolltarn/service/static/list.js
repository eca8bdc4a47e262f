// A surgeon's cases of the day, or the cases of the rooms an anaesthetist covers: order, status
// and times as the board has them, updated live.
"use strict";
const mine = { surgeon: null, rooms: [], listed: new Set(), bySurgeon: true };

function query() {
  const q = new URLSearchParams();
  if (mine.bySurgeon && mine.surgeon) q.set("surgeon_id", mine.surgeon);
  if (!mine.bySurgeon) for (const r of mine.rooms) q.append("room_id", r);
  return q.toString();
}

async function showList() {
  const data = await api("/api/worklist?" + query());
  mine.listed = new Set(data.cases.map(c => c.room_id).concat(mine.rooms));
  const left = data.cases.filter(c => c.phase !== "done" && c.phase !== "cancelled").length;
  $("#summary").textContent = (mine.bySurgeon ? mine.surgeon : mine.rooms.length) ? t("wl_summary", { n: data.cases.length, left, now: hhmm(data.now_min) }) : t("wl_choose");
  $("#cases").innerHTML = data.cases.length ? data.cases.map(c => caseCard(c, { surgeon: !mine.bySurgeon })).join("")
    : (query() ? `<li class="empty">${esc(t("wl_none"))}</li>` : "");
  return data;
}

$("#surgeon").addEventListener("change", () => {
  mine.surgeon = $("#surgeon").value; localStorage.setItem("kt_list_surgeon", mine.surgeon); showList();
});
$("#rooms").addEventListener("change", () => {
  mine.rooms = [...$("#rooms").selectedOptions].map(o => o.value);
  localStorage.setItem("kt_list_rooms", JSON.stringify(mine.rooms)); showList();
});

rolePage(async (me, relanguage) => {
  // a surgeon's list is theirs; anaesthesia works by rooms (one anaesthetist covers two)
  mine.bySurgeon = me.role !== "anaesthesia";
  $("#pick-surgeon").hidden = !mine.bySurgeon; $("#pick-rooms").hidden = mine.bySurgeon;
  if (!relanguage) {
    const choices = await api("/api/worklist");
    $("#surgeon").innerHTML = `<option value="">–</option>` + choices.surgeons.map(s => `<option value="${esc(s.id)}">${esc(s.name)}</option>`).join("");
    $("#rooms").innerHTML = roomChoices(choices.rooms);
    const kept = localStorage.getItem("kt_list_surgeon");
    mine.surgeon = choices.me || (choices.surgeons.some(s => s.id === kept) ? kept : "");
    $("#surgeon").value = mine.surgeon;
    try { mine.rooms = JSON.parse(localStorage.getItem("kt_list_rooms") || "[]").filter(r => choices.rooms.some(x => x.id === r)); } catch (e) { mine.rooms = []; }
    for (const o of $("#rooms").options) o.selected = mine.rooms.includes(o.value);
    liveRooms(() => mine.listed, showList);
  }
  await showList();
});
