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


def one_line(body, prog: str, file: str = "", allowed: str = "") -> int:
    """Run ``body()`` and return its exit code; bad input — a bad value, a missing,
    unreadable or corrupt file — becomes one line on stderr and exit code 2, never a
    traceback (``file``: the file to name when the error names none; ``allowed``: what
    would have been accepted)."""
    import zlib

    try:
        return body()
    except ValueError as exc:  # ConfigError and the calibration's LogError among them
        message = " ".join(str(exc).split())
    except (EOFError, OSError, zlib.error) as exc:  # gzip: truncated or corrupt
        why = " ".join(str(getattr(exc, "strerror", None) or exc).split())
        message = f"{getattr(exc, 'filename', None) or file}: cannot read ({why})"
        message += f"; allowed: {allowed}" if allowed else ""
    print(f"{prog}: error: {message}", file=sys.stderr)
    return 2
