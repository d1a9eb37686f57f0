"""Links to review Docs, built when they are printed from the endpoint in use.

The store keeps each post's Doc id; a link is made from it only when shown, because the address
of a sandbox is not forever (a sandbox started where 8765 was taken, `sandbox serve --port N`).
For Google a Doc opens at docs.google.com; for a sandbox URL in `[google] endpoint`, at that URL;
for `endpoint = "sandbox"`, wherever the site's sandbox data is served now, else where it was
served last (`workflow sandbox serve` serves it there again), else the default sandbox port.
"""

from __future__ import annotations

from dataclasses import dataclass

from workflow.config import Config

GOOGLE_DOCS_ROOT = "https://docs.google.com/"


def doc_url(root: str | None, doc_id: str) -> str:
    """The Doc's page: in Google Docs (root None) or in the sandbox viewer at `root`."""
    return f"{root or GOOGLE_DOCS_ROOT}document/d/{doc_id}/edit"


def sheet_url(root: str | None, spreadsheet_id: str) -> str:
    """The topic Sheet's page: in Google Sheets (root None) or in the sandbox viewer at `root`."""
    return f"{root or GOOGLE_DOCS_ROOT}spreadsheets/d/{spreadsheet_id}/edit"


@dataclass(frozen=True)
class DocLinks:
    """How Doc links are made for one command: `root` None is Google."""

    root: str | None
    # Whether a viewer answers at `root` right now (False: a sandbox nobody serves at the moment).
    serving: bool = True

    def url(self, doc_id: str | None) -> str | None:
        return doc_url(self.root, doc_id) if doc_id else None

    def sheet(self, spreadsheet_id: str | None) -> str | None:
        return sheet_url(self.root, spreadsheet_id) if spreadsheet_id else None

    @property
    def is_sandbox(self) -> bool:
        return self.root is not None


def doc_links(config: Config) -> DocLinks:
    """The links of `[google] endpoint` as it stands now, without starting anything."""
    endpoint = config.get("google", "endpoint")
    if endpoint == "google":
        return DocLinks(None)
    if endpoint != "sandbox":
        return DocLinks(endpoint.rstrip("/") + "/")
    from workflow import sandbox

    data_dir = config.resolve(config.get("google", "sandbox_data"))
    served = sandbox.served_url(data_dir)
    if served:
        return DocLinks(served)
    default = f"http://127.0.0.1:{sandbox.DEFAULT_PORT}/"
    return DocLinks(sandbox.last_served_url(data_dir) or default, serving=False)
