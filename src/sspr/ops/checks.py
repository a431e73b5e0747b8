"""What `sspr check` verifies once the configuration itself is valid: that every configured
back-end is reachable and usable. Each problem is one plain line."""

from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor

from sspr.directory import get_directory
from sspr.directory.base import DirectoryUnavailable


def database_problems() -> list[str]:
    try:
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError as exc:
        return [f"database.url: cannot use the database ({exc.__class__.__name__}: {str(exc).strip()})"]
    if pending:
        return [f"database: {len(pending)} migrations not applied; run `sspr migrate`"]
    return []


def directory_problems() -> list[str]:
    try:
        return get_directory().check()
    except LookupError as exc:
        return [str(exc)]


def sync_problems() -> list[str]:
    """Each sync target's own check, in [sync] targets order."""
    from sspr.sync import SyncFailed, configured_targets

    problems = []
    for target in configured_targets():
        try:
            problems += target.check()
        except SyncFailed as exc:
            problems.append(f"sync.{target.name}: {exc.message}")
    return problems


def directory_warnings() -> list[str]:
    try:
        return get_directory().warnings()
    except LookupError:  # an unknown back-end: directory_problems() says so
        return []


def role_warnings(config) -> list[str]:
    """Role groups the directory does not have: most likely a typing mistake, which would give
    nobody the role."""
    warnings = []
    for role in type(config.roles).model_fields:
        names = getattr(config.roles, role)
        if not names:
            continue
        try:
            missing = get_directory().missing_groups(names)
        except (LookupError, DirectoryUnavailable):  # directory_problems() says why
            return []
        warnings += [f"roles.{role}: the directory has no group {name!r}" for name in missing]
    return warnings


def demo_warnings(config) -> list[str]:
    if config.server.demo:
        return ["server.demo: demo mode is on; never expose it to real users"]
    return []


def push_findings(config, demo: bool) -> tuple[list[str], list[str]]:
    """(problems, warnings) of "approve sign-ins on the app": a VAPID key that cannot be read is
    a problem; the method allowed without one, a warning (phones hear of requests only while the
    app is open)."""
    from sspr.methods.places import database_problem
    from sspr.methods.webpush import load_private_key

    if config.push.geoip_database and (problem := database_problem(config.push.geoip_database)):
        return [f"push.geoip_database: cannot be read ({problem})"], []
    if config.push.vapid_private_key:
        try:
            load_private_key(config.push.vapid_private_key)
        except ValueError as exc:
            return [f"push.vapid_private_key: not a usable P-256 private key ({exc.__class__.__name__})"], []
        return [], []
    allowed = set(config.methods.allowed).union(
        *(group.allowed or [] for group in config.methods.groups.values()))
    if "push" in allowed and not demo:
        return [], ["push.vapid_private_key: not set, so phones are told of sign-in requests only while the "
                    "authenticator app is open; see docs/push-approval.md"]
    return [], []
