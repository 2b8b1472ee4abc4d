"""Worker processes: a scan's providers spread over more than one core.

`spread` decides which providers the parent reads itself and which each child
process reads; `Pool` starts the children and stands in for their providers
(`RemotePlugin`), so the engine, the session and the outputs see ordinary
plugins. See docs/performance.md, "Worker processes".
"""

from scanner.workers.plan import available_cores, spread
from scanner.workers.pool import Pool

__all__ = ["Pool", "available_cores", "spread"]
