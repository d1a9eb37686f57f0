"""docs-workflow: the editorial pipeline of a blog between Markdown files and Google Docs."""

__version__ = "0.1.0"
