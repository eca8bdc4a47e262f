"""INRC-II static benchmark: per instance the checker's cost and its gaps to the best known and
to the lower bound (staffing module's CP-SAT engine).

    kontrolltarn bench inrc2 --quick                        # the 9 test-dataset instances, 4 s each
    kontrolltarn bench inrc2 --time-limit 300 --instances static40 --seed 0
    kontrolltarn bench inrc2 --time-limit 30 --instances n030w4_1_6-2-9-1,n040w4_0_2-0-6-1

One JSON object per instance on stdout: bench, case, metric ("cost"), value, unit, and instance,
cost, hard_violations, best_known_cost, lower_bound, gap_to_best_pct, gap_to_bound_pct,
seconds, status, time_limit_s, seed. Every roster is judged by the independent checker
(``evaluate_inrc2``, equal to the organisers' validator), never by the solver's own objective.
Progress goes to stderr. Ctrl-C stops the running search: its instance is reported with the
best roster so far, and the run ends there (exit code 130). The exit code is 1 when a roster
breaks a hard constraint. Instances are read from ../shared/benchmarks/inrc2 (the run stops, saying so,
when absent). ``--out DIR`` writes each roster in the organisers' format. ``--markdown FILE...``
prints the table of earlier JSON-lines output (in ``static40``'s order where listed there) with
a summary per horizon (4 and 8 weeks) against the issue's targets, and exits.
"""

from __future__ import annotations

import argparse
import csv
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from kontrolltarn.formats.inrc2 import read_instance, read_solution, write_solution  # noqa: E402
from kontrolltarn.model.inrc2 import Instance  # noqa: E402
from kontrolltarn.plan.staffing import evaluate_inrc2, solve_inrc2  # noqa: E402

DATA = ROOT.parent / "shared" / "benchmarks" / "inrc2"
LISTS = ("static40", "late28", "hidden60", "test9")
QUICK_LIMIT = 4.0


def expand(spec: str) -> list[str]:
    """Instance ids from a comma list of ids and list names (static40, late28, hidden60, test9)."""
    ids: list[str] = []
    for part in (p.strip() for p in spec.split(",")):
        if part in LISTS:
            ids += (DATA / "lists" / f"{part}.txt").read_text(encoding="utf-8").split()
        elif part:
            ids.append(part)
    return ids


def best_known() -> dict[str, dict[str, str]]:
    with (DATA / "best_known.csv").open(encoding="utf-8") as fh:
        return {row["instance"]: row for row in csv.DictReader(fh)}


def _number(text: str | None) -> int | None:
    return int(float(text)) if text else None


def _gap(cost: int, reference: int | None) -> float | None:
    return None if not reference else round(100 * (cost - reference) / reference, 2)


def sample_cost(instance: Instance) -> int | None:
    """The organisers' sample roster's cost by our checker (test datasets only): a reference
    where no best known exists."""
    folder = DATA / "datasets" / instance.dataset / (
        f"Solution_H_{instance.history_number}-WD_{'-'.join(map(str, instance.week_files))}")
    if not folder.is_dir():
        return None
    return evaluate_inrc2(instance, read_solution(instance, folder)).total_cost


class _Progress:
    """One stderr line per better roster, at most every half second."""

    def __init__(self, instance_id: str) -> None:
        self.instance_id, self.last = instance_id, 0.0

    def built(self, seconds: float) -> None:
        print(f"[inrc2] {self.instance_id}: model built in {seconds:.1f} s", file=sys.stderr, flush=True)

    def __call__(self, objective: float, bound: float, seconds: float) -> None:
        if seconds - self.last >= 0.5:
            self.last = seconds
            print(f"[inrc2] {self.instance_id}: {seconds:6.1f} s  objective {objective:.0f}  "
                  f"bound {bound:.0f}", file=sys.stderr, flush=True)


def measure(instance_id: str, time_limit: float, seed: int, workers: int,
            known: dict[str, dict[str, str]], out: Path | None) -> tuple[dict[str, object], bool]:
    """The JSON record of one instance, and whether Ctrl-C stopped it."""
    instance = read_instance(instance_id, DATA / "datasets")
    progress = _Progress(instance_id)
    began = time.perf_counter()
    result = solve_inrc2(instance, time_limit, seed, workers, progress=progress, on_built=progress.built)
    seconds = time.perf_counter() - began
    judged = evaluate_inrc2(instance, result.solution)
    if out is not None:
        write_solution(instance, result.solution, out / instance_id)
    row = known.get(instance_id, {})
    best, bound = _number(row.get("best_known_cost")), _number(row.get("lower_bound"))
    cost = judged.total_cost
    record: dict[str, object] = {
        "bench": "inrc2", "case": instance_id, "metric": "cost", "value": cost, "unit": "penalty",
        "instance": instance_id, "cost": cost, "hard_violations": judged.total_violations,
        "best_known_cost": best, "lower_bound": bound,
        "gap_to_best_pct": _gap(cost, best), "gap_to_bound_pct": _gap(cost, bound),
        "seconds": round(seconds, 1), "status": result.status, "time_limit_s": time_limit,
        "seed": seed, "workers": workers,
        "lp_bound": result.bound,  # the engine's own: the root LP of column generation
    }
    if best is None:
        record["sample_solution_cost"] = sample_cost(instance)
    if result.interrupted:
        record["interrupted"] = True
    return record, result.interrupted


