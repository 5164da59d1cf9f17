"""Config: validation names the key, suggests the close one, and resolves paths."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from bot.config import paths as config_paths
from bot.config.paths import find_config
from bot.config.settings import Settings, load_settings
from bot.corpus.loader import load_corpus
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


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "answer:\n  top_k: 2\nanswer:\n  top_k: 9\n",
            ":3: answer: duplicate key (first on line 1)",
        ),
        (
            "corpus:\n  path: a\n  heading_max_words: 4\n  path: b\n",
            ":4: corpus.path: duplicate key (first on line 2)",
        ),
    ],
)
def test_a_repeated_key_is_refused_naming_it_and_its_line(tmp_path, text, expected):
    """A second ``corpus:`` section silently replaced the whole first one."""
    with pytest.raises(ConfigError) as err:
        load_settings(write(tmp_path, text))
    assert str(err.value) == f"{tmp_path / 'config.yaml'}{expected}"


def test_an_impossible_date_in_the_file_names_the_key_and_line(tmp_path):
    with pytest.raises(ConfigError) as err:
        load_settings(write(tmp_path, "corpus:\n  path: a\nlog_level: 2031-13-45\n"))
    assert str(err.value) == (
        f"{tmp_path / 'config.yaml'}:3: log_level: bad date '2031-13-45' (month must be in 1..12)"
    )


@pytest.mark.parametrize(
    ("override", "expected"),
    [
        ("log_level=2031-13-45", "--set log_level: expected one of 'DEBUG'"),
        (
            "answer.top_k=2031-13-45",
            "--set answer.top_k: expected a whole number, got '2031-13-45'",
        ),
    ],
)
def test_an_impossible_date_in_an_override_is_text_refused_by_name(override, expected):
    with pytest.raises(ConfigError) as err:
        load_settings(REPO / "config.yaml", [override])
    assert str(err.value).startswith(expected)


def test_an_impossible_date_in_an_override_is_one_line_from_the_cli():
    cli = [sys.executable, "-m", "bot", "--set", "log_level=2031-13-45", "check"]
    done = subprocess.run(cli, capture_output=True, text=True, cwd=REPO, timeout=120)
    assert done.returncode == 2
    assert done.stderr.startswith("talks-bot: error: --set log_level: expected one of")
    assert "internal error" not in done.stderr


def test_extensions_without_a_dot_mean_the_same_with_one(tmp_path):
    (tmp_path / "corpus").mkdir()
    (tmp_path / "corpus" / "eels.md").write_text("The eels left.\n", encoding="utf-8")
    settings = load_settings(write(tmp_path, "corpus:\n  extensions: [md, TXT, .jsonl]\n"))
    assert settings.corpus.extensions == (".md", ".txt", ".jsonl")
    assert [a.id for a in load_corpus(settings.corpus).articles] == ["eels"]


@pytest.mark.parametrize("entry", ["''", "'*.md'", ".tar.gz", "'a b'"])
def test_an_entry_that_is_no_extension_is_refused_by_name(tmp_path, entry):
    with pytest.raises(ConfigError, match=r"corpus\.extensions: .* is not a file extension"):
        load_settings(write(tmp_path, f"corpus:\n  extensions: [.md, {entry}]\n"))


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


# --------------------------------------------------------------------------- path settings


@pytest.mark.parametrize(
    ("key", "yaml_key"),
    [
        ("corpus.path", "corpus:\n  path: {p}\n"),
        ("cache_dir", "cache_dir: {p}\n"),
        ("console.history_file", "console:\n  history_file: {p}\n"),
    ],
)
def test_path_setting_in_a_symlink_loop_names_the_key(tmp_path, key, yaml_key):
    (tmp_path / "loop").symlink_to("loop")
    path = write(tmp_path, yaml_key.format(p="loop/inner"))
    with pytest.raises(ConfigError) as err:
        load_settings(path)
    assert f"{path}: {key}: " in str(err.value)
    assert str(err.value).endswith("symlink loop")


def test_dangling_cache_link_means_its_target_which_is_created_on_use(tmp_path):
    (tmp_path / "c").symlink_to(tmp_path / "elsewhere")
    assert load_settings(write(tmp_path, "cache_dir: c\n")).cache_dir == tmp_path / "elsewhere"


def test_path_loop_set_by_override_names_the_flag(tmp_path):
    (tmp_path / "loop").symlink_to("loop")
    with pytest.raises(ConfigError, match=r"^--set cache_dir: .*symlink loop$"):
        load_settings(REPO / "config.yaml", [f"cache_dir={tmp_path / 'loop'}"])


def test_unusable_cache_or_history_is_left_to_their_users(tmp_path):
    """Only speed or history is lost (the store and console warn), so these are not errors."""
    (tmp_path / "c").write_text("a file where the cache folder goes", encoding="utf-8")
    (tmp_path / "h").mkdir()
    settings = load_settings(write(tmp_path, "cache_dir: c\nconsole:\n  history_file: h\n"))
    assert (settings.cache_dir, settings.console.history_file) == (tmp_path / "c", tmp_path / "h")


def test_config_file_that_is_a_loop_or_dangling_or_a_folder(tmp_path):
    (tmp_path / "loop.yaml").symlink_to("loop.yaml")
    (tmp_path / "gone.yaml").symlink_to("nowhere.yaml")
    (tmp_path / "dir.yaml").mkdir()
    for name, problem in [
        ("loop.yaml", "cannot read config file: symlink loop"),
        ("gone.yaml", "config file is a dangling symlink"),
        ("dir.yaml", "is a folder; expected a config file"),
    ]:
        with pytest.raises(ConfigError, match=re.escape(f"{tmp_path / name}: {problem}")):
            load_settings(tmp_path / name)


def test_cli_prints_one_line_and_exits_2_for_a_path_loop(tmp_path):
    (tmp_path / "loop").symlink_to("loop")
    path = write(tmp_path, "corpus:\n  path: loop\n")
    result = subprocess.run(
        [sys.executable, "-m", "bot", "--config", str(path), "check"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "corpus.path" in result.stderr
    assert "Traceback" not in result.stderr


# --------------------------------------------------------------------------- wording


def test_override_typo_names_the_flag_not_the_file():
    with pytest.raises(ConfigError) as err:
        load_settings(REPO / "config.yaml", ["answer.topk=5"])
    message = str(err.value)
    assert message.startswith("--set answer.topk: unknown key")
    assert "did you mean 'answer.top_k'" in message
    assert "config.yaml" not in message


def test_override_of_a_whole_section_names_the_flag():
    with pytest.raises(ConfigError, match=r"^--set answer: expected a section"):
        load_settings(REPO / "config.yaml", ["answer=5"])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("analysis:\n  acronyms: 5\n", "analysis.acronyms: expected a list, e.g. [a, b], got 5"),
        ("answer:\n  top_k: lots\n", "answer.top_k: expected a whole number, got 'lots'"),
        ("answer:\n  top_k: 50\n", "answer.top_k: must be at most 10, got 50"),
        ("retrieval:\n  k1: fast\n", "retrieval.k1: expected a number, got 'fast'"),
        ("retrieval:\n  persist: maybe\n", "retrieval.persist: expected true or false"),
        ("retrieval:\n  engine: solr\n", "retrieval.engine: expected one of 'rank-bm25' or"),
        ("answer: 3\n", "answer: expected a section of key: value settings, got 3"),
        ("analysis:\n  aliases: [[x]]\n", "analysis.aliases: an alias group needs at least two"),
    ],
)
def test_type_errors_are_plain_words(tmp_path, text, expected):
    with pytest.raises(ConfigError) as err:
        load_settings(write(tmp_path, text))
    message = str(err.value)
    assert expected in message
    assert "Input should be" not in message and "Value error" not in message


# --------------------------------------------------------------------------- which file


def test_lookup_order_flag_then_env_then_cwd_then_checkout(tmp_path, monkeypatch):
    flag, env, cwd = (tmp_path / n for n in ("flag", "env", "cwd"))
    for folder in (flag, env, cwd):
        folder.mkdir()
        write(folder, "")
    monkeypatch.chdir(cwd)
    monkeypatch.setenv("TALKS_BOT_CONFIG", str(env / "config.yaml"))
    assert find_config(flag / "config.yaml") == flag / "config.yaml"
    assert find_config() == env / "config.yaml"
    monkeypatch.delenv("TALKS_BOT_CONFIG")
    assert find_config() == cwd / "config.yaml"
    monkeypatch.chdir(tmp_path)
    assert find_config() == REPO / "config.yaml"  # this checkout's own file


def test_no_config_anywhere_says_how_to_get_one(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TALKS_BOT_CONFIG", raising=False)
    monkeypatch.setattr(config_paths, "CHECKOUT_CONFIG", tmp_path / "site-packages" / "x.yaml")
    with pytest.raises(ConfigError, match=r"no config file: .*talks-bot init DIR.*--config PATH"):
        load_settings()


def test_env_var_naming_a_missing_file_is_an_error(tmp_path, monkeypatch):
    monkeypatch.setenv("TALKS_BOT_CONFIG", str(tmp_path / "nope.yaml"))
    with pytest.raises(ConfigError, match=r"\$TALKS_BOT_CONFIG names .*nope\.yaml"):
        load_settings()
