// Texts of the roster pages (the unit leader's roster, the staff member's own page), bokmål and English.
Object.assign(window.KT_TEXT.nb, {
  role_unit_leader: "enhetsleder", role_staff_member: "ansatt",
  title_staff: "Kontrolltårn – mine vakter", title_roster: "Kontrolltårn – turnus",
  st_title: "Mine vakter", st_none: "Ingen vakter i publisert turnus.", st_no_roster: "Enheten har ingen publisert turnus ennå.",
  st_ask: "Be om endring", st_kind: "Hva", k_swap: "Bytte med kollega", k_absence: "Fravær", k_wish: "Ønske om fri",
  st_day: "Dag", st_until: "Til og med", st_colleague: "Kollega", st_colleague_day: "Kollegaens dag (tom: samme dag)",
  st_note: "Merknad", st_send: "Send", st_ok: "Ingen regler brytes. Sendt til enhetsleder.",
  st_broken: "Dette bryter arbeidsmiljøloven eller avtalen – lederen kan ikke godkjenne det:",
  st_mine: "Mine forespørsler", st_none_req: "Ingen forespørsler.",
  breach_line: "{rule} {date}: {detail}", breach_hours: "{h} t over grensen",
  state_asked: "venter", state_approved: "godkjent", state_refused: "avslått",
  r_daily_rest: "Daglig hvile", r_weekly_rest: "Ukentlig hvile", r_overlap: "Overlappende vakter",
  r_unavailable: "Fraværsdag", r_break: "Pause", r_total_day: "Arbeidstid per dag", r_overtime_week: "Overtid per uke",
  r_overtime_4weeks: "Overtid per 4 uker", r_overtime_year: "Overtid per år", r_total_week: "Arbeidstid per uke (snitt)",
  r_averaging: "Gjennomsnittsberegning", r_night_work: "Nattarbeid", r_sunday_work: "Søndagsarbeid", r_publication: "Varsel om turnus",
  r_coverage: "Bemanning", r_competence_mix: "Kompetanse",
  ro_title: "Turnus", ro_unit: "Enhet {unit}", ro_version: "Versjon", ro_status_draft: "utkast", ro_status_published: "publisert",
  ro_status_superseded: "erstattet", ro_publish: "Publiser", ro_why: "Begrunnelse", ro_published: "Turnusen er publisert.",
  ro_not_published: "Kan ikke publiseres: {n} brudd.", ro_breaches: "Brudd", ro_no_breaches: "Ingen brudd.",
  ro_coverage: "Bemanning per vakt", ro_person: "Person", ro_requests: "Forespørsler", ro_approve: "Godkjenn",
  ro_refuse: "Avslå", ro_refused_why: "Avslått av leder", ro_cannot: "Kan ikke godkjennes: {rules}",
  ro_approved: "Godkjent – turnusen er oppdatert.", ro_upload: "Last opp utkast (JSON fra «kontrolltarn roster»)",
  ro_none: "Enheten har ingen turnus ennå.", ro_short: "mangler {n}", ro_asked_by: "{who}: {kind} {day}",
  ro_with: "med {who} ({day})"
});
Object.assign(window.KT_TEXT.en, {
  role_unit_leader: "unit leader", role_staff_member: "staff member",
  title_staff: "Kontrolltårn – my shifts", title_roster: "Kontrolltårn – roster",
  st_title: "My shifts", st_none: "No shifts in the published roster.", st_no_roster: "The unit has no published roster yet.",
  st_ask: "Ask for a change", st_kind: "What", k_swap: "Swap with a colleague", k_absence: "Absence", k_wish: "Wish for a day off",
  st_day: "Day", st_until: "Until", st_colleague: "Colleague", st_colleague_day: "Colleague's day (empty: the same day)",
  st_note: "Note", st_send: "Send", st_ok: "No rule is broken. Sent to the unit leader.",
  st_broken: "This breaks the Working Environment Act or the agreement – the leader cannot approve it:",
  st_mine: "My requests", st_none_req: "No requests.",
  breach_line: "{rule} {date}: {detail}", breach_hours: "{h} h over the limit",
  state_asked: "waiting", state_approved: "approved", state_refused: "refused",
  r_daily_rest: "Daily rest", r_weekly_rest: "Weekly rest", r_overlap: "Overlapping shifts",
  r_unavailable: "Day away", r_break: "Break", r_total_day: "Hours per day", r_overtime_week: "Overtime per week",
  r_overtime_4weeks: "Overtime per 4 weeks", r_overtime_year: "Overtime per year", r_total_week: "Hours per week (average)",
  r_averaging: "Averaging agreement", r_night_work: "Night work", r_sunday_work: "Sunday work", r_publication: "Roster notice",
  r_coverage: "Staffing", r_competence_mix: "Competence",
  ro_title: "Roster", ro_unit: "Unit {unit}", ro_version: "Version", ro_status_draft: "draft", ro_status_published: "published",
  ro_status_superseded: "superseded", ro_publish: "Publish", ro_why: "Reason", ro_published: "The roster is published.",
  ro_not_published: "Cannot be published: {n} breaches.", ro_breaches: "Breaches", ro_no_breaches: "No breaches.",
  ro_coverage: "Staffing per shift", ro_person: "Person", ro_requests: "Requests", ro_approve: "Approve",
  ro_refuse: "Refuse", ro_refused_why: "Refused by the leader", ro_cannot: "Cannot be approved: {rules}",
  ro_approved: "Approved – the roster is updated.", ro_upload: "Upload a draft (JSON from “kontrolltarn roster”)",
  ro_none: "The unit has no roster yet.", ro_short: "{n} short", ro_asked_by: "{who}: {kind} {day}",
  ro_with: "with {who} ({day})"
});
// a breach as one line: the rule's name, the date(s), how far over (hours, or people short);
// the checker's own sentence is English, so a Norwegian page leaves it out
window.ktBreach = b => {
  const date = b.first === b.last ? ktDay(b.first) : `${ktDay(b.first)}–${ktDay(b.last)}`;
  const over = b.hours != null ? t("breach_hours", { h: ktNum(b.hours, 1) }) : t("ro_short", { n: b.people });
  const detail = ktLang() === "en" ? ` – ${b.detail}` : "";
  return `${t("r_" + b.rule)} ${date}${b.person_id ? " · " + b.person_id : ""}: ${over}${detail}`;
};
