"""The export pipeline: posts to their review Docs, one Doc per post, exactly once, never over a
reviewer's work.

By step:
- `decide`: every post file looked at before any API call (unchanged files skipped on size and
  mtime, drafts skipped, unreadable posts and duplicate post ids refused with one line each); and,
  for a Doc that exists, whether reviewers touched it (judged from the Doc itself);
- `write`: the Doc created once (its id reserved and recorded before `files.create`), replaced in
  one guarded write while nobody touched it, read back and fingerprinted; a lost write found and
  recorded instead of repeated;
- `suggest`: the author's changes to a touched Doc, as suggestions (three-way, by paragraph);
- `hand_off`: shared with the reviewers, Drive's approval started (again after an answered one);
- `report`: what each post came to (`export --json`);
- `exporter`: the run, each post under a per-process claim; one post's failure fails that post only.
"""

from workflow.export.exporter import Exporter, export_posts
from workflow.export.report import OUTCOMES, ExportReport, PostOutcome, PostResult

__all__ = ["OUTCOMES", "ExportReport", "Exporter", "PostOutcome", "PostResult", "export_posts"]
