"""Settings: one validated object built from ``config.yaml``.

Every setting lives in ``config.yaml`` with a comment; this module declares their types and
defaults -- the defaults are the shipped file's values, so an empty file means the shipped
settings -- and validates them. Validation errors name the offending key and where it was set
(the file, or the ``--set`` override), in plain words (:mod:`bot.config.messages`), so a typo
never surfaces as a traceback. Paths resolve relative to the config file, so the bot can be
started from any directory; which file is read is :func:`bot.config.paths.find_config`'s choice.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from bot.config.messages import Origins, describe
from bot.config.paths import find_config, resolve_path
from bot.config.yamlsafe import YamlProblem, load_yaml
from bot.errors import ConfigError, os_reason


class _Section(BaseModel):
    """Base of every section: unknown keys are errors, values are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class FurnitureRule(_Section):
    """A page-furniture rule: what to do with a paragraph whose text matches ``pattern``.

    ``end``: this paragraph and everything after it is furniture (e.g. a rating legend).
    ``caption``: the paragraph is a photo caption; kept as article metadata, never a passage.
    ``drop``: the paragraph is furniture and is removed.
    """

    kind: Literal["end", "caption", "drop"]
    pattern: str

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, value: str) -> str:
        try:
            re.compile(value)
        except re.error as exc:
            raise ValueError(f"invalid regular expression: {exc}") from exc
        return value


#: The shipped furniture rules: the star-rating legend ends the text, a photo caption with its
#: credit is metadata, and a stray rating line goes (config.yaml explains each).
DEFAULT_FURNITURE = (
    FurnitureRule(kind="end", pattern=r"^\s*What the stars mean:"),
    FurnitureRule(kind="caption", pattern=r"\((?:Photo|Picture|Image)s?:[^)]*\)\s*\|?\s*$"),
    FurnitureRule(
        kind="drop",
        pattern=r"^[\s★☆]*★[\s★☆]*(?:Poor|Promising|Good|Very good|Exceptional)",
    ),
)


