"""Reader for the Thoraxcentrum Twente cardiothoracic durations (evaluation only).

The file lives outside the project (``../shared/datasets/tct-surgical-case-durations/``, no
licence: read it, never copy it or show rows). Only what is known before surgery becomes a
feature: procedure, surgeon, anaesthetist, approach, room, urgency, part of day, patient
factors, risk scores and the booked duration. Length of stay, ICU stay, the number of
anastomoses and the heart-lung machine flag are recorded during or after surgery and are left
out.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from kontrolltarn.model import ModelError

from .durations import DurationModel

DATASET = "tct-surgical-case-durations/surgical_case_durations.csv"
_FLAGS = ("AF", "Chronische longziekte", "Extracardiale vaatpathie", "Eerdere hartchirurgie",
          "Actieve endocarditis", "Kritische preoperatieve status", "Myocard infact <90 dagen",
          "Aorta chirurgie", "Pulmonale hypertensie", "Slechte mobiliteit", "DM",
          "Hypercholesterolemie", "Hypertensie", "Perifeer vaatlijden")
TCT_CATEGORICAL = ("procedure_code", "surgeon_id", "procedure_surgeon", "anaesthetist",
                   "approach", "location_id", "urgency", "daypart", "patient_sex", "lv_function",
                   "renal_function")
TCT_NUMERIC = ("patient_age", "bmi", "euroscore1", "euroscore2", "ccs", "nyha", "log_booked",
               *(f"flag_{i}" for i in range(len(_FLAGS))))


def find_dataset(start: Path | None = None) -> Path | None:
    """The CSV in ``../shared/datasets`` beside the checkout, or None when absent."""
    here = (start or Path(__file__)).resolve()
    for parent in here.parents:
        candidate = parent.parent / "shared" / "datasets" / DATASET
        if candidate.exists():
            return candidate
    return None


def load_tct(path: Path) -> pd.DataFrame:
    """Feature frame of the usable cases (booked and actual minutes present and positive)."""
    raw = pd.read_csv(path, sep=";", encoding="latin-1", decimal=",",
                      na_values=["NULL", "Onbekend"])
    for column in ("Operatietype", "Chirurg", "Geplande operatieduur", "Operatieduur"):
        if column not in raw.columns:
            raise ModelError("tct.columns", column, "expected column missing")
    usable = raw["Geplande operatieduur"].gt(0) & raw["Operatieduur"].gt(0)
    raw = raw[usable].reset_index(drop=True)
    frame = pd.DataFrame({
        "procedure_code": raw["Operatietype"], "surgeon_id": raw["Chirurg"],
        "anaesthetist": raw["Anesthesioloog"].astype("string"), "approach": raw["Benadering"],
        "location_id": raw["OK"], "urgency": raw["Casustype"], "daypart": raw["Dagdeel"],
        "patient_sex": raw["Geslacht"], "lv_function": raw["Linker ventrikel functie"],
        "renal_function": raw["Nierfunctie"], "patient_age": raw["Leeftijd"], "bmi": raw["BMI"],
        "euroscore1": raw["Euroscore1"], "euroscore2": raw["Euroscore2"], "ccs": raw["CCS"],
        "nyha": raw["NYHA"], "booked_min": raw["Geplande operatieduur"].astype(float),
        "actual_min": raw["Operatieduur"].astype(float),
    })
    frame["log_booked"] = np.log(frame["booked_min"])
    frame["procedure_surgeon"] = (frame["procedure_code"].astype(str) + "|"
                                  + frame["surgeon_id"].astype(str))
    for i, column in enumerate(_FLAGS):
        frame[f"flag_{i}"] = raw[column].eq("J").astype(float).where(raw[column].notna())
    return frame


def tct_model(seed: int = 0) -> DurationModel:
    """The duration model configured for this data (measured, see docs/predict.md): robust
    empirical-Bayes ridge plus a Huber-loss boosted residual, procedure×surgeon as its own
    category."""
    return DurationModel(categorical=TCT_CATEGORICAL, numeric=TCT_NUMERIC,
                         spread_groups=("procedure_code",), boost=True, boost_objective="huber",
                         robust_steps=3, seed=seed)
