"""The topic queue: topics editors add (topics), their hand-off to writers (assign) as draft files (drafts).

The data path starts here: a queued topic becomes a draft, a draft becomes a post.
"""
