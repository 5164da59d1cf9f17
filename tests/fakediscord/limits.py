"""Discord's documented size limits, checked the way Discord checks them.

Every function returns a nested ``errors`` dict in Discord's own shape (``{"embeds": {"0":
{"title": {"_errors": [...]}}}}``), empty when the payload is valid. discord.py only checks
the 10-embed limit itself; everything else is Discord's job, so the fake must do it here.
"""

from __future__ import annotations

import re
from typing import Any

CONTENT_MAX = 2000
EMBEDS_MAX = 10
EMBED_TOTAL_MAX = 6000
EMBED_TITLE_MAX = 256
EMBED_DESCRIPTION_MAX = 4096
EMBED_FIELDS_MAX = 25
EMBED_FIELD_NAME_MAX = 256
EMBED_FIELD_VALUE_MAX = 1024
EMBED_FOOTER_MAX = 2048
EMBED_AUTHOR_MAX = 256
ACTION_ROWS_MAX = 5
ROW_COMPONENTS_MAX = 5
BUTTON_LABEL_MAX = 80
CUSTOM_ID_MAX = 100
URL_MAX = 2048  # Discord rejects longer embed URLs
BUTTON_URL_MAX = 512  # a link button's url
COMMAND_NAME_RE = re.compile(r"^[-_\w]{1,32}$")
COMMAND_DESCRIPTION_MAX = 100
COMMAND_OPTIONS_MAX = 25
STRING_OPTION_LENGTH_MAX = 6000

Errors = dict[str, Any]


def _error(code: str, message: str) -> Errors:
    return {"_errors": [{"code": code, "message": message}]}


def _too_long(limit: int) -> Errors:
    return _error("BASE_TYPE_MAX_LENGTH", f"Must be {limit} or fewer in length.")


def _too_short(limit: int) -> Errors:
    return _error("BASE_TYPE_MIN_LENGTH", f"Must be {limit} or more in length.")


def _required() -> Errors:
    return _error("BASE_TYPE_REQUIRED", "This field is required")


def _check_str(errors: Errors, key: str, value: Any, limit: int, *, required: bool = False) -> int:
    """Check one string field; return its length for the 6000-character total."""
    if value is None:
        if required:
            errors[key] = _required()
        return 0
    if not isinstance(value, str):
        errors[key] = _error("STRING_TYPE_CONVERT", "Could not interpret value as string.")
        return 0
    if required and not value.strip():
        errors[key] = _too_short(1)
    elif len(value) > limit:
        errors[key] = _too_long(limit)
    return len(value)


def _check_url(errors: Errors, key: str, value: Any, limit: int = URL_MAX) -> None:
    if value is None:
        return
    if not isinstance(value, str) or not re.match(r"^(https?|discord)://\S+$", value):
        errors[key] = _error("URL_TYPE_INVALID_URL", "Not a well formed URL.")
    elif len(value) > limit:
        errors[key] = _too_long(limit)


def check_embed(embed: Any) -> tuple[Errors, int]:
    """Validate one embed; return its errors and its character count toward the total."""
    errors: Errors = {}
    if not isinstance(embed, dict):
        return _error("DICT_TYPE_CONVERT", "Only dictionaries may be used in a DictType"), 0
    total = _check_str(errors, "title", embed.get("title"), EMBED_TITLE_MAX)
    total += _check_str(errors, "description", embed.get("description"), EMBED_DESCRIPTION_MAX)
    _check_url(errors, "url", embed.get("url"))
    fields = embed.get("fields") or []
    if len(fields) > EMBED_FIELDS_MAX:
        errors["fields"] = _error(
            "BASE_TYPE_MAX_LENGTH", f"Must be {EMBED_FIELDS_MAX} or fewer in length."
        )
    for index, field in enumerate(fields):
        field_errors: Errors = {}
        total += _check_str(
            field_errors, "name", field.get("name"), EMBED_FIELD_NAME_MAX, required=True
        )
        total += _check_str(
            field_errors, "value", field.get("value"), EMBED_FIELD_VALUE_MAX, required=True
        )
        if field_errors:
            errors.setdefault("fields", {})[str(index)] = field_errors
    footer = embed.get("footer")
    if footer is not None:
        footer_errors: Errors = {}
        total += _check_str(
            footer_errors, "text", footer.get("text"), EMBED_FOOTER_MAX, required=True
        )
        if footer_errors:
            errors["footer"] = footer_errors
    author = embed.get("author")
    if author is not None:
        author_errors: Errors = {}
        total += _check_str(
            author_errors, "name", author.get("name"), EMBED_AUTHOR_MAX, required=True
        )
        _check_url(author_errors, "url", author.get("url"))
        if author_errors:
            errors["author"] = author_errors
    return errors, total


