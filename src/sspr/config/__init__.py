"""Load the configuration: one TOML file, then SSPR_<SECTION>__<KEY> environment overrides,
then <key>_file indirections for secrets, then the typed schema.

A secret is any key the schema types as `Secret` (sspr.config.base), in whichever section or
nested section it sits: the loader finds them by walking the schema, so a settings model kept
elsewhere (a delivery channel's, the directory's) gets the file form by using the type.

Every problem is reported with the key it concerns, all at once, so an operator fixes a
broken file in one pass.
"""

import os
import tomllib
from pathlib import Path
from types import UnionType
from typing import Union, get_args, get_origin
from urllib.parse import urlsplit

from pydantic import BaseModel, ValidationError

from .base import is_secret
from .schema import PLACEHOLDER_SECRET, Config

ENV_PREFIX = "SSPR_"
DEFAULT_PATH = "sspr.toml"


class ConfigError(Exception):
    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


def config_path(environ=os.environ) -> Path | None:
    """The file named by SSPR_CONFIG, else ./sspr.toml when it exists, else none (defaults)."""
    named = environ.get("SSPR_CONFIG")
    if named:
        return Path(named)
    default = Path(DEFAULT_PATH)
    return default if default.exists() else None


def load(path: Path | None = None, environ=os.environ) -> Config:
    path = path if path is not None else config_path(environ)
    problems: list[str] = []
    data: dict = {}
    if path is not None:
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            problems.append(f"config file {path}: not found")
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            problems.append(f"config file {path}: {exc}")
    _apply_environment(data, environ)
    _read_secret_files(Config, data, "", problems)
    if problems:
        raise ConfigError(problems)
    try:
        return Config.model_validate(data)
    except ValidationError as exc:
        raise ConfigError([_describe(error) for error in exc.errors()]) from None


def _apply_environment(data: dict, environ) -> None:
    for name, raw in environ.items():
        if not name.startswith(ENV_PREFIX) or "__" not in name:
            continue
        path = [part.lower() for part in name[len(ENV_PREFIX):].split("__")]
        target = data
        for part in path[:-1]:
            target = target.setdefault(part, {})
            if not isinstance(target, dict):
                break
        else:
            target[path[-1]] = raw if _expects_text(path) else _parse_env_value(raw)


def _parse_env_value(raw: str):
    """A TOML literal when it is one (8123, true, ["a", "b"]), otherwise the plain string."""
    try:
        return tomllib.loads(f"value = {raw}")["value"]
    except tomllib.TOMLDecodeError:
        return raw


def _expects_text(path: list[str]) -> bool:
    """Whether the schema wants a string at this key, so that SSPR_BRANDING__HELPDESK_PHONE=+15550100
    stays the text it was rather than becoming the TOML integer it also happens to be."""
    model, annotation, free_key = Config, None, False
    for depth, part in enumerate(path, start=1):
        if free_key:  # a name the operator chose, such as a group: the model follows it
            free_key = False
            continue
        if model is None or part not in model.model_fields:
            # A secret's file form is a path, even one that reads as a number.
            return depth == len(path) and model is not None and _is_file_form(model, part)
        annotation = model.model_fields[part].annotation
        model = _model_inside(annotation)
        if model is None and get_origin(annotation) is dict:
            model, free_key = _model_inside(get_args(annotation)[1]), True
    return annotation is str or (get_origin(annotation) in (Union, UnionType) and str in get_args(annotation))


def _model_inside(annotation):
    return annotation if isinstance(annotation, type) and issubclass(annotation, BaseModel) else None


def _is_file_form(model: type[BaseModel], key: str) -> bool:
    """Whether `key` is a secret's file form (`secret_key_file` for `secret_key`)."""
    field = model.model_fields.get(key.removesuffix("_file"))
    return key.endswith("_file") and field is not None and is_secret(field)


def secret_keys(model: type[BaseModel] = Config, prefix: str = "") -> list[str]:
    """The dotted name of every key typed Secret, nested sections included (`directory.bind_password`)."""
    found = []
    for name, field in model.model_fields.items():
        if is_secret(field):
            found.append(prefix + name)
        elif section := _model_inside(field.annotation):
            found += secret_keys(section, f"{prefix}{name}.")
    return found


def _read_secret_files(model: type[BaseModel], values: dict, prefix: str, problems: list[str]) -> None:
    """Replace each secret's `<key>_file` in this section, and in the sections inside it, by the
    file's contents. Problems name the key and the file, never what the file holds."""
    for name, field in model.model_fields.items():
        if is_secret(field) and f"{name}_file" in values:
            _read_secret_file(values, name, prefix, problems)
        elif (section := _model_inside(field.annotation)) and isinstance(values.get(name), dict):
            _read_secret_files(section, values[name], f"{prefix}{name}.", problems)


def _read_secret_file(values: dict, key: str, prefix: str, problems: list[str]) -> None:
    file_key = f"{key}_file"
    file_name = values.pop(file_key)
    if key in values:
        # Which of the two was meant is a guess; refuse rather than use the other secret.
        problems.append(f"{prefix}{key}: given both as {key} and as {file_key}; keep one")
    elif not isinstance(file_name, str):
        problems.append(f"{prefix}{file_key}: must be a file path (a string)")
    else:
        try:
            values[key] = Path(file_name).read_text(encoding="utf-8").strip()
        except OSError as exc:
            problems.append(f"{prefix}{file_key}: cannot read {file_name}: {exc.strerror}")
        except UnicodeDecodeError:
            problems.append(f"{prefix}{file_key}: {file_name} is not UTF-8 text")


def _describe(error) -> str:
    key = ".".join(str(part) for part in error["loc"])
    if error["type"] == "extra_forbidden":
        return f"{key}: unknown key"
    return f"{key}: {error['msg']}"


def production_problems(config: Config) -> list[str]:
    """What makes a configuration unsafe to serve real users. Demo mode is exempt."""
    if config.server.demo:
        return []
    problems = []
    secret = config.server.secret_key
    if not secret or secret == PLACEHOLDER_SECRET or len(secret) < 32:
        problems.append("server.secret_key: missing, placeholder or shorter than 32 characters")
    if config.server.debug:
        problems.append("server.debug: must be false outside demo mode")
    url = urlsplit(config.server.base_url)
    if url.scheme != "https" and url.hostname not in ("localhost", "127.0.0.1", "::1"):
        problems.append("server.base_url: must start with https:// (localhost excepted)")
    if url.path not in ("", "/") or url.query or url.fragment:
        problems.append("server.base_url: must be a bare origin such as https://sspr.example.org")
    return problems
