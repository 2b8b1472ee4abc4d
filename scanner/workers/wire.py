"""What travels between the parent and a worker process, and how an exception
crosses: as itself where it pickles, else rebuilt as the same class with the
same message, so the parent reports it exactly as if it had been raised there
(a UsageError still exits 2 with its one line; a ReadOnlyViolation still stops
the scan)."""

from __future__ import annotations

import importlib
import pickle
from typing import Any

# Parent -> child: ("configure", rid, provider, plugin | its name, options,
#                   evidence folder | None)
#                  ("scopes", rid, provider)
#                  ("collect", rid, provider, scope, per_account)
#                  ("stop",)
# Child -> parent: (rid, "item", Observation | ScopeError)   one unit, as read
#                  (rid, "done", value)                      the request's answer
#                  (rid, "error", packed exception)
#                  ("status", provider, text)                scanner.status
ITEM, DONE, ERROR, STATUS = "item", "done", "error", "status"


class WorkerError(RuntimeError):
    """An exception from a worker whose class could not be rebuilt here."""


def pack(exc: BaseException) -> tuple[Any, ...]:
    try:
        data = pickle.dumps(exc)
        pickle.loads(data)  # some exceptions pickle but cannot be rebuilt
        return ("pickled", data)
    except Exception:
        kind = type(exc)
        return ("named", kind.__module__, kind.__qualname__, str(exc))


def unpack(packed: tuple[Any, ...]) -> BaseException:
    if packed[0] == "pickled":
        exc: BaseException = pickle.loads(packed[1])
        return exc
    _, module, qualname, message = packed
    try:
        kind: Any = importlib.import_module(module)
        for part in qualname.split("."):
            kind = getattr(kind, part)
        rebuilt = kind(message)
        if isinstance(rebuilt, BaseException) and str(rebuilt) == message:
            return rebuilt
    except Exception:
        pass
    return WorkerError(f"{qualname}: {message}")
