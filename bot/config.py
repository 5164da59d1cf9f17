"""Settings: one validated object built from ``config.yaml``.

Every setting lives in ``config.yaml`` with a comment; this module only declares their types and
defaults and validates them. Validation errors name the offending key (and suggest the closest
valid one) so a typo in YAML never surfaces as a traceback. Paths resolve relative to the config
file, so the bot can be started from any directory.
"""

from __future__ import annotations

import difflib
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

from bot.errors import ConfigError

#: The config file used when none is given: ``config.yaml`` at the repository root.
DEFAULT_CONFIG_PATH = Path(__file__).resolve().parent.parent / "config.yaml"


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


class CorpusSettings(_Section):
    path: Path = Path("corpus")
    extensions: tuple[str, ...] = (".md", ".txt")
    furniture: tuple[FurnitureRule, ...] = ()
    heading_max_words: int = Field(8, ge=1)


class AnalysisSettings(_Section):
    stemmer: Literal["english", "porter", "none"] = "english"
    stopwords: bool = True
    spelling_variants: bool = True
    lemmatize: bool = True
    acronyms: tuple[str, ...] = ()
    aliases: tuple[tuple[str, ...], ...] = ()
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


class AnswerSettings(_Section):
    top_k: int = Field(3, ge=1, le=10)
    min_coverage: float = Field(0.3, ge=0.0, le=1.0)
    next_passage_ratio: float = Field(0.8, ge=0.0, le=1.0)
    unknown_name_weight: float = Field(3.0, ge=1.0)
    spelling: bool = True
    spelling_weight: float = Field(0.8, gt=0.0, le=1.0)
    framing_words: tuple[str, ...] = ()
    framing_weight: float = Field(0.25, ge=0.0, le=1.0)
    max_question_chars: int = Field(300, ge=10)


class SemanticSettings(_Section):
    """Optional semantic re-ranking (``pip install 'talks-bot[semantic]'``;
    :mod:`bot.answer.semantic`)."""

    enabled: bool | Literal["auto"] = "auto"
    model: str = "all-MiniLM-L6-v2"
    candidates: int = Field(20, ge=1, le=200)
    weight: float = Field(0.5, ge=0.0, le=1.0)
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
    cache_dir: Path = Path(".cache")
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    #: The file the settings were read from (None when built in code).
    source: Path | None = Field(default=None, exclude=True)


def load_settings(path: Path | str | None = None, overrides: Sequence[str] = ()) -> Settings:
    """Read, override and validate the configuration.

    Parameters
    ----------
    path
        The YAML file; ``config.yaml`` at the repository root when None.
    overrides
        ``"dotted.key=value"`` strings applied after the file, values parsed as YAML
        (so ``retrieval.k1=0.9`` is a float and ``analysis.aliases=[]`` a list).

    Raises
    ------
    ConfigError
        When the file is missing or not YAML, or a key is unknown or has the wrong type.
    """
    config_path = Path(path) if path is not None else DEFAULT_CONFIG_PATH
    raw = _read_yaml(config_path)
    for override in overrides:
        _apply_override(raw, override)
    return settings_from_mapping(raw, base_dir=config_path.resolve().parent, source=config_path)


def settings_from_mapping(
    raw: Mapping[str, Any], base_dir: Path, source: Path | None = None
) -> Settings:
    """Validate a mapping (as read from YAML) and resolve its paths against ``base_dir``."""
    try:
        settings = Settings.model_validate(dict(raw))
    except ValidationError as exc:
        raise ConfigError(_describe(exc, source)) from None
    return _resolve_paths(settings, base_dir, source)


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: config file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read config file: {exc}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        line, problem = yaml_problem(exc, default=str(exc))
        where = f":{line}" if line is not None else ""
        raise ConfigError(f"{path}{where}: not valid YAML: {problem}") from None
    except ValueError as exc:  # PyYAML raises it for impossible dates
        raise ConfigError(f"{path}: bad value: {exc}") from None
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


def _apply_override(raw: dict[str, Any], override: str) -> None:
    key, sep, value = override.partition("=")
    if not sep or not key.strip():
        raise ConfigError(f"override {override!r}: expected key=value, e.g. retrieval.k1=0.9")
    try:
        parsed = yaml.safe_load(value) if value.strip() else ""
    except yaml.YAMLError:
        parsed = value
    node = raw
    parts = key.strip().split(".")
    for part in parts[:-1]:
        child = node.setdefault(part, {})
        if not isinstance(child, dict):
            raise ConfigError(f"override {override!r}: {part} is not a section")
        node = child
    node[parts[-1]] = parsed


def _describe(exc: ValidationError, source: Path | None) -> str:
    """One readable line per problem, each naming the dotted key."""
    where = f"{source}: " if source is not None else ""
    lines = []
    for error in exc.errors():
        loc = [str(part) for part in error["loc"]]
        key = ".".join(loc)
        if error["type"] == "extra_forbidden":
            hint = _suggest(loc)
            lines.append(f"{where}{key}: unknown key{hint}")
        else:
            lines.append(f"{where}{key}: {error['msg']}")
    return "\n".join(lines)


def _suggest(loc: list[str]) -> str:
    """Suggest the closest valid key for a misspelt one, walking the model by its location."""
    model: type[BaseModel] = Settings
    for part in loc[:-1]:
        field = model.model_fields.get(part)
        annotation = getattr(field, "annotation", None)
        if not (isinstance(annotation, type) and issubclass(annotation, BaseModel)):
            return ""
        model = annotation
    valid = [name for name in model.model_fields if name != "source"]
    close = difflib.get_close_matches(loc[-1], valid, n=1)
    if close:
        return f" (did you mean {'.'.join([*loc[:-1], close[0]])!r}?)"
    return f" (valid keys: {', '.join(valid)})"


def _resolve_paths(settings: Settings, base_dir: Path, source: Path | None) -> Settings:
    def resolve(p: Path | None) -> Path | None:
        if p is None:
            return None
        p = p.expanduser()
        return p if p.is_absolute() else (base_dir / p).resolve()

    corpus = settings.corpus.model_copy(update={"path": resolve(settings.corpus.path)})
    console = settings.console.model_copy(
        update={"history_file": resolve(settings.console.history_file)}
    )
    return settings.model_copy(
        update={
            "corpus": corpus,
            "console": console,
            "cache_dir": resolve(settings.cache_dir),
            "source": source,
        }
    )
