// The patient page, reached by a one-time link: /patient.html#t=TOKEN (the fragment never reaches the server logs).
"use strict";
const el = id => document.getElementById(id);

async function session() {
  const token = new URLSearchParams(location.hash.slice(1)).get("t");
  if (token) {
    history.replaceState(null, "", location.pathname);  // the link works once: forget it
    const res = await fetch("/api/patient/session", { method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json" }, body: JSON.stringify({ token }) });
    if (!res.ok) return false;
  }
  return true;
}

async function show() {
  const res = await fetch("/api/patient/me", { credentials: "same-origin" });
  if (!res.ok) { el("error").textContent = t("p_invalid"); el("error").hidden = false; el("day").hidden = true; return; }
  const me = await res.json();
  el("day").hidden = false;
  el("planned").textContent = me.planned_time;
  el("expected").textContent = me.expected_time;
  el("phase").textContent = t("phase_" + me.status);
  el("delay").hidden = !me.delay_notice;
  el("delay").textContent = t("p_delay", { m: me.delay_min });
  el("cancelled").hidden = me.status !== "cancelled";
  el("cancelled").textContent = t("p_cancelled");
  el("checkin").hidden = !!me.checked_in;
  el("checked").hidden = !me.checked_in;
  el("checked").textContent = t("p_checked");
}

el("checkin").addEventListener("click", async () => {
  await fetch("/api/patient/checkin", { method: "POST", credentials: "same-origin" });
  show();
});
el("lang").addEventListener("click", () => {
  localStorage.setItem("kt_lang", ktLang() === "nb" ? "en" : "nb");
  applyStaticText(); el("lang").textContent = t("switch"); show();
});

applyStaticText();
el("lang").textContent = t("switch");
session().then(ok => { if (ok) { show(); setInterval(show, 30000); } else { el("error").textContent = t("p_invalid"); el("error").hidden = false; } });
