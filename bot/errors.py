"""Domain errors. Each carries a message fit to show the user who caused it."""


class DomainError(Exception):
    """Base class: ``str(error)`` is the user-facing message."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class NotFound(DomainError):
    pass


class NotAllowed(DomainError):
    pass


class InvalidTransition(DomainError):
    pass


class BadInput(DomainError):
    """Input that cannot be accepted. ``field`` names the form field when there is one;
    ``errors`` maps several fields to messages for forms that show them inline."""

    def __init__(self, message: str, field: str | None = None, errors: dict[str, str] | None = None):
        super().__init__(message, field)
        self.errors = errors or ({field: message} if field else {})


class StartupFailed(Exception):
    """A platform could not start (a token refused, the service unreachable). ``tandem run``
    prints the message as one line and exits with status 1."""
