"""A local, stateful stand-in for Google Drive v3, Docs v1, Sheets v4 and Google's OAuth token endpoint.

    sandbox = start(data_dir)            # RunningSandbox; sandbox.url is the root URL
    build("drive", "v3", ..., client_options={"api_endpoint": sandbox.url + "drive/v3/"})
    build("docs", "v1", ..., client_options={"api_endpoint": sandbox.url})
    build("sheets", "v4", ..., client_options={"api_endpoint": sandbox.url})

Imports nothing from the rest of the `workflow` package.
"""

from .hosts import is_loopback
from .server import DEFAULT_PORT, RunningSandbox, SandboxInUse, last_served_url, served_url, start, start_at_its_address

__all__ = ["DEFAULT_PORT", "RunningSandbox", "SandboxInUse", "is_loopback", "last_served_url", "served_url", "start",
           "start_at_its_address"]
