"""The people directory: which person each chat account is, and every name a person goes by
(``bot.people`` explains the rules)."""

from __future__ import annotations

import threading

from bot.clock import Clock
from bot.people import Account, EmailLookup
from storage import Store
from storage import people as repo


class People:
    def __init__(self, store: Store, clock: Clock):
        self.store = store
        self.clock = clock
        self._lock = threading.Lock()

    def account(self, platform: str, user_id: str) -> Account | None:
        return repo.get(self.store.db, platform, user_id)

    def seen(self, platform: str, user_id: str, email: str | None = None, name: str = "",
             lookup: EmailLookup | None = None, lookup_platform: str = "slack", alt_id: str | None = None) -> Account:
        """Records an account seen on ``platform`` and returns it with its person.

        An account seen before keeps its person. A new one becomes the person of an account
        on another platform with the same e-mail address (found in the table, or with
        ``lookup`` and then recorded as a ``lookup_platform`` account), or its own person."""
        email = email.strip().lower() if email and "@" in email else None
        now = self.clock.now()
        with self._lock, self.store.write() as db:
            known = repo.get(db, platform, user_id)
            if known is not None:
                account = Account(platform, user_id, email or known.email, name or known.name, known.person,
                                  alt_id or known.alt_id)
                repo.save(db, account, now)
                return account
            person = user_id
            if email:
                others = [a for a in repo.with_email(db, email) if a.platform != platform]
                if others:
                    person = others[0].person
                elif lookup is not None:
                    found = lookup(email)
                    if found:
                        person = found
                        repo.save(db, Account(lookup_platform, found, email, "", found), now)
            account = Account(platform, user_id, email, name, person, alt_id)
            repo.save(db, account, now)
            return account

    def accounts(self, person: str, platform: str | None = None) -> list[Account]:
        """A person's accounts (on one platform, or all)."""
        found = repo.of_person(self.store.db, person)
        return [a for a in found if platform is None or a.platform == platform]

    def display_name(self, person: str) -> str:
        """A person's name as a platform told it (their ID when none did)."""
        return next((account.name for account in self.accounts(person) if account.name), person)

    def aliases(self, person: str) -> set[str]:
        """Every name a role entry may use for ``person``: their accounts' user IDs and e-mail addresses."""
        names = {person}
        for account in self.accounts(person):
            names.add(account.user_id)
            if account.alt_id:
                names.add(account.alt_id)
            if account.email:
                names.add(account.email)
        return names

    def persons(self, entry: str) -> set[str]:
        """The people a role entry names: an account's user ID or an e-mail address."""
        db = self.store.db
        found = repo.with_email(db, entry.lower()) if "@" in entry else repo.with_id(db, entry)
        return {account.person for account in found}

    def person_for_email(self, email: str) -> str | None:
        found = repo.with_email(self.store.db, email.lower())
        return found[0].person if found else None
