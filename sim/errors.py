"""The one error type users see: a bad config key, value, file or override."""


class ConfigError(ValueError):
    """Bad input, reported as one line that names the key and what is allowed."""

    def __init__(self, key: str, message: str):
        self.key = key
        self.message = message
        super().__init__(f"{key}: {message}" if key else message)