class CorpusSettings(_Section):
    """Where the articles are and how they are cut; the defaults are config.yaml's values."""

    path: Path = Path("corpus")
    extensions: tuple[str, ...] = (".md", ".txt", ".html", ".jsonl")
    furniture: tuple[FurnitureRule, ...] = DEFAULT_FURNITURE
    heading_max_words: int = Field(8, ge=1)
    watch: bool = True
    max_file_bytes: int = Field(100_000_000, ge=1)
    max_passage_chars: int = Field(1200, ge=100)

    @field_validator("extensions")
    @classmethod
    def _dotted(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        """``[md, txt]`` means ``[.md, .txt]``: files are matched on their suffix, which has the
        dot, so without one no file ever matched and the corpus was silently empty."""
        out = []
        for entry in value:
            ext = entry.strip().lower()
            ext = ext if ext.startswith(".") else f".{ext}"
            if not re.fullmatch(r"\.[^./\\\s*?]+", ext):
                raise ValueError(f"{entry!r} is not a file extension; expected e.g. .md")
            out.append(ext)
        return tuple(out)


DEFAULT_ACRONYMS = ("US", "USA", "UN", "UK", "EU", "DPRK", "ROK", "AFP", "AP", "NATO", "ICBM")
DEFAULT_ALIASES = (
    ("DPRK", "North Korea", "Pyongyang"),
    ("ROK", "South Korea", "Seoul"),
    ("US", "United States", "America", "Washington"),
    ("UN", "United Nations"),
    ("nukes", "nuclear weapons", "nuclear arsenal"),
    ("ICBM", "intercontinental ballistic missile"),
)


class AnalysisSettings(_Section):
    stemmer: Literal["english", "porter", "none"] = "english"
    stopwords: bool = True
    spelling_variants: bool = True
    lemmatize: bool = True
    acronyms: tuple[str, ...] = DEFAULT_ACRONYMS
    aliases: tuple[tuple[str, ...], ...] = DEFAULT_ALIASES
    alias_weight: float = Field(0.5, gt=0.0, lt=1.0)

    @field_validator("aliases")
    @classmethod
    def _groups_have_two(cls, value: tuple[tuple[str, ...], ...]) -> tuple[tuple[str, ...], ...]:
        for group in value:
            if len(group) < 2:
                raise ValueError(f"an alias group needs at least two names, got {list(group)}")
        return value


class RetrievalSettings(_Section):
    engine: Literal["rank-bm25", "tantivy"] = "rank-bm25"
    algorithm: Literal["okapi", "bm25l", "bm25plus"] = "okapi"
    idf: Literal["lucene", "rank-bm25"] = "lucene"
    k1: float = Field(0.9, ge=0.0)
    b: float = Field(0.6, ge=0.0, le=1.0)
    epsilon: float = Field(0.25, ge=0.0)
    delta: float = Field(0.5, ge=0.0)
    title_weight: float = Field(0.3, ge=0.0)
    section_weight: float = Field(0.3, ge=0.0)
    context_weight: float = Field(0.15, ge=0.0)
    persist: bool = True


# fmt: off
DEFAULT_FRAMING_WORDS = (
    "happen", "describe", "explain", "mean", "tell", "know", "think", "say", "ask", "find",
    "learn", "detail", "information", "news", "latest", "update", "anything", "something",
    "thing", "way", "kind",
)
# fmt: on


class AnswerSettings(_Section):
    top_k: int = Field(3, ge=1, le=10)
    min_coverage: float = Field(0.3, ge=0.0, le=1.0)
    next_passage_ratio: float = Field(0.8, ge=0.0, le=1.0)
    sentence_focus: float = Field(1.0, ge=0.0, le=4.0)
    unknown_name_weight: float = Field(3.0, ge=1.0)
    min_words_held: int = Field(1, ge=1, le=10)
    spelling: bool = True
    spelling_weight: float = Field(0.8, gt=0.0, le=1.0)
    framing_words: tuple[str, ...] = DEFAULT_FRAMING_WORDS
    framing_weight: float = Field(0.25, ge=0.0, le=1.0)
    max_question_chars: int = Field(300, ge=10)


class SemanticSettings(_Section):
    """Optional semantic re-ranking (``pip install 'talks-bot[semantic]'``;
    :mod:`bot.answer.semantic`)."""

    enabled: bool | Literal["auto"] = "auto"
    model: str = "all-MiniLM-L6-v2"
    candidates: int = Field(20, ge=1, le=200)
    weight: float = Field(0.7, ge=0.0, le=1.0)
    min_evidence: float = Field(0.7, ge=-1.0, le=2.0)
    batch_size: int = Field(32, ge=1, le=1024)
    threads: int | None = Field(1, ge=1)


class ConsoleSettings(_Section):
    color: Literal["auto", "always", "never"] = "auto"
    history_file: Path | None = Path(".cache/console_history")


class CollapseSettings(_Section):
    """Syndicated-copy collapse: near-identical passages in several articles shown once."""

    enabled: bool = True
    threshold: float = Field(0.6, gt=0.0, le=1.0)
    shingle_words: int = Field(3, ge=1, le=10)
    num_perm: int = Field(128, ge=16, le=1024)


class FeedbackSettings(_Section):
    """Where 👍/👎 votes are appended (a relative path is under ``cache_dir``)."""

    log: Path = Path("feedback.jsonl")
    max_bytes: int = Field(10_000_000, ge=1024)
    backups: int = Field(3, ge=0, le=100)


class DiscordSettings(_Section):
    """The Discord front end (``python -m bot discord``)."""

    token_env: str = "DISCORD_TOKEN"
    sync_guilds: tuple[int, ...] = ()
    shard_count: int | None = Field(None, ge=1)
    shard_ids: tuple[int, ...] | None = None
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] | None = None
    cooldown_rate: int = Field(5, ge=1)
    cooldown_per: float = Field(30.0, gt=0.0)
    sources_per_page: int = Field(10, ge=1, le=25)
    log_private_votes: bool = False
    answer_workers: int = Field(2, ge=1, le=64)
    connect_timeout_seconds: float = Field(30.0, gt=0.0)
    shutdown_grace_seconds: float = Field(10.0, ge=0.0)
    add_roles: tuple[int, ...] = ()

    @model_validator(mode="after")
    def _shards_fit(self) -> DiscordSettings:
        if self.shard_ids is not None:
            if self.shard_count is None:
                raise ValueError("shard_ids needs shard_count (the total across all processes)")
            bad = [i for i in self.shard_ids if not 0 <= i < self.shard_count]
            if bad or not self.shard_ids:
                raise ValueError(
                    f"shard_ids must be a non-empty list of ids from 0 to {self.shard_count - 1}"
                )
        return self


class IngestSettings(_Section):
    """Fetching articles for ``talks-bot add`` and the feeds: limits that keep one bad page from
    hanging the bot or filling the disk."""

    timeout_seconds: float = Field(20.0, gt=0.0)
    max_bytes: int = Field(5_000_000, ge=1024)
    max_redirects: int = Field(5, ge=0, le=30)
    user_agent: str = Field("talks-bot/{version} (news corpus fetcher)", min_length=1)
    min_words: int = Field(80, ge=1)


