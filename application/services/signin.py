"""Signing in to the web pages: passwords (argon2), lock-out, and server-side sessions.

Programs keep using bearer tokens (:mod:`application.services.access`); people sign in
with a user name and password. The rules:

* passwords are hashed with argon2id and kept beside the events, never in them;
* 5 failures within 15 minutes lock the account for 15 minutes (:class:`TooManyAttempts`,
  429), and one client may try at most :data:`CLIENT_ATTEMPTS` times per window, whatever
  the account (kept in this process: a second process keeps its own count);
* a session is a random id in a cookie; the server keeps its SHA-256, ends it 30 minutes
  after the last request and 8 hours after sign-in, whichever comes first;
* the CSRF token of a form is derived from the session id, so it is bound to the session
  and needs no storage;
* a password set by an administrator (first sign-in, reset) must be changed before
  anything else.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import unicodedata
import uuid
from collections import deque
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from application.adapters.credentials import CredentialStore, PasswordRecord, SessionRecord
from application.services.access import AccessService, Principal
from application.services.records import Clock, Records
from domain.access import UserAccount, user_id_for, well_formed_username
from domain.base import CommandContext
from domain.errors import InvalidInput, NotAuthenticated, TooManyAttempts
from domain.text import refused_character

MAX_FAILURES = 5
FAILURE_WINDOW = timedelta(minutes=15)
LOCK_OUT = timedelta(minutes=15)
CLIENT_ATTEMPTS = 30
IDLE = timedelta(minutes=30)
ABSOLUTE = timedelta(hours=8)
MIN_PASSWORD = 10
MAX_PASSWORD = 256

WRONG = "sai tên đăng nhập hoặc mật khẩu"
LOCKED = "tài khoản tạm khóa do nhập sai mật khẩu nhiều lần; thử lại sau 15 phút"
BUSY = "quá nhiều lần đăng nhập từ máy này; thử lại sau ít phút"
EXPIRED = "phiên đăng nhập đã hết hạn; mời đăng nhập lại"


@dataclass(frozen=True)
class WebSession:
    """A signed-in user's session: the cookie's value (``session_id``) and who it is."""

    session_id: str
    principal: Principal
    must_change_password: bool

    @property
    def csrf_token(self) -> str:
        return csrf_token_for(self.session_id)


def _digest(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


def csrf_token_for(secret: str) -> str:
    """The form token bound to a session id (or to a not-yet-signed-in visitor's cookie)."""
    return hmac.new(secret.encode(), b"hoctap-csrf", hashlib.sha256).hexdigest()


def csrf_matches(secret: str, token: str) -> bool:
    return hmac.compare_digest(csrf_token_for(secret).encode(), token.encode())


class SignInService:
    """Passwords and sessions of the web pages, over the credential table and accounts."""

    def __init__(
        self,
        credentials: CredentialStore,
        records: Records,
        access: AccessService,
        clock: Clock,
        hasher: PasswordHasher | None = None,
    ) -> None:
        self.credentials = credentials
        self.records = records
        self.access = access
        self.clock = clock
        self.hasher = hasher or PasswordHasher()
        self._dummy: str | None = None  # hashed on first use: building a ledger stays cheap
        self._clients: dict[str, deque[float]] = {}
        self._clients_lock = threading.Lock()

    def _now(self) -> float:
        return self.clock.now().timestamp()

    # --- passwords ---------------------------------------------------------------------

    def set_password(
        self,
        ctx: CommandContext,
        user_id: uuid.UUID,
        password: str,
        *,
        must_change: bool | None = None,
    ) -> None:
        """Set an account's password: one set for someone else (an administrator in scope)
        must be changed at the next sign-in unless ``must_change`` says otherwise (demo
        accounts); one's own need not. Open sessions of the account end."""
        user = self.access.user_for(ctx, user_id)
        if must_change is None:
            must_change = ctx.actor_id != str(user.id)
        self._store_password(user, checked_password(password), must_change=must_change)

    def change_own_password(self, session: WebSession, current: str, new: str) -> WebSession:
        """Change one's password (knowing the current one); returns the new session."""
        user_id = str(session.principal.user_id)
        record = self.credentials.password(user_id)
        if record is None or not self._verifies(record.hash, current):
            raise InvalidInput("mật khẩu hiện tại không đúng", field="current")
        if hmac.compare_digest(current.encode(), new.encode()):
            raise InvalidInput("mật khẩu mới phải khác mật khẩu cũ", field="new")
        user = self.records.get(UserAccount, session.principal.user_id)
        self._store_password(user, checked_password(new), must_change=False)
        return self._open(user)

    def _store_password(self, user: UserAccount, password: str, *, must_change: bool) -> None:
        record = PasswordRecord(str(user.id), self.hasher.hash(password), must_change)
        self.credentials.put_password(record)
        self.credentials.close_sessions_of(str(user.id))

    def _verifies(self, hashed: str, password: str) -> bool:
        if len(password) > MAX_PASSWORD:
            return False
        try:
            return self.hasher.verify(hashed, unicodedata.normalize("NFC", password))
        except (VerificationError, InvalidHashError):
            return False

    # --- signing in and out ------------------------------------------------------------

    def sign_in(self, username: str, password: str, client: str) -> WebSession:
        """A new session for the account, if the password is right and it is not locked."""
        self._count_client(client)
        user = None
        if well_formed_username(username):
            user = self.records.find(UserAccount, user_id_for(username))
        record = self.credentials.password(str(user.id)) if user is not None else None
        if user is None or record is None:
            if self._dummy is None:
                self._dummy = self.hasher.hash(secrets.token_urlsafe(16))
            self._verifies(self._dummy, password)  # the same time as a known account takes
            raise NotAuthenticated(WRONG)
        now = self._now()
        if record.locked_until > now:
            raise TooManyAttempts(LOCKED, retry_after=int(record.locked_until - now) + 1)
        if not self._verifies(record.hash, password):
            self._fail(record, now)
        if record.failures:
            self.credentials.put_password(
                PasswordRecord(record.user_id, record.hash, record.must_change)
            )
        if not user.active:
            raise NotAuthenticated("tài khoản đã bị khóa")
        return self._open(user)

    def _fail(self, record: PasswordRecord, now: float) -> None:
        fresh = now - record.first_failure_at > FAILURE_WINDOW.total_seconds()
        failures = 1 if fresh else record.failures + 1
        first = now if fresh else record.first_failure_at
        locked = now + LOCK_OUT.total_seconds() if failures >= MAX_FAILURES else 0.0
        self.credentials.put_password(
            PasswordRecord(record.user_id, record.hash, record.must_change, failures, first, locked)
        )
        if locked:
            raise TooManyAttempts(LOCKED, retry_after=int(LOCK_OUT.total_seconds()))
        raise NotAuthenticated(WRONG)

    def _count_client(self, client: str) -> None:
        now = self._now()
        with self._clients_lock:
            attempts = self._clients.setdefault(client, deque())
            while attempts and now - attempts[0] > FAILURE_WINDOW.total_seconds():
                attempts.popleft()
            if len(attempts) >= CLIENT_ATTEMPTS:
                raise TooManyAttempts(BUSY, retry_after=60)
            attempts.append(now)

    def _open(self, user: UserAccount) -> WebSession:
        session_id = secrets.token_urlsafe(32)
        now = self._now()
        self.credentials.open_session(SessionRecord(_digest(session_id), str(user.id), now, now))
        return self._session(session_id, user, now)

    def session(self, session_id: str) -> WebSession:
        """The live session with this id (NotAuthenticated when unknown or expired)."""
        digest = _digest(session_id)
        found = self.credentials.session(digest)
        if found is None:
            raise NotAuthenticated(EXPIRED)
        now = self._now()
        if now - found.seen_at > IDLE.total_seconds() or (
            now - found.created_at > ABSOLUTE.total_seconds()
        ):
            self.credentials.close_session(digest)
            raise NotAuthenticated(EXPIRED)
        user = self.records.get(UserAccount, uuid.UUID(found.user_id))
        if not user.active:
            self.credentials.close_session(digest)
            raise NotAuthenticated("tài khoản đã bị khóa")
        self.credentials.touch(digest, now)
        return self._session(session_id, user, found.created_at)

    def _session(self, session_id: str, user: UserAccount, created_at: float) -> WebSession:
        record = self.credentials.password(str(user.id))
        principal = Principal(
            user.id,
            user.username,
            tuple(user.roles),
            user.unit_id,
            user.person_id,
            uuid.uuid5(uuid.NAMESPACE_URL, "hoctap-session:" + _digest(session_id)),
            datetime.fromtimestamp(created_at, UTC) + ABSOLUTE,
        )
        return WebSession(session_id, principal, record is None or record.must_change)

    def sign_out(self, session_id: str) -> None:
        self.credentials.close_session(_digest(session_id))


def checked_password(password: str) -> str:
    """A new password, NFC-normalised, if it is long enough and holds no control character."""
    code_point = refused_character(password)
    if code_point is not None or any(unicodedata.category(c) == "Cc" for c in password):
        raise InvalidInput(
            "mật khẩu không được chứa ký tự điều khiển", field="password", character=code_point
        )
    password = unicodedata.normalize("NFC", password)
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise InvalidInput(
            f"mật khẩu phải dài từ {MIN_PASSWORD} đến {MAX_PASSWORD} ký tự",
            field="password",
            min_length=MIN_PASSWORD,
            max_length=MAX_PASSWORD,
        )
    return password
