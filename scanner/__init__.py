"""relscan: how do you release updates? Answered from live cloud configuration."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("relscan")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+source"
