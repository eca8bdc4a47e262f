#!/usr/bin/env bash
# Renew the docs' pictures of the porter, nurse and patient pages at 390×844 (docs/role-*.png):
# the browser tests of the pages per role take them, into docs/ only when asked to.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
KONTROLLTARN_DOC_SCREENSHOTS=1 "$PY" -m pytest tests/service/test_role_pages.py -q -p no:randomly "$@"
ls -l docs/role-porter.png docs/role-nurse.png docs/role-patient.png
