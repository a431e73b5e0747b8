"""Load the configuration: one TOML file, then SSPR_<SECTION>__<KEY> environment overrides,
then <key>_file indirections for secrets, then the typed schema.

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

from .schema import PLACEHOLDER_SECRET, SECRET_KEYS, Config

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
    _read_secret_files(data, problems)
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
    for part in path:
        if free_key:  # a name the operator chose, such as a group: the model follows it
            free_key = False
            continue
        if model is None or part not in model.model_fields:
            return False
        annotation = model.model_fields[part].annotation
        model = _model_inside(annotation)
        if model is None and get_origin(annotation) is dict:
            model, free_key = _model_inside(get_args(annotation)[1]), True
    return annotation is str or (get_origin(annotation) in (Union, UnionType) and str in get_args(annotation))


def _model_inside(annotation):
    return annotation if isinstance(annotation, type) and issubclass(annotation, BaseModel) else None


def _read_secret_files(data: dict, problems: list[str]) -> None:
    for section, key in SECRET_KEYS:
        values = data.get(section)
        if not isinstance(values, dict) or f"{key}_file" not in values:
            continue
        file_name = values.pop(f"{key}_file")
        try:
            values[key] = Path(str(file_name)).read_text(encoding="utf-8").strip()
        except OSError as exc:
            problems.append(f"{section}.{key}_file: cannot read {file_name}: {exc.strerror}")


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
