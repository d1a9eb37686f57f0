"""`workflow doctor`: is this site ready, and does the configured Google behave as the worker assumes?

- `setup`: config, credentials, token, state store, posts and drafts folders, review folder: each
  one `Check` (also what `workflow auth check` reports, through `google_access`);
- `live`: in a scratch Doc (in the bin afterwards, also after a failure or Ctrl-C), each behaviour
  of Drive and Docs the worker relies on, and what was seen.

A failed check the worker depends on makes the run unhealthy (exit 1); its `fix` names the
setting or fallback that avoids it.
"""

from workflow.doctor.check import Check, Status
from workflow.doctor.setup import GoogleAccess, diagnose, google_access

__all__ = ["Check", "GoogleAccess", "Status", "diagnose", "google_access"]
