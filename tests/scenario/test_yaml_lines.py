"""The line of a field in scenario YAML, which an editor marks when the field is wrong."""

from __future__ import annotations

import yaml
from hypothesis import given
from hypothesis import strategies as st

from mineralflow.yamltext import field_line

TEXT = """name: x
base: baseline
levers:
  - type: capacity_target
    region: RUS
    multiple: -2
  - type: export_quota
    note: |
      two lines
      of note
    share: 0.5
"""


def test_each_field_has_its_line() -> None:
    assert field_line(TEXT, "name") == 1
    assert field_line(TEXT, "levers[0].multiple") == 6
    assert field_line(TEXT, "levers[1]") == 7
    assert field_line(TEXT, "levers[1].share") == 11


def test_a_missing_part_gives_the_deepest_part_found() -> None:
    assert field_line(TEXT, "levers[0].tonnes") == 4  # the lever that lacks it
    assert field_line(TEXT, "levers[9]") == 4  # the list of levers
    assert field_line(TEXT, "nothing") is None
    assert field_line("levers: [", "levers") is None  # not YAML


keys = st.from_regex(r"[a-z]{1,8}", fullmatch=True)


@given(
    st.lists(st.tuples(keys, st.integers(0, 99)), min_size=1, max_size=12, unique_by=lambda p: p[0])
)
def test_a_flat_mapping_gives_each_key_its_own_line(pairs: list[tuple[str, int]]) -> None:
    text = yaml.safe_dump(dict(pairs), sort_keys=False)
    for line, (key, _) in enumerate(pairs, start=1):
        assert field_line(text, key) == line