#: the largest gap to the best known the issue accepts, per number of weeks
TARGET_GAP_PCT = {4: 2.0, 8: 5.0}


def weeks_of(instance_id: str) -> int:
    """``n030w4_1_6-2-9-1`` -> 4."""
    return int(instance_id.split("_")[0].split("w")[1])


def markdown(paths: list[Path]) -> str:
    """The gap table of earlier runs and, per horizon, the mean and largest gap, how many are
    within the target and how many rosters break a hard constraint."""
    records = [json.loads(line) for path in paths
               for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    order = {name: i for i, name in enumerate(expand("static40"))} if DATA.is_dir() else {}
    records.sort(key=lambda r: (order.get(r["instance"], len(order)), r["instance"]))
    out = ["| instance | cost | best known | gap % | lower bound | gap to bound % | hard violations "
           "| status |", "|---|---|---|---|---|---|---|---|"]
    for r in records:
        out.append(f"| {r['instance']} | {r['cost']} | {r['best_known_cost'] or ''} | "
                   f"{'' if r['gap_to_best_pct'] is None else r['gap_to_best_pct']} | "
                   f"{r['lower_bound'] or ''} | "
                   f"{'' if r['gap_to_bound_pct'] is None else r['gap_to_bound_pct']} | "
                   f"{r['hard_violations']} | {r['status']} |")
    out.append("")
    for weeks, target in TARGET_GAP_PCT.items():
        gaps = [r["gap_to_best_pct"] for r in records
                if weeks_of(r["instance"]) == weeks and r["gap_to_best_pct"] is not None]
        rosters = [r for r in records if weeks_of(r["instance"]) == weeks]
        if not rosters:
            continue
        broken = sum(1 for r in rosters if r["hard_violations"])
        mean = sum(gaps) / len(gaps) if gaps else float("nan")
        out.append(f"- {weeks} weeks: {len(rosters)} instances, {broken} with hard violations; gap "
                   f"to the best known mean {mean:.2f} %, median {statistics.median(gaps):.2f} %, "
                   f"largest {max(gaps):.2f} %; {sum(g <= target for g in gaps)} within {target:g} %")
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help=f"the 9 test-dataset instances, {QUICK_LIMIT:g} s each")
    parser.add_argument("--instances", default=None,
                        help="comma list of instance ids and lists (static40, late28, hidden60, "
                             "test9); default static40, or test9 with --quick")
    parser.add_argument("--time-limit", type=float, default=None,
                        help=f"seconds per instance (default 300, {QUICK_LIMIT:g} with --quick)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workers", type=int, default=2, help="CP-SAT threads per instance")
    parser.add_argument("--out", type=Path, default=None, help="write each roster to OUT/<instance>/")
    parser.add_argument("--markdown", type=Path, nargs="+",
                        help="print the Markdown table of earlier JSON-lines files and exit")
    args = parser.parse_args()
    if args.markdown:
        print(markdown(args.markdown))
        return
    if not DATA.is_dir():
        raise SystemExit(f"INRC-II data not found at {DATA}: nothing to run")
    ids = expand(args.instances or ("test9" if args.quick else "static40"))
    limit = args.time_limit or (QUICK_LIMIT if args.quick else 300.0)
    known = best_known()
    broken = interrupted = False
    try:
        for instance_id in ids:
            record, interrupted = measure(instance_id, limit, args.seed, args.workers, known, args.out)
            print(json.dumps(record), flush=True)
            broken |= bool(record["hard_violations"])
            if interrupted:
                print("[inrc2] stopped by Ctrl-C", file=sys.stderr)
                break
    except KeyboardInterrupt:  # between searches (reading, building): nothing half-reported
        print("[inrc2] stopped by Ctrl-C", file=sys.stderr)
        raise SystemExit(130) from None
    if broken:
        raise SystemExit(1)
    if interrupted:  # the last line holds the best roster so far; the run is not complete
        raise SystemExit(130)


if __name__ == "__main__":
    main()
