"""Shared test fixtures: the shared-data path, the seed article, and one spaCy pipeline per session."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("EVENTWIRE_SHARED", REPO.parent / "shared"))
SEED_PATH = SHARED / "seeds" / "000_3d0455d412e793cd.txt"


def shared_path(*parts: str) -> Path:
    """A path under ../shared, skipping the test when the shared data is absent."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"shared data not available: {path}")
    return path


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not SHARED.is_dir():
        pytest.skip(f"shared data not available: {SHARED}")
    return SHARED


@pytest.fixture(scope="session")
def seed_lines() -> list[str]:
    return shared_path("seeds", "000_3d0455d412e793cd.txt").read_text("utf-8").split("\n")


@pytest.fixture(scope="session")
def seed_article_raw(seed_lines: list[str]) -> dict[str, object]:
    """The seed record split by hand (independent of the reader): title, body, published."""
    lines = [ln for ln in seed_lines if ln.strip()]
    return {
        "title": lines[0],
        "text": "\n".join(lines[1:-2]),
        "image_url": lines[-2],
        "published": datetime(2025, 3, 17, 19, 27),
    }


@pytest.fixture(scope="session")
def nlp_stage() -> Iterator[object]:
    from eventwire.stages.nlp import NlpStage

    stage = NlpStage()
    stage.initialize()
    stage._initialized = True
    yield stage


@pytest.fixture(scope="session")
def full_pipeline() -> object:
    """The configured default pipeline (all stages), built once per session."""
    from eventwire.pipeline import build_pipeline

    return build_pipeline()


@pytest.fixture(scope="session")
def seed_coded(full_pipeline: object, seed_article_raw: dict[str, object]) -> object:
    """The seed article through the full pipeline."""
    from eventwire.model import Article

    article = Article.create(
        str(seed_article_raw["text"]),
        title=str(seed_article_raw["title"]),
        source=str(SEED_PATH),
        published=seed_article_raw["published"],
        image_url=str(seed_article_raw["image_url"]),
    )
    return next(iter(full_pipeline.pipe([article])))  # type: ignore[attr-defined]
