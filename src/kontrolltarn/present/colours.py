"""One palette for every chart: each specialty (or policy, location) gets a colour of its own."""

from __future__ import annotations

from collections.abc import Iterable

#: 20 colours told apart in print and on screen (Tableau 10, then its lighter and darker kin);
#: a hospital has about 10 specialties
PALETTE = (
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
    "#bcbd22", "#17becf", "#393b79", "#637939", "#8c6d31", "#843c39", "#7b4173", "#aec7e8",
    "#ffbb78", "#98df8a", "#ff9896", "#c5b0d5",
)


def colour_map(keys: Iterable[str]) -> dict[str, str]:
    """A colour per key, distinct for up to ``len(PALETTE)`` keys. Keys are taken sorted, so the
    same set of specialties has the same colours in every chart of a report."""
    ordered = sorted(set(keys))
    return {key: PALETTE[i % len(PALETTE)] for i, key in enumerate(ordered)}
