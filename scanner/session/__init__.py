"""One scan session below the CLI: configure and scopes, the evidence recorder,
executing, services, the store and the outputs (see scan.py)."""

from scanner.session.discovery import Discovery, Work
from scanner.session.scan import ScanSession

__all__ = ["Discovery", "ScanSession", "Work"]
