"""The one error type the clerk sees."""


class LcqyError(Exception):
    """A refusal or failure the clerk should read; printed without traceback.

    `code` is the process exit status: 1 for refused input or state, 2 for usage.
    """

    def __init__(self, message: str, code: int = 1):
        super().__init__(message)
        self.message = message
        self.code = code
