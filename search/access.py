"""Who may see and do what: users, roles, clearance, and signing in.

Documents carry an access level (``public`` < ``internal`` < ``restricted``). A user has a
clearance (the highest level they may read) and a role: a ``reader`` searches and asks, a
``contributor`` may also upload and ingest documents, an ``admin`` may also manage users.

Users live in a TOML file (setting ``users_file``) with scrypt password hashes; a trusted
single-sign-on proxy may instead name the user in a header (setting ``trusted_user_header``).
With no users file Lessons runs open for one local person, who sees everything.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from search.errors import AccessConfigError, AuthenticationError, PermissionDeniedError
from search.models import ACCESS_LEVELS, SearchFilters
from search.settings import Settings, environment_flag

ROLES: tuple[str, ...] = ("reader", "contributor", "admin")
"""Roles, each allowed what the one before it may do and more."""

NO_DOCUMENT = "-none-"
"""A doc_id no document has: a filter on it admits nothing."""

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,63}")
_SCRYPT = {"n": 2**14, "r": 8, "p": 1}


@dataclass(frozen=True)
class User:
    """A signed-in person: name, role and clearance (the highest access level they may read)."""

    name: str
    role: str = "reader"
    clearance: str = "public"

    @property
    def levels(self) -> tuple[str, ...]:
        """The access levels this user may read."""
        return ACCESS_LEVELS[: ACCESS_LEVELS.index(self.clearance) + 1]

    @property
    def reads_everything(self) -> bool:
        """Whether the clearance covers every access level (no filter needed)."""
        return self.clearance == ACCESS_LEVELS[-1]

    @property
    def may_contribute(self) -> bool:
        """Whether the user may upload and ingest documents."""
        return self.role in ("contributor", "admin")

    @property
    def is_admin(self) -> bool:
        """Whether the user may manage users."""
        return self.role == "admin"

    def require_contributor(self) -> None:
        """Raise PermissionDeniedError unless the user may add documents."""
        if not self.may_contribute:
            raise PermissionDeniedError(
                f"{self.name} is a {self.role} and may not add documents: ask an admin for the contributor role"
            )

    def require_admin(self) -> None:
        """Raise PermissionDeniedError unless the user is an admin (whole-index operations, users)."""
        if not self.is_admin:
            raise PermissionDeniedError(f"{self.name} is a {self.role}: only an admin may do this; ask one")

    def scope(self, filters: SearchFilters | None) -> SearchFilters:
        """``filters`` narrowed to what this user may read (the store applies it inside the query)."""
        filters = filters or SearchFilters()
        wanted = filters.access or self.levels
        allowed = tuple(level for level in wanted if level in self.levels)
        if not allowed:  # asked only for levels above the clearance: nothing may match
            return SearchFilters(doc_ids=(NO_DOCUMENT,))
        if set(allowed) == set(ACCESS_LEVELS):
            allowed = ()  # every level: no restriction, so the store can skip the access filter
        return SearchFilters(
            doc_types=filters.doc_types,
            publishers=filters.publishers,
            areas=filters.areas,
            access=allowed,
            doc_ids=filters.doc_ids,
            date_from=filters.date_from,
            date_to=filters.date_to,
        )

    def can_read(self, access: str) -> bool:
        """Whether a document at this access level is visible to the user."""
        return access in self.levels


LOCAL_USER = User(name="local", role="admin", clearance=ACCESS_LEVELS[-1])
"""The one person of an open installation (no users file): sees and may do everything."""


def hash_password(password: str, *, salt: bytes | None = None) -> str:
    """An scrypt hash of ``password`` to keep in the users file: ``scrypt$n$r$p$salt$hash``."""
    salt = salt or os.urandom(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, dklen=32, maxmem=64 * 1024 * 1024, **_SCRYPT)
    encode = base64.urlsafe_b64encode
    return f"scrypt${_SCRYPT['n']}${_SCRYPT['r']}${_SCRYPT['p']}${encode(salt).decode()}${encode(digest).decode()}"


def verify_password(password: str, encoded: str) -> bool:
    """Whether ``password`` matches a hash made by :func:`hash_password` (constant-time compare)."""
    try:
        scheme, n, r, p, salt, digest = encoded.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.urlsafe_b64decode(digest)
        actual = hashlib.scrypt(
            password.encode(),
            salt=base64.urlsafe_b64decode(salt),
            n=int(n),
            r=int(r),
            p=int(p),
            dklen=len(expected),
            maxmem=64 * 1024 * 1024,
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, expected)


@dataclass(frozen=True)
class _Account:
    user: User
    password_hash: str


class UserDirectory:
    """The users of an installation, read from the users file.

    The file holds one table per user::

        [users.alice]
        role = "contributor"          # reader | contributor | admin
        clearance = "internal"        # public | internal | restricted
        password_hash = "scrypt$..."  # from `lessons users add`; may be empty for proxy sign-in only
    """

    def __init__(self, path: Path, accounts: dict[str, _Account]) -> None:
        self.path = path
        self._accounts = accounts

    @classmethod
    def load(cls, path: Path) -> UserDirectory:
        """Read and check the users file; AccessConfigError names the file, the user and the fix."""
        if not path.is_file():
            raise AccessConfigError(
                f"users file {path} does not exist: create it with `lessons users add NAME`, "
                "or clear the users_file setting to run open on one machine"
            )
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise AccessConfigError(f"users file {path} is not valid TOML ({exc}): fix the line it names") from None
        accounts: dict[str, _Account] = {}
        for name, entry in (data.get("users") or {}).items():
            accounts[name] = _Account(_checked_user(path, name, entry), str(entry.get("password_hash", "")))
        return cls(path, accounts)

    def names(self) -> list[str]:
        """Every user name, sorted."""
        return sorted(self._accounts)

    def get(self, name: str) -> User | None:
        """The user with this name, or None."""
        account = self._accounts.get(name)
        return account.user if account else None

    def authenticate(self, name: str, password: str) -> User:
        """The user, when the password matches; AuthenticationError (not saying which part was wrong) else."""
        account = self._accounts.get(name.strip())
        # Hash even for an unknown name, so that timing does not tell which names exist.
        stored = account.password_hash if account and account.password_hash else hash_password("", salt=b"0" * 16)
        if not verify_password(password, stored) or account is None or not account.password_hash:
            raise AuthenticationError("wrong user name or password: try again, or ask an admin to reset it")
        return account.user

    def from_proxy(self, name: str | None, header: str) -> User:
        """The user a trusted sign-on proxy named in ``header``; AuthenticationError when absent or unknown."""
        if not name or not name.strip():
            raise AuthenticationError(f"no user name in the {header} header: sign in through the single-sign-on proxy")
        user = self.get(name.strip())
        if user is None:
            raise AuthenticationError(f"user {name.strip()!r} is not in the users file: ask an admin to add them")
        return user

    def save_user(self, user: User, password: str | None) -> None:
        """Add or replace one user (hashing ``password``; None keeps the old hash) and rewrite the file."""
        _checked_user(self.path, user.name, {"role": user.role, "clearance": user.clearance})
        old = self._accounts.get(user.name)
        password_hash = hash_password(password) if password else (old.password_hash if old else "")
        self._accounts[user.name] = _Account(user, password_hash)
        lines = ["# Lessons users: edit with `lessons users add` (passwords are scrypt hashes).", ""]
        for name in self.names():
            account = self._accounts[name]
            lines += [
                f'[users."{name}"]',
                f'role = "{account.user.role}"',
                f'clearance = "{account.user.clearance}"',
                f'password_hash = "{account.password_hash}"',
                "",
            ]
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_name(self.path.name + ".tmp")
        temporary.write_text("\n".join(lines), encoding="utf-8")
        os.chmod(temporary, 0o600)
        temporary.replace(self.path)


def _checked_user(path: Path, name: str, entry: object) -> User:
    if not _NAME.fullmatch(name):
        raise AccessConfigError(
            f"users file {path}: user name {name!r} is not usable: "
            "use letters, digits, '.', '_', '@' or '-' (at most 64)"
        )
    if not isinstance(entry, dict):
        raise AccessConfigError(f"users file {path}: user {name!r} must be a table [users.{name}]")
    role = str(entry.get("role", "reader"))
    clearance = str(entry.get("clearance", "public"))
    if role not in ROLES:
        raise AccessConfigError(f"users file {path}: user {name!r} has role {role!r}: use one of {', '.join(ROLES)}")
    if clearance not in ACCESS_LEVELS:
        raise AccessConfigError(
            f"users file {path}: user {name!r} has clearance {clearance!r}: use one of {', '.join(ACCESS_LEVELS)}"
        )
    return User(name=name, role=role, clearance=clearance)


def users_configured(settings: Settings) -> bool:
    """Whether sign-in is required (a users file is set)."""
    return bool(settings.users_file)


def user_directory(settings: Settings) -> UserDirectory:
    """The users file named by the settings; AccessConfigError when it is missing or malformed."""
    return UserDirectory.load(Path(settings.users_file).expanduser())


def configured_user(settings: Settings) -> User:
    """The user the command line acts as.

    With no users file: the local user, who sees everything. Otherwise the user named by the
    setting ``user``, signed in with the password in the environment variable ``password_env``
    names; AuthenticationError says which is missing.
    """
    if not users_configured(settings):
        return LOCAL_USER
    directory = user_directory(settings)
    if not settings.user:
        raise AuthenticationError(
            f"users are configured ({settings.users_file}): say who you are with LESSONS_USER=NAME "
            f"and the password in {settings.password_env}"
        )
    password = environment_flag(settings.password_env)
    if not password:
        raise AuthenticationError(
            f"no password for {settings.user}: put it in the environment variable {settings.password_env}"
        )
    return directory.authenticate(settings.user, password)


def save_user(settings: Settings, user: User, password: str | None) -> UserDirectory:
    """Add or change a user in the users file (creating it), as the configured CLI user.

    Once the file holds users, only an admin may change it; the first user may be added by
    whoever can write the file (make them an admin).
    """
    if not users_configured(settings):
        raise AccessConfigError("no users file is set: set LESSONS_USERS_FILE (e.g. users.toml) first")
    path = Path(settings.users_file).expanduser()
    directory = UserDirectory.load(path) if path.exists() else UserDirectory(path, {})
    if directory.names():
        acting = configured_user(settings)
        if not acting.is_admin:
            raise PermissionDeniedError(f"{acting.name} is a {acting.role}: only an admin may add or change users")
    elif user.role != "admin":
        raise AccessConfigError(f"the first user of {path} must be an admin: add {user.name} with --role admin")
    if user.name not in directory.names() and not password and not settings.trusted_user_header:
        raise AccessConfigError(
            f"a new user needs a password: give one for {user.name} (or set trusted_user_header for proxy sign-in only)"
        )
    directory.save_user(user, password)
    return directory
