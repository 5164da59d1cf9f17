"""Aliases that are facts about one corpus, kept in a file beside it.

General aliases -- an acronym and its expansion, a country and its capital standing for its
government -- hold for any news corpus and live in ``config.yaml`` (``analysis.aliases``).
Others are true only of the articles at hand: who held which office in 2018 ("Pompeo" for
"Secretary of State"). Those belong to the corpus, not to the product's defaults, so they live
in ``<corpus.path>/aliases.yaml`` and are loaded with it::

    aliases:
      - names: [Pompeo, Secretary of State]
        why: Mike Pompeo was the US Secretary of State when these articles were written (2018).

Every group says ``why``: an alias nobody can justify is a fitted one. The file is not an
article: the corpus loader reads only ``corpus.extensions`` (``.yaml`` is not one of them).
"""

from __future__ import annotations

from pathlib import Path

import yaml

from bot.config.settings import yaml_problem
from bot.config.yamlsafe import load_yaml
from bot.errors import ConfigError

#: The file name, inside the corpus folder.
ALIASES_FILE = "aliases.yaml"


def corpus_aliases(corpus_path: Path) -> tuple[tuple[str, ...], ...]:
    """The alias groups of ``corpus_path/aliases.yaml`` (none when there is no such file).

    Raises
    ------
    ConfigError
        When the file is not valid YAML or a group lacks two names or a reason.
    """
    path = Path(corpus_path) / ALIASES_FILE
    if not path.is_file():
        return ()
    try:
        # The corpus's file is user data like the articles: no alias bombs, no deep nesting.
        data, _ = load_yaml(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from None
    except yaml.YAMLError as exc:
        line, problem = yaml_problem(exc)
        where = f":{line}" if line is not None else ""
        raise ConfigError(f"{path}{where}: not valid YAML: {problem}") from None
    groups = (data or {}).get("aliases", []) if isinstance(data, dict) else None
    if not isinstance(groups, list):
        raise ConfigError(f"{path}: expected 'aliases:' with a list of groups")
    out = []
    for n, group in enumerate(groups, 1):
        names = group.get("names") if isinstance(group, dict) else None
        why = group.get("why") if isinstance(group, dict) else None
        if not (isinstance(names, list) and len(names) >= 2):
            raise ConfigError(f"{path}: alias {n}: 'names' must list at least two names")
        if not all(isinstance(x, str) and x.strip() for x in names):
            raise ConfigError(f"{path}: alias {n}: every name must be text")
        if not (isinstance(why, str) and why.strip()):
            raise ConfigError(f"{path}: alias {n} ({names[0]}): say 'why' it holds")
        out.append(tuple(names))
    return tuple(out)