class FeedsSettings(_Section):
    """RSS/Atom feeds whose new entries are added to the corpus (``talks-bot feeds``)."""

    urls: tuple[str, ...] = ()
    interval_minutes: float = Field(30.0, gt=0.0)
    announce_channel: int | None = None
    state_file: Path = Path("feeds_state.json")

    @field_validator("urls")
    @classmethod
    def _http_urls(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        bad = [u for u in value if not re.match(r"(?i)^https?://[^/\s]+", u)]
        if bad:
            raise ValueError(f"feed urls must be http:// or https:// URLs, got {bad[0]!r}")
        return value


class Settings(_Section):
    """The whole configuration. Build it with :func:`load_settings`."""

    corpus: CorpusSettings = CorpusSettings()
    analysis: AnalysisSettings = AnalysisSettings()
    retrieval: RetrievalSettings = RetrievalSettings()
    answer: AnswerSettings = AnswerSettings()
    semantic: SemanticSettings = SemanticSettings()
    console: ConsoleSettings = ConsoleSettings()
    collapse: CollapseSettings = CollapseSettings()
    feedback: FeedbackSettings = FeedbackSettings()
    discord: DiscordSettings = DiscordSettings()
    ingest: IngestSettings = IngestSettings()
    feeds: FeedsSettings = FeedsSettings()
    cache_dir: Path = Path(".cache")
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    #: The file the settings were read from (None when built in code).
    source: Path | None = Field(default=None, exclude=True)


def load_settings(path: Path | str | None = None, overrides: Sequence[str] = ()) -> Settings:
    """Read, override and validate the configuration.

    Parameters
    ----------
    path
        The YAML file; when None, the first of ``$TALKS_BOT_CONFIG``, ``./config.yaml`` and the
        checkout's ``config.yaml`` (:func:`~bot.config.paths.find_config`).
    overrides
        ``"dotted.key=value"`` strings (``--set``) applied after the file, values parsed as
        YAML (so ``retrieval.k1=0.9`` is a float and ``analysis.aliases=[]`` a list).

    Raises
    ------
    ConfigError
        When no file is found or it is not YAML, or a key is unknown, has the wrong type, or
        names an unusable path; the message names the key and the file or ``--set`` flag.
    """
    config_path = find_config(path)
    raw = _read_yaml(config_path)
    keys = [_apply_override(raw, override) for override in overrides]
    # the file was just read, so resolving it cannot meet a loop
    return settings_from_mapping(raw, config_path.resolve().parent, config_path, keys)


def settings_from_mapping(
    raw: Mapping[str, Any],
    base_dir: Path,
    source: Path | None = None,
    overridden: Sequence[str] = (),
) -> Settings:
    """Validate a mapping (as read from YAML) and resolve its paths against ``base_dir``.

    ``overridden`` lists the dotted keys set by ``--set``, so messages blame the flag.
    """
    origins = Origins(source, overridden)
    try:
        settings = Settings.model_validate(dict(raw))
    except ValidationError as exc:
        raise ConfigError(describe(exc, Settings, origins)) from None
    return _resolve_paths(settings, base_dir, origins)


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        if os.path.islink(path):
            raise ConfigError(f"{path}: config file is a dangling symlink") from None
        raise ConfigError(f"{path}: config file not found") from None
    except IsADirectoryError:
        raise ConfigError(f"{path}: is a folder; expected a config file") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read config file: {os_reason(exc, path)}") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: config file is not UTF-8 text (byte {exc.start})") from None
    try:
        # a repeated key would silently replace the first (a second ``corpus:`` section the
        # whole first one), so it is refused; impossible values name their key and line
        data, _lines = load_yaml(text, allow_aliases=True, unique_keys=True)
    except YamlProblem as exc:
        line, problem = yaml_problem(exc, default=str(exc))
        where = f":{line}" if line is not None else ""
        key = f" {exc.key}:" if exc.key else ""
        raise ConfigError(f"{path}{where}:{key} {problem}") from None
    except yaml.YAMLError as exc:
        line, problem = yaml_problem(exc, default=str(exc))
        where = f":{line}" if line is not None else ""
        raise ConfigError(f"{path}{where}: not valid YAML: {problem}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: the top level must be a mapping of sections")
    return data


def yaml_problem(exc: yaml.YAMLError, default: str = "invalid YAML") -> tuple[int | None, str]:
    """The 1-based line of the text PyYAML choked on (None when it names none) and its
    problem, so every YAML reader reports errors the same way."""
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or default
    return (mark.line + 1 if mark is not None else None), problem


def _apply_override(raw: dict[str, Any], override: str) -> str:
    """Apply one ``key=value`` override to the raw mapping; returns the dotted key."""
    key, sep, value = override.partition("=")
    if not sep or not key.strip():
        raise ConfigError(f"--set {override}: expected key=value, e.g. retrieval.k1=0.9")
    try:
        parsed = load_yaml(value, allow_aliases=True)[0] if value.strip() else ""
    except yaml.YAMLError:  # not YAML, or an impossible value such as 2018-13-45: plain text,
        parsed = value  # which the setting's own validation then accepts or refuses by name
    node = raw
    parts = key.strip().split(".")
    for part in parts[:-1]:
        child = node.setdefault(part, {})
        if not isinstance(child, dict):
            raise ConfigError(f"--set {key.strip()}: {part} is not a section")
        node = child
    node[parts[-1]] = parsed
    return key.strip()


def _resolve_paths(settings: Settings, base_dir: Path, origins: Origins) -> Settings:
    """Make every path absolute (against the config file's folder), naming the key on a loop."""

    def resolve(key: str, path: Path) -> Path:
        return resolve_path(origins.name(key.split(".")), path, base_dir)

    history = settings.console.history_file
    return settings.model_copy(
        update={
            "corpus": settings.corpus.model_copy(
                update={"path": resolve("corpus.path", settings.corpus.path)}
            ),
            "console": settings.console.model_copy(
                update={"history_file": history and resolve("console.history_file", history)}
            ),
            "cache_dir": resolve("cache_dir", settings.cache_dir),
            "source": origins.source,
        }
    )