def check_components(rows: Any) -> Errors:
    """Validate action rows of buttons and selects.

    A ``custom_id`` may appear once per message, across all its rows and whether or not the
    component is disabled: Discord refuses the whole message otherwise (400, code 50035,
    ``COMPONENT_CUSTOM_ID_DUPLICATED`` on the later use; discord-api-docs#3673). discord.py
    does not check it, so a bot that builds ids from data (a passage, a page) can hit it.
    """
    errors: Errors = {}
    if not isinstance(rows, list):
        return _error("LIST_TYPE_CONVERT", "Only iterables may be used in a ListType")
    if len(rows) > ACTION_ROWS_MAX:
        return _too_long(ACTION_ROWS_MAX)
    seen: set[str] = set()
    for r, row in enumerate(rows):
        row_errors: Errors = {}
        children = row.get("components") or []
        if row.get("type") != 1:
            row_errors["type"] = _error(
                "UNION_TYPE_CHOICES", 'Value of field "type" must be one of (1,).'
            )
        if not 1 <= len(children) <= ROW_COMPONENTS_MAX:
            row_errors["components"] = _error(
                "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 5 in length."
            )
        for c, comp in enumerate(children):
            comp_errors: Errors = {}
            if comp.get("type") == 2:
                _check_str(comp_errors, "label", comp.get("label"), BUTTON_LABEL_MAX)
                if comp.get("style") == 5:
                    if not comp.get("url"):
                        comp_errors["url"] = _required()
                    _check_url(comp_errors, "url", comp.get("url"), BUTTON_URL_MAX)
                    if comp.get("custom_id") is not None:
                        comp_errors["custom_id"] = _error(
                            "COMPONENT_LINK_HAS_CUSTOM_ID", "A link button cannot have a custom id"
                        )
                else:
                    _check_str(
                        comp_errors,
                        "custom_id",
                        comp.get("custom_id"),
                        CUSTOM_ID_MAX,
                        required=True,
                    )
            elif comp.get("type") in (3, 5, 6, 7, 8):
                _check_str(
                    comp_errors, "custom_id", comp.get("custom_id"), CUSTOM_ID_MAX, required=True
                )
                options = comp.get("options")
                if options is not None and not 1 <= len(options) <= 25:
                    comp_errors["options"] = _error(
                        "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 25 in length."
                    )
            else:
                comp_errors["type"] = _error("UNION_TYPE_CHOICES", "Unknown component type.")
            custom_id = comp.get("custom_id")
            if isinstance(custom_id, str) and "custom_id" not in comp_errors:
                if custom_id in seen:
                    comp_errors["custom_id"] = _error(
                        "COMPONENT_CUSTOM_ID_DUPLICATED",
                        "Component custom id was already specified",
                    )
                seen.add(custom_id)
            if comp_errors:
                row_errors.setdefault("components", {})[str(c)] = comp_errors
        if row_errors:
            errors[str(r)] = row_errors
    return errors


