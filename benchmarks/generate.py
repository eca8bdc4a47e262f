"""Generator time and peak memory at the default scale (and small with --quick), as JSON lines.

Memory is the process's peak resident set (tracemalloc would slow the generator tenfold).
"""

from __future__ import annotations

import argparse
import json
import resource
import time


def measure(scale: str, seed: int) -> list[dict[str, object]]:
    from kontrolltarn.synth import generate

    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    began = time.perf_counter()
    syn = generate(scale, seed=seed)
    seconds = time.perf_counter() - began
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    case = f"{scale}/seed{seed}"
    h = syn.hospital
    return [
        {"bench": "generate", "case": case, "metric": "time", "value": round(seconds, 2), "unit": "s"},
        {"bench": "generate", "case": case, "metric": "peak_rss",
         "value": round(peak_kib / 1024, 1), "unit": "MiB"},
        {"bench": "generate", "case": case, "metric": "rss_growth",
         "value": round((peak_kib - before) / 1024, 1), "unit": "MiB"},
        {"bench": "generate", "case": case, "metric": "operations_per_year",
         "value": round(len(syn.history) * 364 / max(1, syn.scale.history_days)), "unit": "operations",
         "reference": 59000},
        {"bench": "generate", "case": case, "metric": "referrals_waiting", "value": len(h.referrals),
         "unit": "referrals"},
        {"bench": "generate", "case": case, "metric": "sessions", "value": len(h.sessions),
         "unit": "sessions"},
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small scale only")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    for scale in (["small"] if args.quick else ["small", "default"]):
        for line in measure(scale, args.seed):
            print(json.dumps(line), flush=True)


if __name__ == "__main__":
    main()
