"""Scenarios the web tests post."""

from __future__ import annotations

#: a short run of the rare-earth pack, posted as YAML
SHORT_RUN = """\
name: short-run
description: the rare-earth pack, 2024-2026
pack: rare_earths
years: [2024, 2026]
"""
#: the same with Russia's mine output doubled by 2026
SHORT_RUSSIA = (
    SHORT_RUN.replace("short-run", "short-russia")
    + """\
levers:
  - type: capacity_target
    region: RUS
    stage: mining
    multiple: 2
    year: 2026
"""
)
