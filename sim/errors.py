"""The one error type users see: a bad config key, value, file or override."""

import argparse
import sys


class ConfigError(ValueError):
    """Bad input, reported as one line that names the key and what is allowed."""

    def __init__(self, key: str, message: str):
        self.key = key
        self.message = message
        super().__init__(f"{key}: {message}" if key else message)


class OneLineParser(argparse.ArgumentParser):
    """argparse for the subcommands, but a usage error is one line on stderr and exit 2."""

    def error(self, message: str):
        print(f"{self.prog}: error: {message}; see --help", file=sys.stderr)
        raise SystemExit(2)
