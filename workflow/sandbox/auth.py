"""Google's OAuth token endpoint, the tokens it issues, and who a token acts as.

Three kinds of caller:
- a service account (key JSON minted by `create_service_account`), by the JWT-bearer grant;
  with a `sub` claim it acts for that user (domain-wide delegation);
- a user of an OAuth client (app), by the refresh-token grant of credentials minted by
  `create_user_credentials`;
- a person in Google's own editor (`ui_token`): every scope, no app, as in the Drive UI.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import time
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from .discovery import service
from .exceptions import OAuthError, insufficient_scopes, invalid_credentials, login_required

SCOPE_PREFIX = "https://www.googleapis.com/auth/"
DRIVE = SCOPE_PREFIX + "drive"
DRIVE_FILE = SCOPE_PREFIX + "drive.file"
DRIVE_READONLY = SCOPE_PREFIX + "drive.readonly"
DOCUMENTS = SCOPE_PREFIX + "documents"
DOCUMENTS_READONLY = SCOPE_PREFIX + "documents.readonly"
SPREADSHEETS = SCOPE_PREFIX + "spreadsheets"
SPREADSHEETS_READONLY = SCOPE_PREFIX + "spreadsheets.readonly"
GOOGLE_TOKEN_AUDIENCES = ("https://oauth2.googleapis.com/token",
                          "https://www.googleapis.com/oauth2/v4/token",
                          "https://accounts.google.com/o/oauth2/token")
TOKEN_LIFETIME = 3600
UI_SCOPES = frozenset({DRIVE, DOCUMENTS, SPREADSHEETS})


def _known_scopes() -> frozenset[str]:
    scopes = {"openid", "email", "profile", SCOPE_PREFIX + "userinfo.email"}
    for name in ("drive", "docs", "sheets"):
        for method in service(name).methods:
            scopes |= method.scopes
    return frozenset(scopes)


@dataclass(frozen=True)
class Principal:
    """Who a call acts as: a user (or service account) email, through which app, with which scopes."""

    email: str
    app: str | None            # OAuth client id; None = Google's own editor (Drive UI)
    scopes: frozenset[str]
    is_service_account: bool = False

    def require_scope(self, allowed: frozenset[str]) -> None:
        if not self.scopes & allowed:
            raise insufficient_scopes()

    @property
    def drive_file_only(self) -> bool:
        """True if only the drive.file rule gives this caller access to Drive files."""
        return self.app is not None and not self.scopes & {DRIVE, DRIVE_READONLY}


def _b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def numeric_id(text: str) -> str:
    """A stable 21-digit id derived from `text` (Google's client ids and permission ids look so)."""
    return str(int(hashlib.sha256(text.encode()).hexdigest(), 16))[:21]


class AuthRegistry:
    """Service accounts, OAuth clients, refresh and access tokens. Not thread-safe: callers lock."""

    def __init__(self) -> None:
        self.service_accounts: dict[str, dict] = {}   # email -> {"client_id", "keys": {kid: pem}}
        self.oauth_clients: dict[str, dict] = {}      # client_id -> {"secret", "name"}
        self.refresh_tokens: dict[str, dict] = {}     # token -> {"client_id", "email", "scopes"}
        self.access_tokens: dict[str, dict] = {}      # token -> {"email", "app", "scopes", "expiry", "sa"}

    # -- minting credentials ---------------------------------------------------------------
    def create_service_account(self, email: str, token_uri: str) -> dict:
        """A complete service-account key JSON; its public key is registered for /token."""
        private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        private_pem = private_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption()).decode()
        public_pem = private_key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
        key_id = secrets.token_hex(20)
        account = self.service_accounts.setdefault(
            email, {"client_id": numeric_id("sa:" + email), "keys": {}})
        account["keys"][key_id] = public_pem
        project = email.split("@", 1)[1].split(".", 1)[0] if "@" in email else "sandbox"
        return {
            "type": "service_account",
            "project_id": project,
            "private_key_id": key_id,
            "private_key": private_pem,
            "client_email": email,
            "client_id": account["client_id"],
            "auth_uri": token_uri.rsplit("/", 1)[0] + "/auth",
            "token_uri": token_uri,
            "auth_provider_x509_cert_url": "",
            "client_x509_cert_url": "",
            "universe_domain": "googleapis.com",
        }

    def create_oauth_client(self, name: str = "sandbox app") -> dict:
        client_id = f"{numeric_id(secrets.token_hex(8))}-sandbox.apps.googleusercontent.com"
        secret = "GOCSPX-" + secrets.token_urlsafe(21)
        self.oauth_clients[client_id] = {"secret": secret, "name": name}
        return {"client_id": client_id, "client_secret": secret}

    def create_user_credentials(self, email: str, scopes: list[str], token_uri: str,
                                client_id: str | None = None) -> dict:
        """Authorized-user JSON (as `Credentials.to_json()` writes) for `email` through an app."""
        self._check_scopes(scopes)
        if client_id is None:
            client = self.create_oauth_client()
        elif client_id in self.oauth_clients:
            client = {"client_id": client_id, "client_secret": self.oauth_clients[client_id]["secret"]}
        else:
            raise KeyError(client_id)
        refresh_token = "1//sandbox-" + secrets.token_urlsafe(32)
        self.refresh_tokens[refresh_token] = {
            "client_id": client["client_id"], "email": email, "scopes": sorted(scopes)}
        return {"type": "authorized_user", "client_id": client["client_id"],
                "client_secret": client["client_secret"], "refresh_token": refresh_token,
                "token_uri": token_uri, "scopes": sorted(scopes), "account": email,
                "universe_domain": "googleapis.com"}

    def ui_token(self, email: str) -> str:
        """A bearer token acting as `email` in Google's own editor (no app, full scopes)."""
        return self._issue(email=email, app=None, scopes=UI_SCOPES, is_sa=False,
                           lifetime=10 * 365 * 24 * 3600)

    # -- the token endpoint ----------------------------------------------------------------
    def token(self, form: dict[str, str], now: float | None = None) -> dict:
        grant = form.get("grant_type", "")
        if grant == "urn:ietf:params:oauth:grant-type:jwt-bearer":
            return self._jwt_grant(form.get("assertion", ""), now or time.time())
        if grant == "refresh_token":
            return self._refresh_grant(form)
        raise OAuthError(400, "unsupported_grant_type", f"Invalid grant_type: {grant}")

    def _jwt_grant(self, assertion: str, now: float) -> dict:
        try:
            header_b64, claims_b64, signature_b64 = assertion.split(".")
            header = json.loads(_b64url_decode(header_b64))
            claims = json.loads(_b64url_decode(claims_b64))
            signature = _b64url_decode(signature_b64)
        except ValueError:
            raise OAuthError(400, "invalid_request", "Invalid JWT assertion.") from None
        if header.get("alg") != "RS256":
            raise OAuthError(400, "invalid_grant", "Invalid JWT: unsupported alg.")
        account = self.service_accounts.get(claims.get("iss", ""))
        if account is None:
            raise OAuthError(400, "invalid_grant", "Invalid grant: account not found")
        pem = account["keys"].get(header.get("kid", ""))
        candidates = [pem] if pem else list(account["keys"].values())
        if not any(self._signature_ok(key, f"{header_b64}.{claims_b64}".encode(), signature)
                   for key in candidates):
            raise OAuthError(400, "invalid_grant", "Invalid JWT Signature.")
        if claims.get("aud") not in GOOGLE_TOKEN_AUDIENCES:
            raise OAuthError(400, "invalid_grant", "Invalid JWT: Failed audience check.")
        issued, expires = claims.get("iat", 0), claims.get("exp", 0)
        if not (issued - 300 <= now <= expires + 300) or expires - issued > 3600:
            raise OAuthError(400, "invalid_grant",
                             "Invalid JWT: Token must be a short-lived token (60 minutes) and in a "
                             "reasonable timeframe. Check your iat and exp values in the JWT claim.")
        scopes = claims.get("scope", "").split()
        if not scopes:
            raise OAuthError(400, "invalid_scope", "Invalid OAuth scope or ID token audience provided.")
        self._check_scopes(scopes)
        subject = claims.get("sub")
        token = self._issue(email=subject or claims["iss"], app=account["client_id"],
                            scopes=frozenset(scopes), is_sa=not subject)
        return {"access_token": token, "expires_in": TOKEN_LIFETIME, "token_type": "Bearer"}

    @staticmethod
    def _signature_ok(public_pem: str, signed: bytes, signature: bytes) -> bool:
        public_key = serialization.load_pem_public_key(public_pem.encode())
        try:
            public_key.verify(signature, signed, padding.PKCS1v15(), hashes.SHA256())
        except InvalidSignature:
            return False
        return True

    def _refresh_grant(self, form: dict[str, str]) -> dict:
        client = self.oauth_clients.get(form.get("client_id", ""))
        if client is None or client["secret"] != form.get("client_secret"):
            raise OAuthError(401, "invalid_client", "The OAuth client was not found.")
        grant = self.refresh_tokens.get(form.get("refresh_token", ""))
        if grant is None or grant["client_id"] != form.get("client_id"):
            raise OAuthError(400, "invalid_grant", "Token has been expired or revoked.")
        scopes = form.get("scope", "").split() or grant["scopes"]
        if not set(scopes) <= set(grant["scopes"]):
            raise OAuthError(400, "invalid_scope",
                             "Some requested scopes were invalid. {invalid=[%s]}"
                             % ", ".join(sorted(set(scopes) - set(grant["scopes"]))))
        token = self._issue(email=grant["email"], app=grant["client_id"],
                            scopes=frozenset(scopes), is_sa=False)
        return {"access_token": token, "expires_in": TOKEN_LIFETIME, "token_type": "Bearer",
                "scope": " ".join(sorted(scopes))}

    def _check_scopes(self, scopes: list[str]) -> None:
        unknown = sorted(set(scopes) - _known_scopes())
        if unknown:
            raise OAuthError(400, "invalid_scope",
                             "Some requested scopes were invalid. {invalid=[%s]}" % ", ".join(unknown))

    def _issue(self, *, email: str, app: str | None, scopes: frozenset[str], is_sa: bool,
               lifetime: int = TOKEN_LIFETIME) -> str:
        token = "ya29.sandbox-" + secrets.token_urlsafe(32)
        self.access_tokens[token] = {"email": email, "app": app, "scopes": sorted(scopes),
                                     "expiry": time.time() + lifetime, "sa": is_sa}
        return token

    # -- API calls ---------------------------------------------------------------------------
    def authenticate(self, authorization: str | None, query_token: str | None = None) -> Principal:
        """The principal of an `Authorization: Bearer` header (or `access_token` parameter)."""
        token = query_token
        if authorization:
            kind, _, value = authorization.partition(" ")
            if kind.lower() != "bearer" or not value.strip():
                raise invalid_credentials()
            token = value.strip()
        if not token:
            raise login_required()
        grant = self.access_tokens.get(token)
        if grant is None or grant["expiry"] < time.time():
            raise invalid_credentials()
        return Principal(email=grant["email"], app=grant["app"],
                         scopes=frozenset(grant["scopes"]), is_service_account=grant["sa"])

    def app_name(self, app: str | None) -> str | None:
        if app in self.oauth_clients:
            return self.oauth_clients[app]["name"]
        for email, account in self.service_accounts.items():
            if account["client_id"] == app:
                return email
        return None

    def is_service_account(self, email: str) -> bool:
        return email in self.service_accounts

    # -- persistence ---------------------------------------------------------------------------
    def to_state(self) -> dict:
        return {"service_accounts": self.service_accounts, "oauth_clients": self.oauth_clients,
                "refresh_tokens": self.refresh_tokens, "access_tokens": self.access_tokens}

    @classmethod
    def from_state(cls, state: dict) -> "AuthRegistry":
        registry = cls()
        registry.service_accounts = state.get("service_accounts", {})
        registry.oauth_clients = state.get("oauth_clients", {})
        registry.refresh_tokens = state.get("refresh_tokens", {})
        registry.access_tokens = state.get("access_tokens", {})
        return registry
