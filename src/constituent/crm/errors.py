"""Domain errors shared by every service; boundaries map them (CLI: message + exit code; API: 404/409/422)."""

from __future__ import annotations


class DomainError(Exception):
    """Base of the errors a person can act on; ``str(error)`` is a sentence to show them."""


class NotFound(DomainError):
    def __init__(self, what: str, ident: object) -> None:
        super().__init__(f"{what} {ident} not found")
        self.what = what
        self.ident = ident


class Conflict(DomainError):
    """The request contradicts what is stored (a duplicate name, a second primary email, ...)."""


class DuplicateEmail(Conflict):
    """An address another contact already holds; ``contact_id`` names that contact so a person can open it."""

    def __init__(self, address: str, contact_id: int, display_name: str) -> None:
        super().__init__(f"{address} already belongs to {display_name} (contact {contact_id})")
        self.address = address
        self.contact_id = contact_id
        self.display_name = display_name


class InvalidInput(DomainError):
    """A value is wrong; ``field`` names it (dot path) so forms and the API can point at it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message
