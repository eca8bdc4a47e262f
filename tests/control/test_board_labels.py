"""Short room labels on the wall board: distinct within a location, never a cut name."""

from __future__ import annotations

from dataclasses import replace

from kontrolltarn.control.board import room_labels
from kontrolltarn.model import Hospital


def test_the_usual_rooms_get_their_number_and_other_kinds_an_initial(small_day) -> None:  # type: ignore[no-untyped-def]
    hospital: Hospital = small_day[0]
    for location in hospital.locations:
        labels = room_labels(hospital, location.id)
        rooms = [r for r in hospital.rooms if r.location_id == location.id]
        assert set(labels) == {r.id for r in rooms}
        assert len(set(labels.values())) == len(rooms)  # rooms can be told apart
        for room in rooms:
            number = room.name.split()[-1]
            expected = number if " stue " in room.name else "Ø" + number
            assert labels[room.id] == expected, room.name


def test_names_that_would_clash_are_kept_whole(small_day) -> None:  # type: ignore[no-untyped-def]
    hospital: Hospital = small_day[0]
    first, second = [r for r in hospital.rooms if r.location_id == "SEN"][:2]
    # "Sentrum stue 1" and "Sentrum sal 1" would both be "1" or clash on the number
    renamed = tuple(replace(r, name="Sentrum stue A") if r.id == first.id else
                    replace(r, name="Sentrum stue a") if r.id == second.id else r
                    for r in hospital.rooms)
    labels = room_labels(replace(hospital, rooms=renamed), "SEN")
    assert labels[first.id] == "stue A" and labels[second.id] == "stue a"
    clash = tuple(replace(r, name="Sentrum stue 7") if r.id in (first.id, second.id) else r
                  for r in hospital.rooms)
    labels = room_labels(replace(hospital, rooms=clash), "SEN")
    assert labels[first.id] == labels[second.id] == "Sentrum stue 7"
