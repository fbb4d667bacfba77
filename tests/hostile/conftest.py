"""Fixtures of the hostile-input suite (helpers live in ``hostile_support``)."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture()
def secret_file(tmp_path: Path) -> tuple[Path, str]:
    """A local 'secret' that an XML external entity might try to pull into the output."""
    marker = "EVENTWIRE-SECRET-7f3a9c-DO-NOT-LEAK"
    path = tmp_path / "secret.txt"
    path.write_text(marker + "\n", encoding="utf-8")
    return path, marker
