"""Password hashing (argon2id via pwdlib) and the list of passwords nobody should use.

The common-password list is zxcvbn's (30,000 passwords from breach corpora), loaded once.
The argon2 cost comes from settings: production keeps the library's recommended profile;
the test suite lowers it, because hashing is not what its tests are about.
"""

from __future__ import annotations

from functools import lru_cache

from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

from guarantee.domain.accounts import UNUSABLE_PASSWORD


@lru_cache(maxsize=1)
def _common() -> frozenset[str]:
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(word.lower() for word in FREQUENCY_LISTS["passwords"])


class Passwords:
    """The hasher port the account handlers use."""

    def __init__(self, *, time_cost: int = 3, memory_cost_kib: int = 65536) -> None:
        self._hash = PasswordHash((Argon2Hasher(time_cost=time_cost, memory_cost=memory_cost_kib),))
        # Checking an unknown user against a real hash keeps both failures equally slow.
        self._dummy = self._hash.hash("non-una-password-vera")

    def hash(self, password: str) -> str:
        return self._hash.hash(password)

    def verify(self, password: str, password_hash: str | None) -> bool:
        if not password_hash or password_hash == UNUSABLE_PASSWORD:
            self._hash.verify(password, self._dummy)
            return False
        try:
            return self._hash.verify(password, password_hash)
        except Exception:  # a malformed stored hash is a failed login, not a crash
            return False

    def is_common(self, password: str) -> bool:
        return password.lower() in _common()
