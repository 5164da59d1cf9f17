"""Config: validation names the key, suggests the close one, and resolves paths."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from bot.config import Settings, load_settings
from bot.errors import ConfigError
from tests.conftest import REPO


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_config_loads_with_corpus_relative_to_the_file(settings):
    assert settings.corpus.path == REPO / "corpus"
    assert settings.retrieval.engine == "rank-bm25"
    assert settings.answer.top_k == 3


def test_unknown_key_is_named_with_a_suggestion(tmp_path):
    path = write(tmp_path, "retrieval:\n  algoritm: okapi\n")
    with pytest.raises(ConfigError) as err:
        load_settings(path)
    message = str(err.value)
    assert "retrieval.algoritm: unknown key" in message
    assert "did you mean 'retrieval.algorithm'" in message


def test_unknown_section_lists_valid_keys(tmp_path):
    with pytest.raises(ConfigError, match=r"zzz: unknown key \(valid keys: corpus"):
        load_settings(write(tmp_path, "zzz: 1\n"))


def test_wrong_type_names_the_key(tmp_path):
    with pytest.raises(ConfigError, match=r"answer\.top_k"):
        load_settings(write(tmp_path, "answer:\n  top_k: lots\n"))


def test_bad_choice_names_the_key(tmp_path):
    with pytest.raises(ConfigError, match=r"retrieval\.engine"):
        load_settings(write(tmp_path, "retrieval:\n  engine: elasticsearch\n"))


def test_invalid_regex_in_furniture_rule_is_reported(tmp_path):
    text = "corpus:\n  furniture:\n    - {kind: drop, pattern: '(unclosed'}\n"
    with pytest.raises(ConfigError, match=r"corpus\.furniture\.0\.pattern"):
        load_settings(write(tmp_path, text))


def test_yaml_syntax_error_gives_the_line(tmp_path):
    with pytest.raises(ConfigError, match=r"config\.yaml:2: not valid YAML"):
        load_settings(write(tmp_path, "answer:\n  top_k: : :\n"))


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(ConfigError, match="config file not found"):
        load_settings(tmp_path / "nope.yaml")


def test_overrides_parse_values_as_yaml(settings):
    s = load_settings(REPO / "config.yaml", ["retrieval.k1=0.9", "analysis.aliases=[]"])
    assert s.retrieval.k1 == 0.9
    assert s.analysis.aliases == ()


def test_malformed_override_is_an_error():
    with pytest.raises(ConfigError, match="expected key=value"):
        load_settings(REPO / "config.yaml", ["retrieval.k1"])


def test_paths_resolve_relative_to_the_config_file(tmp_path):
    path = write(tmp_path, "corpus:\n  path: articles\ncache_dir: c\n")
    s = load_settings(path)
    assert s.corpus.path == tmp_path / "articles"
    assert s.cache_dir == tmp_path / "c"


def test_shipped_config_has_no_secret_looking_values():
    text = (REPO / "config.yaml").read_text(encoding="utf-8")
    assert "token:" not in text.replace("token_env:", "")


def _leaves(value: object, prefix: str = "") -> dict[str, object]:
    """Dotted key -> value for every setting (list items compared whole)."""
    if isinstance(value, dict):
        out: dict[str, object] = {}
        for key, child in value.items():
            out.update(_leaves(child, f"{prefix}{key}."))
        return out
    return {prefix.rstrip("."): value}


def test_built_in_defaults_equal_the_shipped_config_key_by_key():
    """An empty config.yaml means the shipped values, so the two cannot drift apart."""
    raw = yaml.safe_load((REPO / "config.yaml").read_text(encoding="utf-8"))
    shipped = _leaves(Settings.model_validate(raw).model_dump(mode="json"))
    defaults = _leaves(Settings().model_dump(mode="json"))
    written = _leaves(raw)
    assert set(written) == set(defaults), "every setting is written in config.yaml"
    for key in sorted(defaults):
        assert defaults[key] == shipped[key], f"{key}: default {defaults[key]!r} != shipped"


def test_empty_config_file_gives_the_shipped_settings(tmp_path):
    shipped = tmp_path / "shipped.yaml"
    shutil.copy(REPO / "config.yaml", shipped)
    empty = load_settings(write(tmp_path, ""))
    assert empty.corpus.furniture  # the star legend and photo caption rules are on
    assert empty.model_dump() == load_settings(shipped).model_dump()
