// What the pages per role share (porter, nurse, lists, patient link): login, header, API calls,
// Oslo clock times and the live stream. Phone first; no framework, no CDN.
"use strict";
const $ = sel => document.querySelector(sel);
const esc = s => String(s ?? "").replace(/[&<>"']/g, c => ({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c]));
// Oslo time, 24 hours, in the page's language: the shared helpers of i18n.js
const hhmm = m => ktClock(m);  // minutes past the day's midnight (the service's are Oslo time)

const ktPage = { me: null, onStart: null, live: null, said: null };

async function api(path, options = {}) {
  const res = await fetch(path, { credentials: "same-origin", headers: { "Content-Type": "application/json" }, ...options });
  if (res.status === 401) { showLogin(); throw new Error("login required"); }
  if (!res.ok) throw new Error(`${res.status}`);
  return res.json();
}

// a POST whose refusal the page shows (a 409 or 422 names what is wrong): {status, body}
async function postAnswer(path, body) {
  const res = await fetch(path, { method: "POST", credentials: "same-origin",
    headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
  if (res.status === 401) { showLogin(); throw new Error("login required"); }
  return { status: res.status, body: await res.json() };
}

function showLogin() { const d = $("#login"); if (d && !d.open) d.showModal(); }

// a message to the user in the page's status line (role="status": read out by screen readers)
function say(key, params, bad) {
  ktPage.said = [key, params, bad];  // said again in the other language (retext)
  const el = $("#status"); if (!el) return;
  el.textContent = key ? t(key, params) : ""; el.classList.toggle("error", !!bad);
}

function pageHeader() {
  const h = $("#top");
  h.innerHTML = `<a class="brand" href="/" data-i18n="board_link">Tavla</a>
    <span id="who"></span>
    <button id="lang" type="button"></button>
    <button id="logout" type="button" data-i18n="logout">Logg ut</button>`;
  $("#lang").addEventListener("click", () => {
    localStorage.setItem("kt_lang", ktLang() === "nb" ? "en" : "nb");
    retext(); if (ktPage.me && ktPage.onStart) ktPage.onStart(ktPage.me, true);
  });
  $("#logout").addEventListener("click", async () => { await fetch("/api/auth/logout", { method: "POST" }); location.reload(); });
}

function loginDialog() {
  const d = ktLoginDialog();
  $("#login-form").addEventListener("submit", async ev => {
    ev.preventDefault();
    const me = await ktLogin(ev.target);
    if (!me) return;
    // each role lands on its own page: a porter who logs in on the nurse's page goes to the queue
    if (!forMe(me) && me.home !== location.pathname) { location.assign(me.home); return; }
    d.close(); begin();
  });
}

function retext() {
  applyStaticText();
  const lang = $("#lang"); if (lang) lang.textContent = t("switch");
  if (ktPage.me) $("#who").textContent = `${ktPage.me.username} · ${t("role_" + ktPage.me.role)}`;
  if (ktPage.said) say(...ktPage.said);
}

// server-sent events of the board's stream: ``handlers`` by event kind (rooms, logistics …)
function live(handlers) {
  if (ktPage.live) ktPage.live.close();
  // only the kinds this page handles: a phone is not sent every room of the hospital
  const es = new EventSource("/api/board/stream?only=" + Object.keys(handlers).join(","));
  for (const [kind, fn] of Object.entries(handlers)) es.addEventListener(kind, ev => fn(JSON.parse(ev.data)));
  ktPage.live = es;
}

// the roles a page is for (its body's data-roles)
const forMe = me => (document.body.dataset.roles || "").split(" ").includes(me.role);

async function begin() {
  try { ktPage.me = await api("/api/auth/me"); } catch (e) { return; }
  retext();
  if (!forMe(ktPage.me)) {  // another role's page: say so, and where theirs is
    $("main").innerHTML = `<p class="error">${esc(t("not_your_page"))} <a href="${esc(ktPage.me.home)}">${esc(t("your_page"))}</a></p>`;
    document.body.dataset.ready = "true"; return;
  }
  await ktPage.onStart(ktPage.me, false);
  document.body.dataset.ready = "true";
}

// a page calls this once with its start function (me, relanguage) -> shows its data
function rolePage(onStart) {
  ktPage.onStart = onStart;
  pageHeader(); loginDialog(); retext(); begin();
}
