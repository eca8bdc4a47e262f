// What the workspace pages share: the API with the board's login cookie, the login dialog,
// the language switch, and Oslo 24-hour times and dates. No framework, no CDN.
"use strict";
const $ = sel => document.querySelector(sel);
const esc = s => String(s ?? "").replace(/[&<>"']/g, c => ({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c]));
const hhmm = m => m == null ? "–" : `${String(Math.floor(m / 60) % 24).padStart(2, "0")}:${String(Math.floor(m % 60)).padStart(2, "0")}`;
const WEEKDAYS = { nb: ["man", "tir", "ons", "tor", "fre", "lør", "søn"], en: ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"] };
// a day as "man 07.12" (its own calendar date: no time zone to convert)
const dayName = iso => { const d = new Date(iso + "T12:00:00Z"); return `${WEEKDAYS[ktLang()][(d.getUTCDay() + 6) % 7]} ${iso.slice(8, 10)}.${iso.slice(5, 7)}`; };
const fmt = (v, digits) => Number(v).toLocaleString(ktLang() === "nb" ? "nb-NO" : "en-GB", { maximumFractionDigits: digits ?? 1, minimumFractionDigits: digits ?? 0 });

async function api(path, options = {}) {
  const res = await fetch(path, { credentials: "same-origin", headers: { "Content-Type": "application/json" }, ...options });
  if (res.status === 401) { $("#login").showModal(); throw new Error("login required"); }
  if (!res.ok) {
    const text = await res.text();
    $("#error").textContent = `${res.status}: ${text}`;
    throw new Error(`${res.status} ${text}`);
  }
  $("#error").textContent = "";
  return res.json();
}

// a job: poll until it ends, showing its progress; resolves with the finished job
async function followJob(job, show) {
  for (;;) {
    const now = await api(`/api/jobs/${job.id}`);
    show(now);
    if (["done", "failed", "cancelled"].includes(now.status)) return now;
    await new Promise(r => setTimeout(r, 400));
  }
}

function nextMonday() {
  const d = new Date();
  d.setDate(d.getDate() + ((8 - d.getDay()) % 7 || 7));
  return d.toISOString().slice(0, 10);
}

function workspaceStart(start) {
  ktLoginDialog();
  $("#login-form").addEventListener("submit", async ev => {
    ev.preventDefault();
    if (!await ktLogin(ev.target)) return;
    $("#login").close();
    start();
  });
  $("#lang").addEventListener("click", () => {
    localStorage.setItem("kt_lang", ktLang() === "nb" ? "en" : "nb");
    applyStaticText(); $("#lang").textContent = t("switch"); start();
  });
  applyStaticText(); $("#lang").textContent = t("switch");
  start();
}
