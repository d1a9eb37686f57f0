"""A local, stateful stand-in for Google Drive v3, Docs v1, Sheets v4 and Google's OAuth token endpoint.

    sandbox = start(data_dir)            # RunningSandbox; sandbox.url is the root URL
    build("drive", "v3", ..., client_options={"api_endpoint": sandbox.url + "drive/v3/"})
    build("docs", "v1", ..., client_options={"api_endpoint": sandbox.url})
    build("sheets", "v4", ..., client_options={"api_endpoint": sandbox.url})

Imports nothing from the rest of the `workflow` package.
"""

from .hosts import is_loopback
from .server import RunningSandbox, SandboxInUse, served_url, start

__all__ = ["RunningSandbox", "SandboxInUse", "is_loopback", "served_url", "start"]