def check_message(payload: Any) -> Errors:
    """Validate a message body (channel message, webhook, interaction response ``data``)."""
    errors: Errors = {}
    if not isinstance(payload, dict):
        return _error("DICT_TYPE_CONVERT", "Only dictionaries may be used in a DictType")
    _check_str(errors, "content", payload.get("content"), CONTENT_MAX)
    embeds = payload.get("embeds")
    if embeds is not None:
        if not isinstance(embeds, list):
            errors["embeds"] = _error(
                "LIST_TYPE_CONVERT", "Only iterables may be used in a ListType"
            )
        elif len(embeds) > EMBEDS_MAX:
            errors["embeds"] = _too_long(EMBEDS_MAX)
        else:
            total = 0
            embed_errors: Errors = {}
            for index, embed in enumerate(embeds):
                one, size = check_embed(embed)
                total += size
                if one:
                    embed_errors[str(index)] = one
            if total > EMBED_TOTAL_MAX:
                embed_errors.setdefault("_errors", []).append(
                    {
                        "code": "MAX_EMBED_SIZE_EXCEEDED",
                        "message": f"Embed size exceeds maximum size of {EMBED_TOTAL_MAX}",
                    }
                )
            if embed_errors:
                errors["embeds"] = embed_errors
    if payload.get("components") is not None:
        component_errors = check_components(payload["components"])
        if component_errors:
            errors["components"] = component_errors
    allowed = payload.get("allowed_mentions")
    if allowed is not None:
        parse = allowed.get("parse", [])
        if any(p not in ("users", "roles", "everyone") for p in parse):
            errors["allowed_mentions"] = _error(
                "ENUM_TYPE_COERCE", "Value is not a valid enum value."
            )
    return errors


def is_empty_message(payload: dict[str, Any]) -> bool:
    """Discord answers 50006 "Cannot send an empty message" to a body with nothing to show."""
    return not (
        payload.get("content")
        or payload.get("embeds")
        or payload.get("components")
        or payload.get("sticker_ids")
        or payload.get("attachments")
        or payload.get("poll")
    )


def check_commands(commands: Any) -> Errors:
    """Validate a bulk-overwrite body of application commands."""
    errors: Errors = {}
    if not isinstance(commands, list):
        return _error("LIST_TYPE_CONVERT", "Only iterables may be used in a ListType")
    for index, command in enumerate(commands):
        cmd_errors: Errors = {}
        name = command.get("name")
        if command.get("type", 1) == 1:
            valid = isinstance(name, str) and bool(COMMAND_NAME_RE.match(name))
            valid = valid and name == name.lower()
        else:  # user and message commands: 1-32 characters, spaces and capitals allowed
            valid = isinstance(name, str) and 1 <= len(name) <= 32 and name.strip() == name
        if not valid:
            cmd_errors["name"] = _error(
                "APPLICATION_COMMAND_INVALID_NAME", "Command name is invalid"
            )
        if command.get("type", 1) == 1:
            _check_str(
                cmd_errors,
                "description",
                command.get("description"),
                COMMAND_DESCRIPTION_MAX,
                required=True,
            )
        options = command.get("options") or []
        if len(options) > COMMAND_OPTIONS_MAX:
            cmd_errors["options"] = _too_long(COMMAND_OPTIONS_MAX)
        seen_optional = False
        for o, option in enumerate(options):
            opt_errors: Errors = {}
            opt_name = option.get("name")
            if (
                not isinstance(opt_name, str)
                or not COMMAND_NAME_RE.match(opt_name)
                or opt_name != opt_name.lower()
            ):
                opt_errors["name"] = _error(
                    "APPLICATION_COMMAND_INVALID_NAME", "Option name is invalid"
                )
            _check_str(
                opt_errors,
                "description",
                option.get("description"),
                COMMAND_DESCRIPTION_MAX,
                required=True,
            )
            for key in ("min_length", "max_length"):
                value = option.get(key)
                if value is not None and not 0 <= value <= STRING_OPTION_LENGTH_MAX:
                    opt_errors[key] = _error(
                        "NUMBER_TYPE_MAX",
                        f"int value should be less than or equal to {STRING_OPTION_LENGTH_MAX}.",
                    )
            if option.get("required"):
                if seen_optional:
                    opt_errors["required"] = _error(
                        "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID",
                        "Required options must be placed before non-required options",
                    )
            else:
                seen_optional = True
            if opt_errors:
                cmd_errors.setdefault("options", {})[str(o)] = opt_errors
        if cmd_errors:
            errors[str(index)] = cmd_errors
    return errors
