"""Integration benchmark: import speed of a large waiting list (FHIR Bundle, xlsx, CSV) and the
round trip. Prints one JSON object per line. --quick uses 2,000 referrals instead of 10,000."""

from __future__ import annotations

import json
import sys
import time
from dataclasses import replace
from datetime import timedelta

from kontrolltarn.formats.importer import export_bytes, import_file
from kontrolltarn.model import Patient
from kontrolltarn.synth.generator import generate

TARGET_S = 30.0  # the issue: 10,000 referrals in at most 30 s


def waiting_list(n: int):
    """The small synthetic hospital with its waiting list grown to ``n`` referrals (each with
    its own patient), so the file holds n ServiceRequests and n Patients."""
    hospital = generate("small", seed=7).hospital.replace(cases=())
    base = hospital.referrals
    patients = {p.id: p for p in hospital.patients}
    referrals, new_patients = [], []
    for i in range(n):
        r = base[i % len(base)]
        p = patients[r.patient_id]
        pid, rid = f"BP{i:06d}", f"BR{i:06d}"
        new_patients.append(Patient(pid, p.birth_date, p.sex, p.asa, p.bmi, p.national_id))
        referrals.append(replace(r, id=rid, patient_id=pid,
                                 deadline=r.deadline + timedelta(days=i % 30)))
    return hospital.replace(patients=tuple(new_patients), referrals=tuple(referrals))


def main() -> None:
    quick = "--quick" in sys.argv
    n = 2000 if quick else 10000
    hospital = waiting_list(n)
    for fmt, name in (("fhir", "waiting.json"), ("xlsx", "waiting.xlsx")):
        payload = export_bytes(hospital, fmt)
        start, cpu = time.perf_counter(), time.process_time()
        result = import_file(payload, name=name)
        seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - cpu
        same = result.ok and result.hospital == hospital
        print(json.dumps({"bench": "integration", "case": f"{fmt}-{n}-referrals",
                          "metric": "import_seconds", "value": round(seconds, 2), "unit": "s",
                          "reference": TARGET_S * n / 10000}))
        # CPU time too: the machine is shared, so wall-clock time depends on the load
        print(json.dumps({"bench": "integration", "case": f"{fmt}-{n}-referrals",
                          "metric": "import_cpu_seconds", "value": round(cpu_seconds, 2),
                          "unit": "s", "reference": TARGET_S * n / 10000}))
        print(json.dumps({"bench": "integration", "case": f"{fmt}-{n}-referrals",
                          "metric": "referrals_per_second", "value": round(n / seconds),
                          "unit": "1/s"}))
        print(json.dumps({"bench": "integration", "case": f"{fmt}-{n}-referrals",
                          "metric": "round_trip_identical", "value": bool(same), "unit": "bool"}))
        print(json.dumps({"bench": "integration", "case": f"{fmt}-{n}-referrals",
                          "metric": "file_size", "value": len(payload), "unit": "bytes"}))


if __name__ == "__main__":
    main()
