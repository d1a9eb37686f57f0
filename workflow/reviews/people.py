"""Who wrote a comment. Drive gives a comment's or reply's author as `{displayName, photoLink, me}`,
without an email (the discovery document: it "will not be populated"). Reviewers are known by
email (the config, an approval's reviewer records), so a comment's author is matched by the name
Google shows with user records that carry both (an approval's reviewers, the Doc's permissions),
and shown by that name.
"""

from __future__ import annotations

from dataclasses import dataclass, field


def person(user: dict | None) -> str:
    """A Drive `User` that carries an email (an approval's reviewer) by its email."""
    user = user or {}
    return user.get("emailAddress") or user.get("displayName") or "someone"


def author_name(author: dict | None) -> str:
    """A comment's author as Google names them (its displayName; Drive gives no email there)."""
    author = author or {}
    return author.get("displayName") or author.get("emailAddress") or "someone"


@dataclass
class People:
    """Emails by the name Google shows, from user records that carry both."""

    emails: dict[str, str | None] = field(default_factory=dict)  # displayName -> email; None: two share it
    names: dict[str, str] = field(default_factory=dict)          # email (lower case) -> displayName

    @classmethod
    def of(cls, users: list[dict]) -> "People":
        people = cls()
        for user in users:
            name, email = (user or {}).get("displayName"), (user or {}).get("emailAddress")
            if name and email:
                known = people.emails.get(name, email)
                people.emails[name] = email if known is not None and known.lower() == email.lower() else None
                people.names[email.lower()] = name
        return people

    def email_of(self, author: dict | None) -> str | None:
        """The email of a comment's author: given (some shapes carry it), else by their name when
        exactly one known person has it; None when it cannot be told."""
        author = author or {}
        return author.get("emailAddress") or self.emails.get(author.get("displayName") or "")

    def name_of(self, email: str) -> str | None:
        return self.names.get(email.lower())

    def knows(self, author: dict | None) -> bool:
        """Whether this author's name (or email) is one these records tell."""
        author = author or {}
        return bool(author.get("emailAddress")) or (author.get("displayName") or "") in self.emails
