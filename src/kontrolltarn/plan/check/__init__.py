"""The planning rules: the independent program validator ``check(hospital, program) ->
CheckReport`` and, derived from the same registry, the feasibility kernel ``ProgramState``
("can this case go here, given the program so far?", see ``kernel``).

``check`` is the specification of a valid program. Tests, benchmarks, the CLI and the service
judge every planner's output with it; every planner, repair, policy and suggestion asks the
kernel. Neither imports a planner.
"""

from __future__ import annotations

from kontrolltarn.model import Hospital, Program

from .constraints import CONSTRAINTS, Constraint, Context, _busy_minutes
from .kernel import HARD_RULES, ProgramState
from .local import LocalRules, SessionRules, rule_parts, shipped_rules
from .report import CheckReport, Level, Violation

__all__ = ["CONSTRAINTS", "HARD_RULES", "CheckReport", "Constraint", "Level", "LocalRules",
           "ProgramState", "SessionRules", "Violation", "check", "constraints_table",
           "rule_parts", "shipped_rules"]


def check(hospital: Hospital, program: Program, rules: LocalRules | None = None) -> CheckReport:
    """Every violation of every constraint, each soft cost and the program's planned KPIs;
    ``rules``: the local planning rules (default: the shipped ``local_rules.toml``)."""
    ctx = Context(hospital, program, rules)
    report = CheckReport(weights={c.name: c.weight for c in CONSTRAINTS})
    for rule in CONSTRAINTS:
        report.violations.extend(rule.find(ctx))
    report.kpis = _planned_kpis(ctx, report)
    return report


def _planned_kpis(ctx: Context, report: CheckReport) -> dict[str, float]:
    """The KPIs of DOMAIN.md that a program alone determines, on planned durations. Session
    figures count only elective sessions that have at least one case or are in the program's
    date range (an empty staffed session is idle, not absent)."""
    entries = ctx.program.entries
    dates = {e.date for e in entries}
    sessions = [s for s in ctx.hospital.sessions if s.date in dates and not s.emergency]
    staffed = sum(s.staffed_min for s in sessions)
    in_room = with_turnover = 0
    over_30 = 0
    overtime = 0
    for s in sessions:
        planned = ctx.by_session.get(s.id, [])
        if not planned:
            continue
        in_room += _busy_minutes(ctx, planned, s, with_turnover=False)
        with_turnover += _busy_minutes(ctx, planned, s, with_turnover=True)
        over = max(r.entry.end_min for r in planned) - s.end_min
        overtime += max(0, over)
        over_30 += over > 30
    electives = [r for r in ctx.resolved if r.referral is not None]
    waits = [(r.entry.date - r.referral.referral_date).days for r in electives if r.referral]
    return {
        "cases": float(len(electives)),
        "emergency_cases": float(sum(r.emergency is not None for r in ctx.resolved)),
        "elective_sessions": float(len(sessions)),
        "staffed_minutes": float(staffed),
        "planned_utilisation": in_room / staffed if staffed else 0.0,
        "planned_utilisation_with_turnover": with_turnover / staffed if staffed else 0.0,
        "planned_overtime_minutes": float(overtime),
        "sessions_over_30_min_overtime": float(over_30),
        "planned_idle_minutes": float(staffed - with_turnover),
        "deadline_breaches": float(report.count("deadline breach")),
        "mean_wait_days": sum(waits) / len(waits) if waits else 0.0,
    }


def constraints_table() -> str:
    """The constraints as a Markdown table a clinician can read (generated, never hand-kept)."""
    lines = ["| constraint | level | weight | unit | rule |", "|---|---|---|---|---|"]
    for c in CONSTRAINTS:
        weight = f"{c.weight:g}" if c.level is Level.SOFT else "—"
        lines.append(f"| {c.name} | {c.level.value} | {weight} | {c.unit} | {c.description} |")
    return "\n".join(lines)
