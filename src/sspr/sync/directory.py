"""A second directory (a students' domain of its own, say): any directory back-end of the
registry, configured by [sync.directory] as [directory] configures the first, gets each new
password by an administrative reset."""

import threading

from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from sspr.directory import BACKENDS
from sspr.directory.base import DirectoryUnavailable, PasswordRejected, UnknownUser

from . import Prepared, SyncFailed, SyncTarget, unseal

_directories: dict[str, object] = {}
_lock = threading.Lock()


class DirectoryTarget(SyncTarget):
    name = "directory"

    @property
    def label(self) -> str:
        return self.settings.label or _("Your other directory account")

    def directory(self):
        """The back-end, built once per configuration and kept (its connections are pooled)."""
        key = self.settings.model_dump_json()
        with _lock:
            if key not in _directories:
                config = self.config.model_copy(update={"directory": self.settings})
                _directories[key] = import_string(BACKENDS[self.settings.backend])(config)
            return _directories[key]

    def deliver(self, prepared: Prepared, *, must_change: bool) -> None:
        password = unseal(prepared.secret)
        try:
            self.directory().reset_password(prepared.account, password, must_change=must_change)
        except UnknownUser:
            raise SyncFailed("the second directory has no such account", permanent=True) from None
        except PasswordRejected as exc:
            raise SyncFailed(f"the second directory refused the password: {'; '.join(exc.reasons)}"[:300],
                             permanent=True) from None
        except DirectoryUnavailable as exc:
            raise SyncFailed(f"the second directory is unavailable ({exc})"[:300], permanent=False) from None

    def check(self) -> list[str]:
        return [f"sync.directory: {problem}" for problem in self.directory().check()]
