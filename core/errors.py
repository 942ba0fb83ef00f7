"""The one base of errors a person reads: views catch UserFacingError once and show `message`."""


class UserFacingError(Exception):
    """A request the help desk refuses, with a message (already translated) for the person who asked."""

    def __init__(self, message: str):
        self.message = message
        super().__init__(message)
