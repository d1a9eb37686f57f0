"""Following reviews in Google Docs and bringing the approved text home.

- `sync_reviews(config, store, session) -> ReviewReport`: the reviews job (poll, read, record,
  write back approved text, notify).
- `review_board(config, store)`: where every review stands, from the store and the post files.
- `post_comments(...)`, `review_diff(...)`: one post's comment threads on its source lines, and
  what the editors changed.
- `overdue_reviews(store, now)`: reviews past their due time, for `workflow status`.
"""

from workflow.reviews.board import BoardRow, overdue_reviews, post_comments, review_board, review_diff
from workflow.reviews.poll import ReviewReport, sync_reviews

__all__ = ["BoardRow", "ReviewReport", "overdue_reviews", "post_comments", "review_board", "review_diff",
           "sync_reviews"]
