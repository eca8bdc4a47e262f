"""IHTC-2024 benchmark: per instance the judged cost, gap to the best known, time, violations.

    python benchmarks/ihtc.py --quick                      # < 45 s: toy, test01, small01, i01
    python benchmarks/ihtc.py --time-limit 600 --instances public
    python benchmarks/ihtc.py --time-limit 60 --instances i03,i05 --threads 2 --seed 0
    python benchmarks/ihtc.py --time-limit 60 --instances test,public --variants 2

``--variants K`` replaces each named instance by K unseen variants of it (seeds 1..K, see
``plan.ihtc.variants``): known to be feasible, never tuned on; there is no reference cost.

One JSON object per line (bench, case, metric, value, unit, reference). Every solution is
judged by the independent evaluator, never by the solver's own bookkeeping. Instances are
read from ../shared/benchmarks/ihtc2024 (skipped, saying so, when absent).
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from kontrolltarn.formats.ihtc import read_instance, write_solution  # noqa: E402
from kontrolltarn.model.ihtc import Instance  # noqa: E402
from kontrolltarn.plan.ihtc import (  # noqa: E402
    evaluate,
    is_compiled,
    solve,
    solve_exact_warm,
    variant,
)

DATA = ROOT.parent / "shared" / "benchmarks" / "ihtc2024"
QUICK = ["toy", "test01", "small01", "i01"]
QUICK_LIMIT = 8.0


def instance_path(name: str) -> Path:
    if name == "toy":
        return DATA / "toy.json"
    folder = {"test": "test", "small": "small", "i": "public"}
    for prefix, sub in folder.items():
        if name.startswith(prefix):
            return DATA / sub / f"{name}.json"
    raise SystemExit(f"unknown instance name {name!r}")


def expand(spec: str) -> list[str]:
    names: list[str] = []
    for part in spec.split(","):
        part = part.strip()
        if part == "public":
            names += [f"i{k:02d}" for k in range(1, 21)]
        elif part == "test":
            names += [f"test{k:02d}" for k in range(1, 11)]
        elif part == "small":
            names += [f"small{k:02d}" for k in range(1, 10)]
        elif part:
            names.append(part)
    return names


def best_known() -> dict[str, dict[str, str]]:
    with (DATA / "best_known.csv").open(encoding="utf-8") as fh:
        return {row["instance"]: row for row in csv.DictReader(fh)}


def emit(case: str, metric: str, value: float | int | None, unit: str, **extra: object) -> None:
    print(json.dumps({"bench": "ihtc", "case": case, "metric": metric, "value": value,
                      "unit": unit, **extra}), flush=True)


def markdown(paths: list[Path]) -> str:
    """Gap table from earlier JSON-lines output (one row per instance and time limit)."""
    rows: dict[tuple[str, float, str], dict[str, object]] = {}
    for path in paths:
        for line in path.read_text(encoding="utf-8").splitlines():
            rec = json.loads(line)
            key = (rec["case"], rec.get("time_limit_s", 0.0), rec.get("mode", "heuristic"))
            row = rows.setdefault(key, {})
            row[rec["metric"]] = rec["value"]
            if rec["metric"] == "cost":
                row["reference"] = rec.get("reference")
                row["reference_kind"] = rec.get("reference_kind")
                row["threads"] = rec.get("threads")
    out = ["| instance | mode | limit s | threads | cost | reference | gap % | violations |"
           " time s |", "|---|---|---|---|---|---|---|---|---|"]
    for (case, limit, mode), row in sorted(rows.items()):
        ref = row.get("reference")
        kind = {"best_known_cost": "best known", "ref_solution_cost": "organisers' ref."}.get(
            str(row.get("reference_kind")), "")
        gap = row.get("gap")
        if mode == "exact":
            kind = "bound " + str(row.get("bound"))
            gap = "optimal" if row.get("optimal") else "not proven"
        out.append(f"| {case} | {mode} | {limit:g} | {row.get('threads', '')} | "
                   f"{row.get('cost', row.get('status', ''))} | "
                   f"{'' if ref is None else ref} {kind} | {'' if gap is None else gap} | "
                   f"{row.get('violations', '')} | {row.get('time', '')} |")
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="4 small instances, 8 s each")
    parser.add_argument("--instances", default="public",
                        help="comma list of names or groups: public, test, small, toy, i03, ...")
    parser.add_argument("--time-limit", type=float, default=600.0)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--exact", action="store_true",
                        help="CP-SAT exact model instead of the heuristic (small instances)")
    parser.add_argument("--variants", type=int, default=0,
                        help="run K unseen variants of each instance instead of the instance")
    parser.add_argument("--solutions", type=Path, default=Path("/tmp/ihtc-solutions"),
                        help="folder for the solution files")
    parser.add_argument("--markdown", type=Path, nargs="+",
                        help="print the Markdown gap table of earlier JSON-lines files and exit")
    args = parser.parse_args()
    if args.markdown:
        print(markdown(args.markdown))
        return
    if not DATA.is_dir():
        print(f"skipped: IHTC data not found at {DATA}", file=sys.stderr)
        return
    names = QUICK if args.quick else expand(args.instances)
    limit = QUICK_LIMIT if args.quick else args.time_limit
    threads = 1 if args.quick else args.threads
    known = best_known()
    args.solutions.mkdir(parents=True, exist_ok=True)
    for name, inst in _instances(names, args.variants):
        started = time.monotonic()
        if args.exact:
            best, exact = solve_exact_warm(inst, seed=args.seed, time_limit=limit,
                                           threads=threads)
            elapsed = time.monotonic() - started
            common = {"time_limit_s": limit, "threads": threads, "seed": args.seed,
                      "mode": "exact"}
            write_solution(inst, best.solution, args.solutions / f"exact_{name}.json")
            judged = evaluate(inst, best.solution)
            emit(name, "cost", judged.total_cost, "cost", model_objective=exact.objective,
                 **common)
            emit(name, "bound", exact.bound, "cost", **common)
            proven = exact.optimal and judged.total_cost <= exact.bound + 1e-6
            emit(name, "optimal", proven, "bool", status=exact.status, **common)
            emit(name, "violations", judged.total_violations, "count", **common)
            emit(name, "time", round(elapsed, 1), "s", **common)
            continue
        result = solve(inst, seed=args.seed, time_limit=limit, threads=threads)
        elapsed = time.monotonic() - started
        write_solution(inst, result.solution, args.solutions / f"sol_{name}.json")
        judged = evaluate(inst, result.solution)
        row = known.get(name, {})
        ref = row.get("best_known_cost") or row.get("ref_solution_cost") or None
        ref_kind = "best_known_cost" if row.get("best_known_cost") else (
            "ref_solution_cost" if ref else None)
        ref_value = int(ref) if ref else None
        gap = (100.0 * (judged.total_cost - ref_value) / ref_value) if ref_value else None
        common = {"time_limit_s": limit, "threads": threads, "seed": args.seed,
                  "compiled": is_compiled()}
        emit(name, "cost", judged.total_cost, "cost", reference=ref_value,
             reference_kind=ref_kind, **common)
        emit(name, "gap", None if gap is None else round(gap, 2), "%", reference=ref_kind,
             **common)
        emit(name, "violations", judged.total_violations, "count", **common)
        emit(name, "time", round(elapsed, 1), "s", **common)
        emit(name, "moves", result.iterations, "count", seed_used=result.seed, **common)


def _instances(names: list[str], variants: int) -> Iterator[tuple[str, Instance]]:
    for name in names:
        path = instance_path(name)
        if variants <= 0:
            yield name, read_instance(path)
            continue
        data = json.loads(path.read_text(encoding="utf-8"))
        for seed in range(1, variants + 1):
            yield f"{name}-v{seed}", read_instance(variant(data, seed), name=f"{name}-v{seed}")


if __name__ == "__main__":
    main()
