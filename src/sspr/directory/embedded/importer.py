"""Bulk import of accounts from CSV into the embedded directory.

All or nothing: a file with any bad row writes nothing and every bad row is named by line
number and reason. Hashes from another system (argon2, bcrypt, PBKDF2) are taken as they are,
so a migration needs no plain-text passwords and no slow hashing at import time.
"""

import csv
import re
from dataclasses import dataclass, field

from django.contrib.auth.hashers import identify_hasher, make_password
from django.db import connection, transaction
from django.db.models import Field
from django.utils import timezone

from .backend import canonical_password
from .models import Account, normalise_user_id

COLUMNS = ["user_id", "display_name", "groups", "department", "email", "mobile", "alternate_email"]
SECRET_COLUMNS = ["password", "password_hash"]
PROFILE_FIELDS = ["display_name", "groups", "department", "email", "mobile", "alternate_email"]
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
USER_ID = re.compile(r"^[^\s@]+(@[^\s@]+)?$")
PHONE = re.compile(r"^\+?[0-9][0-9 ().-]{5,30}$")


class ImportRejected(Exception):
    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    user_ids: list[str] = field(default_factory=list)


# The shape of each accepted hash, in Django's encoding; anything else is refused at import
# rather than failing at the person's first sign-in.
HASH_SHAPES = [
    re.compile(r"^argon2\$argon2id?\$v=19\$m=\d+,t=\d+,p=\d+\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$"),
    re.compile(r"^bcrypt(_sha256)?\$\$2[aby]\$\d\d\$[./A-Za-z0-9]{53}$"),
    re.compile(r"^pbkdf2_sha(1|256)\$\d+\$[^$]+\$[A-Za-z0-9+/]+=*$"),
]


def django_encoded(password_hash: str) -> str:
    """Turn a hash in its standard encoding into Django's; raise ValueError if unusable."""
    if password_hash.startswith(("$argon2id$", "$argon2i$")):
        encoded = "argon2" + password_hash
    elif password_hash.startswith(("$2a$", "$2b$", "$2y$")):
        encoded = "bcrypt$" + password_hash
    else:
        encoded = password_hash  # already Django's: pbkdf2_sha256$..., argon2$..., bcrypt$...
    if not any(shape.match(encoded) for shape in HASH_SHAPES):
        raise ValueError("not a hash we can verify")
    identify_hasher(encoded).decode(encoded)
    return encoded


def parse_groups(value: str) -> list[str]:
    return [group.strip() for group in value.split(";") if group.strip()]


def read_rows(lines, domains: list[str]):
    """Validate every row; return (rows, problems). Rows are dicts ready for the model."""
    reader = csv.DictReader(lines)
    header = reader.fieldnames or []
    unknown = [name for name in header if name not in COLUMNS + SECRET_COLUMNS]
    if "user_id" not in header or unknown:
        problem = "line 1: the header needs user_id"
        if unknown:
            problem += f"; unknown columns: {', '.join(unknown)}"
        return [], [problem]
    rows, problems = [], []
    seen: dict[str, int] = {}  # user ID -> the line it was first on
    for row in reader:
        line = reader.line_num
        if None in row:
            problems.append(f"line {line}: more values than columns")
            continue
        row = {key: (value or "").strip() for key, value in row.items()}
        reasons = []
        user_id = normalise_user_id(row["user_id"])
        if not user_id or not USER_ID.match(user_id):
            reasons.append("user_id is missing or has spaces")
        elif domains and user_id.rpartition("@")[2] not in domains:
            reasons.append(f"user_id must end in one of: {', '.join('@' + d for d in domains)}")
        elif user_id in seen:
            reasons.append(f"user_id repeats line {seen[user_id]}")
        seen.setdefault(user_id, line)
        for column in ("email", "alternate_email"):
            if row.get(column) and not EMAIL.match(row[column]):
                reasons.append(f"{column} is not an email address")
        if row.get("mobile") and not PHONE.match(row["mobile"]):
            reasons.append("mobile is not a phone number")
        password, password_hash = row.pop("password", ""), row.pop("password_hash", "")
        encoded = None
        if password and password_hash:
            reasons.append("give password or password_hash, not both")
        elif password_hash:
            try:
                encoded = django_encoded(password_hash)
            except ValueError:
                reasons.append("password_hash is not an argon2, bcrypt or PBKDF2 hash")
        elif password:
            encoded = make_password(canonical_password(password))
        if reasons:
            problems.append(f"line {line}: {'; '.join(reasons)}")
            continue
        row.update(user_id=user_id, password=encoded)
        if "groups" in row:
            row["groups"] = parse_groups(row["groups"])
        rows.append(row)
    return rows, problems


def _stored(name: str) -> tuple[Field, str]:
    """An Account field kept in a column of its own, and the column's name."""
    found = Account._meta.get_field(name)
    if not isinstance(found, Field) or not found.column:
        raise ValueError(f"Account.{name} has no column of its own")
    return found, found.column


def update_in_place(accounts: list[Account], fields: list[str]) -> None:
    """Write the given fields of existing rows. Django's bulk_update builds one CASE WHEN term per
    row and field, which took minutes for a district's 60,000 accounts; one prepared UPDATE run
    per row takes seconds."""
    if not accounts:
        return
    quote = connection.ops.quote_name
    columns = [_stored(name) for name in fields]
    assignments = ", ".join(f"{quote(column)} = %s" for _field, column in columns)
    _pk, pk_column = _stored(Account._meta.pk.name)
    sql = f"UPDATE {quote(Account._meta.db_table)} SET {assignments} WHERE {quote(pk_column)} = %s"
    rows = [[stored.get_db_prep_save(getattr(account, stored.attname), connection) for stored, _column in columns]
            + [account.pk] for account in accounts]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def import_accounts(lines, domains: list[str]) -> ImportResult:
    rows, problems = read_rows(lines, domains)
    if problems:
        raise ImportRejected(problems)
    return store_rows(rows)


def store_rows(rows: list[dict]) -> ImportResult:
    """Create or update the accounts of rows that read_rows accepted, in one transaction."""
    now = timezone.now()
    result = ImportResult()
    with transaction.atomic():
        existing = Account.objects.in_bulk([row["user_id"] for row in rows], field_name="user_id")
        to_create, to_update, password_changed = [], [], []
        for row in rows:
            account = existing.get(row["user_id"])
            encoded = row.pop("password")
            if account is None:
                to_create.append(Account(
                    **row, password=encoded or make_password(None), password_last_set=now if encoded else None,
                ))
                continue
            for name in PROFILE_FIELDS:
                if name in row:
                    setattr(account, name, row[name])
            if encoded:
                account.password, account.password_last_set = encoded, now
                password_changed.append(account)
            to_update.append(account)
        Account.objects.bulk_create(to_create, batch_size=2000)
        update_in_place(to_update, PROFILE_FIELDS)
        update_in_place(password_changed, ["password", "password_last_set"])
    result.created, result.updated = len(to_create), len(to_update)
    result.user_ids = [row["user_id"] for row in rows]
    return result
