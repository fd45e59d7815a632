"""docs/configuration.md stays true: it documents every setting, and nothing that is not one."""

from __future__ import annotations

import re
from pathlib import Path

from pydantic import BaseModel

from contracts.settings import ENV_NESTED_DELIMITER, ENV_PREFIX, Settings

DOC = Path(__file__).resolve().parents[3] / "docs" / "configuration.md"


def _variables(model: type[BaseModel], prefix: str) -> set[str]:
    names: set[str] = set()
    for name, field in model.model_fields.items():
        kind = field.annotation
        if isinstance(kind, type) and issubclass(kind, BaseModel):
            names |= _variables(kind, f"{prefix}{name.upper()}{ENV_NESTED_DELIMITER}")
        else:
            names.add(f"{prefix}{name.upper()}")
    return names


def _documented(text: str) -> set[str]:
    found: set[str] = set()
    for row in text.splitlines():
        if not row.startswith("| `KHABAR_"):
            continue
        cell = row.split("|")[1]
        full = re.findall(r"`(KHABAR_[A-Z_]+)`", cell)
        found.update(full)
        # "`KHABAR_X__A` / `…__B`": the short form shares the group of the first name.
        for short in re.findall(r"`…(__[A-Z_]+)`", cell):
            group = full[0].rsplit(ENV_NESTED_DELIMITER, 1)[0]
            found.add(group + short)
    return found


def test_every_setting_is_documented_and_every_documented_one_exists() -> None:
    settings = _variables(Settings, ENV_PREFIX)
    documented = _documented(DOC.read_text(encoding="utf-8"))
    assert settings - documented == set(), "settings missing from docs/configuration.md"
    assert documented - settings == set(), "docs/configuration.md names variables that are not settings"
