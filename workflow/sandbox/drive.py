"""The Drive v3 model: files and folders, shared drives, permissions, approvals, comments.

State is plain JSON-able dicts (one per file) so persistence can write a file per id. Every
method takes the calling `Principal` and enforces what Google enforces: the caller's role on
the file (via permissions on the file, its folders and its shared drive) and the `drive.file`
rule (an app that holds only drive.file sees only files it created or was given).
"""

from __future__ import annotations

import base64
import html
import secrets
from datetime import datetime, timezone

from .auth import Principal, numeric_id
from .exceptions import ApiError, file_not_found, insufficient_file_permissions
from . import query

FOLDER = "application/vnd.google-apps.folder"
DOCUMENT = "application/vnd.google-apps.document"
ROLES = ("reader", "commenter", "writer", "fileOrganizer", "organizer", "owner")
PERMISSION_TYPES = ("user", "group", "domain", "anyone")
EXPORT_TYPES = ("text/plain", "text/markdown", "text/html")
APP_PROPERTY_LIMIT = 30
PROPERTY_BYTES = 124
CREATE_WRITABLE = {"id", "name", "mimeType", "parents", "appProperties", "properties", "description",
                   "starred", "createdTime", "modifiedTime", "folderColorRgb", "writersCanShare",
                   "copyRequiresWriterPermission", "contentHints", "originalFilename",
                   "viewersCanCopyContent", "kind"}
UPDATE_WRITABLE = CREATE_WRITABLE - {"id", "parents", "createdTime"} | {"trashed"}


def now_rfc3339() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def rank(role: str | None) -> int:
    return ROLES.index(role) if role in ROLES else -1


def user_json(email: str, me: bool) -> dict:
    return {"kind": "drive#user", "displayName": email.split("@")[0], "emailAddress": email,
            "me": me, "permissionId": numeric_id(email)}


def _page(items: list, page_size: int, page_token: str | None) -> tuple[list, str | None]:
    start = 0
    if page_token:
        try:
            start = int(base64.urlsafe_b64decode(page_token.encode()).decode())
        except ValueError:
            raise ApiError(400, "Invalid Value", reason="invalid", location="pageToken") from None
    end = start + page_size
    following = base64.urlsafe_b64encode(str(end).encode()).decode() if end < len(items) else None
    return items[start:end], following


class DriveModel:
    """Files, shared drives, generated ids and notifications of one sandbox."""

    def __init__(self, base_url: str, document_factory) -> None:
        self.base_url = base_url
        self.document_factory = document_factory      # (file_id, title) -> Document
        self.files: dict[str, dict] = {}
        self.documents: dict[str, object] = {}         # file id -> Document
        self.drives: dict[str, dict] = {}
        self.generated_ids: set[str] = set()
        self.notifications: list[dict] = []
        self.changed: set[str] = set()                 # file ids written since the last save

    # -- identity and access -------------------------------------------------------------
    @staticmethod
    def root_id(email: str) -> str:
        return "0A" + numeric_id("root:" + email)[:17]

    def _ancestors(self, record: dict):
        seen = set()
        current = record
        while current is not None and current["id"] not in seen:
            seen.add(current["id"])
            yield current
            parents = current.get("parents") or []
            current = self.files.get(parents[0]) if parents else None

    def role_of(self, record: dict, email: str) -> str | None:
        """The caller's effective role: best of the file's, its folders' and its drive's grants."""
        if record["id"] == self.root_id(email):
            return "owner"
        best: str | None = None
        holders = list(self._ancestors(record))
        if record.get("driveId") in self.drives:
            holders.append(self.drives[record["driveId"]])
        for holder in holders:
            for permission in holder["permissions"]:
                if self._grants(permission, email) and rank(permission["role"]) > rank(best):
                    best = permission["role"]
        return best

    @staticmethod
    def _grants(permission: dict, email: str) -> bool:
        kind = permission["type"]
        if kind in ("user", "group"):
            return permission.get("emailAddress", "").lower() == email.lower()
        if kind == "domain":
            return email.lower().endswith("@" + permission.get("domain", "").lower())
        return kind == "anyone"

    def visible(self, record: dict, principal: Principal, *, docs_scope: bool = False) -> bool:
        if self.role_of(record, principal.email) is None:
            return False
        if principal.drive_file_only and not docs_scope:
            return principal.app in record["apps"]
        return True

    def get_record(self, file_id: str, principal: Principal, *, minimum: str = "reader",
                   supports_all_drives: bool = True, docs_scope: bool = False) -> dict:
        """The file if the caller may see it (404 otherwise) with at least `minimum` (403)."""
        if file_id == "root":
            file_id = self.root_id(principal.email)
            self._ensure_root(principal.email)
        record = self.files.get(file_id)
        if record is None or not self.visible(record, principal, docs_scope=docs_scope):
            raise file_not_found(file_id)
        if record.get("driveId") and not supports_all_drives:
            raise file_not_found(file_id)
        if rank(self.role_of(record, principal.email)) < rank(minimum):
            raise insufficient_file_permissions(file_id)
        return record

    def _ensure_root(self, email: str) -> dict:
        root_id = self.root_id(email)
        if root_id not in self.files:
            stamp = now_rfc3339()
            self.files[root_id] = {
                "id": root_id, "name": "My Drive", "mimeType": FOLDER, "parents": [],
                "driveId": None, "createdTime": stamp, "modifiedTime": stamp, "version": 1,
                "trashed": False, "explicitlyTrashed": False, "starred": False, "description": None,
                "properties": {}, "appProperties": {}, "owner": email, "apps": [], "createdByApp": None,
                "permissions": [self._permission("user", "owner", email=email)],
                "approvals": [], "lastModifyingUser": email, "isRoot": True}
            self.changed.add(root_id)
        return self.files[root_id]

    # -- files ---------------------------------------------------------------------------
    def generate_ids(self, count: int) -> dict:
        ids = ["1" + secrets.token_urlsafe(32)[:32] for _ in range(count)]
        self.generated_ids.update(ids)
        return {"kind": "drive#generatedIds", "space": "drive", "ids": ids}

    def create_file(self, principal: Principal, body: dict, params: dict) -> dict:
        _check_writable(body, CREATE_WRITABLE)
        file_id = body.get("id")
        if file_id is not None:
            if file_id in self.files:
                raise ApiError(409, "A file already exists with the provided ID.", reason="duplicate",
                               location="file.id")
            if file_id not in self.generated_ids:
                raise ApiError(400, "The provided file ID is not usable.", reason="fileIdNotUsable",
                               location="file.id")
        else:
            file_id = "1" + secrets.token_urlsafe(32)[:32]
        parents = body.get("parents") or []
        if len(parents) > 1:
            raise ApiError(403, "Increasing the number of parents is not allowed.",
                           reason="cannotAddParent")
        supports_all = bool(params.get("supportsAllDrives") or params.get("supportsTeamDrives"))
        if parents:
            parent = self.get_record(parents[0], principal, minimum="writer",
                                     supports_all_drives=supports_all)
            if parent["mimeType"] != FOLDER:
                raise ApiError(400, "The specified parent is not a folder.", reason="invalidParent",
                               location="parents")
        else:
            parent = self._ensure_root(principal.email)
        mime_type = body.get("mimeType") or "application/octet-stream"
        drive_id = parent.get("driveId") if parent.get("driveId") else (
            parent["id"] if parent["id"] in self.drives else None)
        if principal.is_service_account and drive_id is None and mime_type != FOLDER:
            raise ApiError(403, "Service Accounts do not have storage quota. Leverage shared drives "
                                "(https://developers.google.com/workspace/drive/api/guides/about-shareddrives), "
                                "or use OAuth delegation (http://support.google.com/a/answer/7281227) instead.",
                           reason="storageQuotaExceeded")
        app_properties = body.get("appProperties") or {}
        if app_properties and principal.app is None:
            raise ApiError(403, "appProperties are private to an app; this caller has none.",
                           reason="forbidden")
        stamp = now_rfc3339()
        record = {
            "id": file_id, "name": body.get("name") or "Untitled", "mimeType": mime_type,
            "parents": [parent["id"]], "driveId": drive_id,
            "createdTime": body.get("createdTime") or stamp, "modifiedTime": body.get("modifiedTime") or stamp,
            "version": 1, "trashed": False, "explicitlyTrashed": False,
            "starred": bool(body.get("starred", False)), "description": body.get("description"),
            "properties": {}, "appProperties": {}, "owner": None if drive_id else principal.email,
            "apps": [principal.app] if principal.app else [], "createdByApp": principal.app,
            "permissions": [] if drive_id else [self._permission("user", "owner", email=principal.email)],
            "approvals": [], "lastModifyingUser": principal.email,
        }
        record["properties"] = _merged_properties({}, body.get("properties") or {}, "properties")
        if app_properties:
            record["appProperties"][principal.app] = _merged_properties({}, app_properties, "appProperties")
        if mime_type == DOCUMENT:
            self.documents[file_id] = self.document_factory(file_id, record["name"])
        self.generated_ids.discard(file_id)  # used up only now: a refused create consumes nothing
        self.files[file_id] = record
        self.changed.add(file_id)
        return record

    def update_file(self, principal: Principal, file_id: str, body: dict, params: dict) -> dict:
        supports_all = bool(params.get("supportsAllDrives") or params.get("supportsTeamDrives"))
        record = self.get_record(file_id, principal, minimum="writer", supports_all_drives=supports_all)
        if "parents" in body:
            raise ApiError(403, "The parents field is not directly writable in update requests. "
                                "Use the addParents and removeParents parameters instead.",
                           reason="fieldNotWritable")
        _check_writable(body, UPDATE_WRITABLE)
        if "trashed" in body and rank(self.role_of(record, principal.email)) < rank(
                "owner" if not record.get("driveId") else "fileOrganizer"):
            raise insufficient_file_permissions(file_id)
        if "mimeType" in body and body["mimeType"] != record["mimeType"]:
            raise ApiError(403, "The mimeType of a Google Docs editor file cannot be changed.",
                           reason="fieldNotWritable")
        # Check everything before changing anything: a refused update leaves the file as it was.
        properties = _merged_properties(record["properties"], body.get("properties") or {}, "properties")
        app_properties = None
        if body.get("appProperties"):
            if principal.app is None:
                raise ApiError(403, "appProperties are private to an app; this caller has none.",
                               reason="forbidden")
            app_properties = _merged_properties(record["appProperties"].get(principal.app, {}),
                                                body["appProperties"], "appProperties")
        parents = self._moved_parents(principal, record, params)
        for name in ("name", "description", "starred"):
            if name in body:
                record[name] = body[name]
        if "name" in body and file_id in self.documents:
            self.documents[file_id].title = body["name"]
        if "trashed" in body:
            record["trashed"] = record["explicitlyTrashed"] = bool(body["trashed"])
        record["properties"] = properties
        if app_properties is not None:
            record["appProperties"][principal.app] = app_properties
        record["parents"] = parents
        self.bump(record, principal.email)
        return record

    def _moved_parents(self, principal: Principal, record: dict, params: dict) -> list[str]:
        """The parents after addParents/removeParents (checked, not yet applied)."""
        remove = [p for p in (params.get("removeParents") or "").split(",") if p]
        add = [p for p in (params.get("addParents") or "").split(",") if p]
        if not add and not remove:
            return record["parents"]
        parents = [p for p in record["parents"] if p not in remove]
        for parent_id in add:
            parent = self.get_record(parent_id, principal, minimum="writer")
            if parent["mimeType"] != FOLDER:
                raise ApiError(400, "The specified parent is not a folder.", reason="invalidParent")
            if parent["id"] not in parents:
                parents.append(parent["id"])
        if len(parents) > 1:
            raise ApiError(403, "A shared drive item must have exactly one parent."
                           if record.get("driveId") else
                           "Increasing the number of parents is not allowed.", reason="cannotAddParent")
        return parents or [self._ensure_root(record["owner"] or principal.email)["id"]]

    def delete_file(self, principal: Principal, file_id: str, params: dict) -> None:
        supports_all = bool(params.get("supportsAllDrives") or params.get("supportsTeamDrives"))
        record = self.get_record(file_id, principal, minimum="reader", supports_all_drives=supports_all)
        needed = "organizer" if record.get("driveId") else "owner"
        if rank(self.role_of(record, principal.email)) < rank(needed):
            raise insufficient_file_permissions(file_id)
        doomed = [record["id"]]
        for candidate in list(self.files.values()):
            if candidate["id"] != record["id"] and any(
                    a["id"] == record["id"] for a in self._ancestors(candidate)):
                doomed.append(candidate["id"])
        for doomed_id in doomed:
            self.files.pop(doomed_id, None)
            self.documents.pop(doomed_id, None)
            self.changed.add(doomed_id)

    def list_files(self, principal: Principal, params: dict) -> dict:
        predicate = query.parse(params["q"]) if params.get("q") else None
        include_drives = bool(params.get("includeItemsFromAllDrives") or params.get("includeTeamDriveItems"))
        corpora = params.get("corpora", "user")
        drive_id = params.get("driveId")
        if drive_id and not include_drives:
            raise ApiError(403, "The includeItemsFromAllDrives parameter must be set to true when "
                                "driveId is set.", reason="teamDrivesParameterRequired")
        if corpora == "drive" and not drive_id:
            raise ApiError(400, "The driveId parameter must be specified if and only if corpora is "
                                "set to drive.", reason="invalid", location="driveId")
        page_size = params.get("pageSize", 100)
        matches = []
        for record in self.files.values():
            if record.get("isRoot") or not self.visible(record, principal):
                continue
            if record.get("driveId") and not include_drives:
                continue
            if drive_id and record.get("driveId") != drive_id:
                continue
            if predicate and not predicate(self._facts(record, principal)):
                continue
            matches.append(record)
        matches = _ordered(matches, params.get("orderBy"))
        page, following = _page(matches, page_size, params.get("pageToken"))
        listing = {"kind": "drive#fileList", "incompleteSearch": False,
                   "files": [self.file_json(r, principal) for r in page]}
        if following:
            listing["nextPageToken"] = following
        return listing

    def _facts(self, record: dict, principal: Principal) -> dict:
        def emails(*roles):
            return [p.get("emailAddress", "") for p in record["permissions"] if p["role"] in roles]
        parents = list(record["parents"])
        if parents and parents[0] == self.root_id(principal.email):
            parents.append("root")
        document = self.documents.get(record["id"])
        return {
            "name": record["name"], "mimeType": record["mimeType"], "parents": parents,
            "owners": emails("owner"), "writers": emails("owner", "organizer", "fileOrganizer", "writer"),
            "readers": emails(*ROLES), "trashed": record["trashed"], "starred": record["starred"],
            "sharedWithMe": record.get("owner") not in (None, principal.email),
            "modifiedTime": record["modifiedTime"], "createdTime": record["createdTime"],
            "viewedByMeTime": record["modifiedTime"],
            "appProperties": record["appProperties"].get(principal.app, {}) if principal.app else {},
            "properties": record["properties"],
            "fullText": lambda: record["name"] + "\n" + (document.plain_text() if document else ""),
        }

    def bump(self, record: dict, email: str, *, content: bool = False) -> None:
        """Record a change: version + 1, modifiedTime now; content changes may reset approvals."""
        record["version"] += 1
        record["modifiedTime"] = now_rfc3339()
        record["lastModifyingUser"] = email
        self.changed.add(record["id"])
        if content:
            for approval in record["approvals"]:
                if approval["status"] == "IN_PROGRESS" and \
                        approval["fileContentChangeBehavior"] == "RESET_APPROVAL":
                    for response in approval["reviewerResponses"]:
                        if response["response"] == "APPROVED":
                            response["response"] = "NO_RESPONSE"
                    approval["modifyTime"] = record["modifiedTime"]

    def check_content_editable(self, record: dict) -> None:
        """403 while an approval locks the file (lockFile, or APPROVED with RESET_APPROVAL)."""
        for approval in record["approvals"]:
            locked = (approval["status"] == "IN_PROGRESS" and approval["lockFile"]) or (
                approval["status"] == "APPROVED"
                and approval["fileContentChangeBehavior"] == "RESET_APPROVAL")
            if locked:
                raise ApiError(403, f"The file {record['id']} is locked by an approval and cannot "
                                    "be edited.", reason="fileLocked")

    def file_json(self, record: dict, principal: Principal) -> dict:
        role = self.role_of(record, principal.email)
        can_edit = rank(role) >= rank("writer")
        document = self.documents.get(record["id"])
        owner = record.get("owner")
        data = {
            "kind": "drive#file", "id": record["id"], "name": record["name"],
            "mimeType": record["mimeType"], "parents": record["parents"],
            "createdTime": record["createdTime"], "modifiedTime": record["modifiedTime"],
            "version": str(record["version"]), "trashed": record["trashed"],
            "explicitlyTrashed": record["explicitlyTrashed"], "starred": record["starred"],
            "spaces": ["drive"], "shared": len(record["permissions"]) > 1,
            "ownedByMe": owner == principal.email,
            "owners": [user_json(owner, owner == principal.email)] if owner else [],
            "lastModifyingUser": user_json(record["lastModifyingUser"],
                                           record["lastModifyingUser"] == principal.email),
            "modifiedByMe": record["lastModifyingUser"] == principal.email,
            "viewedByMe": True, "isAppAuthorized": principal.app in record["apps"],
            "webViewLink": self.web_view_link(record),
            "iconLink": f"{self.base_url}static/icon/{record['mimeType'].rsplit('.', 1)[-1]}.png",
            "permissionIds": [p["id"] for p in record["permissions"]],
            "properties": dict(record["properties"]),
            "appProperties": dict(record["appProperties"].get(principal.app, {})) if principal.app else {},
            "capabilities": {
                "canEdit": can_edit, "canComment": rank(role) >= rank("commenter"),
                "canShare": can_edit, "canRename": can_edit, "canModifyContent": can_edit,
                "canAddChildren": can_edit and record["mimeType"] == FOLDER,
                "canDelete": rank(role) >= rank("organizer" if record.get("driveId") else "owner"),
                "canTrash": rank(role) >= rank("fileOrganizer" if record.get("driveId") else "owner"),
                "canDownload": True, "canCopy": True, "canReadRevisions": can_edit,
                # Drive's approvals need writer access (and an eligible edition, see quirks.py).
                "canStartApproval": can_edit and record["mimeType"] != FOLDER,
            },
        }
        if record.get("description") is not None:
            data["description"] = record["description"]
        if record.get("driveId"):
            data["driveId"] = data["teamDriveId"] = record["driveId"]
        if can_edit:
            data["permissions"] = [dict(p) for p in record["permissions"]]
        if document is not None:
            data["exportLinks"] = {m: f"{self.base_url}drive/v3/files/{record['id']}/export?mimeType={m}"
                                   for m in EXPORT_TYPES}
        return data

    def web_view_link(self, record: dict) -> str:
        if record["mimeType"] == FOLDER:
            return f"{self.base_url}drive/folders/{record['id']}"
        return f"{self.base_url}document/d/{record['id']}/edit"

    def export(self, principal: Principal, file_id: str, mime_type: str) -> str:
        record = self.get_record(file_id, principal)
        document = self.documents.get(record["id"])
        if document is None:
            raise ApiError(403, "Export only supports Docs Editors files.",
                           reason="fileNotExportable")
        if mime_type not in EXPORT_TYPES:
            raise ApiError(400, "The requested conversion is not supported.", reason="badRequest",
                           location="convertTo")
        return document.export(mime_type)

    # -- shared drives -------------------------------------------------------------------
    def create_drive(self, principal: Principal, request_id: str, name: str) -> dict:
        for existing in self.drives.values():
            if existing.get("requestId") == request_id:
                raise ApiError(409, "A shared drive with this request ID already exists.",
                               reason="duplicate")
        drive_id = "0A" + secrets.token_urlsafe(16)[:17]
        stamp = now_rfc3339()
        self.drives[drive_id] = {"id": drive_id, "name": name, "createdTime": stamp,
                                 "requestId": request_id,
                                 "permissions": [self._permission("user", "organizer", email=principal.email)]}
        # The drive's root folder is a file whose id is the drive id, as in Drive.
        self.files[drive_id] = {
            "id": drive_id, "name": name, "mimeType": FOLDER, "parents": [], "driveId": drive_id,
            "createdTime": stamp, "modifiedTime": stamp, "version": 1, "trashed": False,
            "explicitlyTrashed": False, "starred": False, "description": None, "properties": {},
            "appProperties": {}, "owner": None, "apps": [principal.app] if principal.app else [],
            "createdByApp": principal.app, "permissions": [], "approvals": [],
            "lastModifyingUser": principal.email, "isRoot": True}
        self.changed.add(drive_id)
        return self.drive_json(drive_id)

    def drive_json(self, drive_id: str) -> dict:
        drive = self.drives[drive_id]
        return {"kind": "drive#drive", "id": drive_id, "name": drive["name"],
                "createdTime": drive["createdTime"]}

    def get_drive(self, principal: Principal, drive_id: str) -> dict:
        drive = self.drives.get(drive_id)
        if drive is None or not any(self._grants(p, principal.email) for p in drive["permissions"]):
            raise ApiError(404, f"Shared drive not found: {drive_id}", location="driveId")
        return self.drive_json(drive_id)

    def list_drives(self, principal: Principal) -> dict:
        return {"kind": "drive#driveList", "drives": [
            self.drive_json(d) for d, drive in self.drives.items()
            if any(self._grants(p, principal.email) for p in drive["permissions"])]}

    # -- permissions ---------------------------------------------------------------------
    @staticmethod
    def _permission(kind: str, role: str, *, email: str | None = None, domain: str | None = None,
                    allow_discovery: bool | None = None) -> dict:
        permission = {"kind": "drive#permission", "type": kind, "role": role}
        if kind in ("user", "group"):
            permission.update(id=numeric_id(email.lower()), emailAddress=email,
                              displayName=email.split("@")[0])
        elif kind == "domain":
            permission.update(id=numeric_id("domain:" + domain), domain=domain, displayName=domain,
                              allowFileDiscovery=bool(allow_discovery))
        else:
            permission.update(id="anyoneWithLink" if not allow_discovery else "anyone",
                              allowFileDiscovery=bool(allow_discovery))
        return permission

    def _holder(self, principal: Principal, file_id: str, params: dict, minimum: str) -> dict:
        supports_all = bool(params.get("supportsAllDrives") or params.get("supportsTeamDrives"))
        if file_id in self.drives and file_id not in self.files:
            raise file_not_found(file_id)
        if file_id in self.drives:
            if not supports_all:
                raise file_not_found(file_id)
            self.get_record(file_id, principal, minimum=minimum)
            return self.drives[file_id]
        return self.get_record(file_id, principal, minimum=minimum, supports_all_drives=supports_all)

    def create_permission(self, principal: Principal, file_id: str, body: dict, params: dict) -> dict:
        holder = self._holder(principal, file_id, params, "writer")
        kind, role = body.get("type"), body.get("role")
        if kind not in PERMISSION_TYPES:
            raise ApiError(400, "The permission type field is required." if not kind else
                           f"The permission type '{kind}' is not valid.", reason="invalid",
                           location="permission.type")
        if role not in ROLES:
            raise ApiError(400, "The permission role field is required." if not role else
                           f"The permission role '{role}' is not valid.", reason="invalid",
                           location="permission.role")
        in_drive = file_id in self.drives or bool(holder.get("driveId"))
        if role in ("organizer", "fileOrganizer") and not in_drive:
            raise ApiError(403, f"The role '{role}' is only valid for shared drive items.",
                           reason="invalidSharingRole")
        if role == "owner" and not params.get("transferOwnership"):
            raise ApiError(403, "The transferOwnership parameter must be enabled when the permission "
                                "role is 'owner'.", reason="forbidden", location="transferOwnership")
        email, domain = body.get("emailAddress"), body.get("domain")
        if kind in ("user", "group") and not email:
            raise ApiError(400, "The permission emailAddress field is required for user and group "
                                "permissions.", reason="required", location="permission.emailAddress")
        if kind == "domain" and not domain:
            raise ApiError(400, "The permission domain field is required for domain permissions.",
                           reason="required", location="permission.domain")
        permission = self._permission(kind, role, email=email, domain=domain,
                                      allow_discovery=body.get("allowFileDiscovery"))
        existing = [p for p in holder["permissions"] if p["id"] == permission["id"]]
        if existing:
            existing[0]["role"] = role
            permission = existing[0]
        else:
            holder["permissions"].append(permission)
        if role == "owner":
            for other in holder["permissions"]:
                if other is not permission and other["role"] == "owner":
                    other["role"] = "writer"
            holder["owner"] = email
        if principal.app and holder is not self.drives.get(file_id):
            # Shared through the app: the app keeps access for the people it shares with.
            if principal.app not in holder["apps"]:
                holder["apps"].append(principal.app)
        stamp = now_rfc3339()
        notify = params.get("sendNotificationEmail", True)
        if kind in ("user", "group") and (notify or role == "owner"):
            self.notifications.append({
                "kind": "share", "to": email, "from": principal.email, "fileId": file_id,
                "fileName": holder["name"], "role": role, "message": params.get("emailMessage"),
                "time": stamp})
        if kind == "anyone" or (kind == "domain" and body.get("allowFileDiscovery")):
            self.notifications.append({
                "kind": "public_share", "to": None, "from": principal.email, "fileId": file_id,
                "fileName": holder["name"], "role": role, "type": kind, "time": stamp})
        self._touch_holder(holder, principal.email)
        return permission

    def _touch_holder(self, holder: dict, email: str) -> None:
        if "version" in holder:
            self.bump(holder, email)
        else:
            self.changed.add(holder["id"])

    def list_permissions(self, principal: Principal, file_id: str, params: dict) -> dict:
        holder = self._holder(principal, file_id, params, "reader")
        page, following = _page(holder["permissions"], params.get("pageSize", 100), params.get("pageToken"))
        listing = {"kind": "drive#permissionList", "permissions": [dict(p) for p in page]}
        if following:
            listing["nextPageToken"] = following
        return listing

    def get_permission(self, principal: Principal, file_id: str, permission_id: str, params: dict) -> dict:
        holder = self._holder(principal, file_id, params, "reader")
        for permission in holder["permissions"]:
            if permission["id"] == permission_id:
                return dict(permission)
        raise ApiError(404, f"Permission not found: {permission_id}.", location="permissionId")

    def delete_permission(self, principal: Principal, file_id: str, permission_id: str, params: dict) -> None:
        holder = self._holder(principal, file_id, params, "writer")
        for permission in holder["permissions"]:
            if permission["id"] == permission_id:
                if permission["role"] == "owner":
                    raise ApiError(403, "The owner of a file cannot be removed.",
                                   reason="cannotRemoveOwner")
                holder["permissions"].remove(permission)
                self._touch_holder(holder, principal.email)
                return
        raise ApiError(404, f"Permission not found: {permission_id}.", location="permissionId")

    # -- approvals -----------------------------------------------------------------------
    def _approval(self, record: dict, approval_id: str) -> dict:
        for approval in record["approvals"]:
            if approval["approvalId"] == approval_id:
                return approval
        raise ApiError(404, f"Approval not found: {approval_id}.", location="approvalId")

    def approval_json(self, approval: dict, principal: Principal) -> dict:
        data = {
            "kind": "drive#approval", "approvalId": approval["approvalId"],
            "targetFileId": approval["targetFileId"], "status": approval["status"],
            "initiator": user_json(approval["initiator"], approval["initiator"] == principal.email),
            "reviewerResponses": [
                {"kind": "drive#reviewerResponse", "response": r["response"],
                 "reviewer": user_json(r["reviewer"], r["reviewer"] == principal.email)}
                for r in approval["reviewerResponses"]],
            "createTime": approval["createTime"], "modifyTime": approval["modifyTime"],
            "fileContentChangeBehavior": approval["fileContentChangeBehavior"],
        }
        for optional in ("dueTime", "completeTime", "approvedRevisionId"):
            if approval.get(optional):
                data[optional] = approval[optional]
        return data

    def start_approval(self, principal: Principal, file_id: str, body: dict) -> dict:
        record = self.get_record(file_id, principal, minimum="writer")
        reviewers = body.get("reviewerEmails") or []
        if not reviewers:
            raise ApiError(400, "reviewerEmails must name at least one reviewer.", reason="required",
                           location="reviewerEmails")
        if any(a["status"] == "IN_PROGRESS" for a in record["approvals"]):
            raise ApiError(400, f"An approval is already in progress on file {file_id}.",
                           reason="approvalInProgress", status="FAILED_PRECONDITION")
        for reviewer in reviewers:
            if self.role_of(record, reviewer) is None:
                raise ApiError(400, f"Reviewer {reviewer} does not have access to file {file_id}.",
                               reason="invalidReviewer")
        stamp = now_rfc3339()
        approval = {
            "approvalId": secrets.token_hex(12), "targetFileId": file_id, "status": "IN_PROGRESS",
            "initiator": principal.email,
            "reviewerResponses": [{"reviewer": r, "response": "NO_RESPONSE"} for r in reviewers],
            "createTime": stamp, "modifyTime": stamp, "dueTime": body.get("dueTime"),
            "message": body.get("message"), "lockFile": bool(body.get("lockFile", False)),
            "fileContentChangeBehavior": body.get("fileContentChangeBehavior") or "NO_APPROVAL_ACTION",
        }
        record["approvals"].append(approval)
        for reviewer in reviewers:
            self.notifications.append({
                "kind": "approval", "to": reviewer, "from": principal.email, "fileId": file_id,
                "fileName": record["name"], "message": body.get("message"), "time": stamp})
        self.changed.add(file_id)
        return self.approval_json(approval, principal)

    def list_approvals(self, principal: Principal, file_id: str, params: dict) -> dict:
        record = self.get_record(file_id, principal)
        page, following = _page(record["approvals"], params.get("pageSize", 100), params.get("pageToken"))
        listing = {"kind": "drive#approvalList",
                   "items": [self.approval_json(a, principal) for a in page]}
        if following:
            listing["nextPageToken"] = following
        return listing

    def get_approval(self, principal: Principal, file_id: str, approval_id: str) -> dict:
        record = self.get_record(file_id, principal)
        return self.approval_json(self._approval(record, approval_id), principal)

    def respond_approval(self, principal: Principal, file_id: str, approval_id: str, verdict: str,
                         revision_id: str | None) -> dict:
        record = self.get_record(file_id, principal)
        approval = self._approval(record, approval_id)
        if approval["status"] != "IN_PROGRESS":
            raise ApiError(400, f"The approval is {approval['status']} and can no longer be changed.",
                           reason="approvalNotInProgress", status="FAILED_PRECONDITION")
        responses = [r for r in approval["reviewerResponses"]
                     if r["reviewer"].lower() == principal.email.lower()]
        if not responses:
            raise ApiError(403, "Only a reviewer of this approval can respond to it.",
                           reason="notReviewer")
        responses[0]["response"] = verdict
        stamp = now_rfc3339()
        approval["modifyTime"] = stamp
        if verdict == "DECLINED":
            approval.update(status="DECLINED", completeTime=stamp)
        elif all(r["response"] == "APPROVED" for r in approval["reviewerResponses"]):
            approval.update(status="APPROVED", completeTime=stamp,
                            approvedRevisionId=revision_id or str(record["version"]))
        self.changed.add(file_id)
        return self.approval_json(approval, principal)

    def cancel_approval(self, principal: Principal, file_id: str, approval_id: str) -> dict:
        record = self.get_record(file_id, principal)
        approval = self._approval(record, approval_id)
        if approval["initiator"] != principal.email and rank(self.role_of(record, principal.email)) < rank("owner"):
            raise ApiError(403, "Only the initiator or the owner can cancel an approval.",
                           reason="forbidden")
        if approval["status"] != "IN_PROGRESS":
            raise ApiError(400, f"The approval is {approval['status']} and can no longer be changed.",
                           reason="approvalNotInProgress", status="FAILED_PRECONDITION")
        stamp = now_rfc3339()
        approval.update(status="CANCELLED", modifyTime=stamp, completeTime=stamp)
        self.changed.add(file_id)
        return self.approval_json(approval, principal)

    # -- comments (threads live in the Document) -----------------------------------------
    def _document(self, principal: Principal, file_id: str, minimum: str) -> tuple[dict, object]:
        record = self.get_record(file_id, principal, minimum=minimum)
        document = self.documents.get(record["id"])
        if document is None:
            raise ApiError(403, "Comments are only supported on Docs in this sandbox.",
                           reason="commentsNotSupported")
        return record, document

    def _thread(self, document, comment_id: str) -> dict:
        for thread in document.comment_threads():
            if thread["id"] == comment_id:
                return thread
        raise ApiError(404, f"Comment not found: {comment_id}.", location="commentId")

    @staticmethod
    def _author_email(author) -> str:
        return author.get("emailAddress", "") if isinstance(author, dict) else str(author)

    def reply_json(self, post: dict, principal: Principal) -> dict:
        email = self._author_email(post["author"])
        data = {"kind": "drive#reply", "id": post["id"], "createdTime": post["created"],
                "modifiedTime": post["modified"], "author": user_json(email, email == principal.email),
                "content": post["content"] or "", "htmlContent": html.escape(post["content"] or ""),
                "deleted": bool(post.get("deleted", False))}
        if post.get("action"):
            data["action"] = post["action"]
        return data

    def comment_json(self, thread: dict, principal: Principal, include_deleted_replies: bool = True) -> dict:
        head = thread["posts"][0]
        email = self._author_email(head["author"])
        data = {"kind": "drive#comment", "id": thread["id"], "createdTime": thread["created"],
                "modifiedTime": thread["modified"], "author": user_json(email, email == principal.email),
                "content": head["content"], "htmlContent": html.escape(head["content"]),
                "deleted": bool(thread["deleted"]), "resolved": thread["status"] == "RESOLVED",
                "replies": [self.reply_json(p, principal) for p in thread["posts"][1:]
                            if include_deleted_replies or not p.get("deleted")]}
        if thread.get("quote"):
            data["quotedFileContent"] = {"mimeType": "text/html", "value": thread["quote"]}
        if thread.get("anchor"):
            data["anchor"] = thread.get("anchorId") or f"kix.{thread['id']}"
        return data

    def create_comment(self, principal: Principal, file_id: str, body: dict) -> dict:
        record, document = self._document(principal, file_id, "commenter")
        if not body.get("content"):
            raise ApiError(400, "A comment must have content.", reason="required", location="content")
        quote = (body.get("quotedFileContent") or {}).get("value")
        thread = document.add_comment(author=principal.email, content=body["content"],
                                      now=now_rfc3339(), quote=quote)
        self.bump(record, principal.email)
        return self.comment_json(thread, principal)

    def list_comments(self, principal: Principal, file_id: str, params: dict) -> dict:
        _record, document = self._document(principal, file_id, "reader")
        threads = [t for t in document.comment_threads()
                   if params.get("includeDeleted") or not t["deleted"]]
        if params.get("startModifiedTime"):
            threads = [t for t in threads if t["modified"] >= params["startModifiedTime"]]
        page, following = _page(threads, params.get("pageSize", 20), params.get("pageToken"))
        listing = {"kind": "drive#commentList",
                   "comments": [self.comment_json(t, principal) for t in page]}
        if following:
            listing["nextPageToken"] = following
        return listing

    def get_comment(self, principal: Principal, file_id: str, comment_id: str, params: dict) -> dict:
        _record, document = self._document(principal, file_id, "reader")
        thread = self._thread(document, comment_id)
        if thread["deleted"] and not params.get("includeDeleted"):
            raise ApiError(404, f"Comment not found: {comment_id}.", location="commentId")
        return self.comment_json(thread, principal)

    def update_comment(self, principal: Principal, file_id: str, comment_id: str, body: dict) -> dict:
        record, document = self._document(principal, file_id, "commenter")
        thread = self._thread(document, comment_id)
        if self._author_email(thread["posts"][0]["author"]) != principal.email:
            raise ApiError(403, "Only the author can change a comment.", reason="forbidden")
        document.update_comment(comment_id, content=body.get("content"), now=now_rfc3339())
        self.bump(record, principal.email)
        return self.comment_json(self._thread(document, comment_id), principal)

    def delete_comment(self, principal: Principal, file_id: str, comment_id: str) -> None:
        record, document = self._document(principal, file_id, "commenter")
        thread = self._thread(document, comment_id)
        if self._author_email(thread["posts"][0]["author"]) != principal.email and \
                rank(self.role_of(record, principal.email)) < rank("owner"):
            raise ApiError(403, "Only the author or the owner can delete a comment.", reason="forbidden")
        document.delete_comment(comment_id, now_rfc3339())
        self.bump(record, principal.email)

    def create_reply(self, principal: Principal, file_id: str, comment_id: str, body: dict) -> dict:
        record, document = self._document(principal, file_id, "commenter")
        self._thread(document, comment_id)
        action = body.get("action")
        if action not in (None, "resolve", "reopen"):
            raise ApiError(400, f"Invalid reply action: {action}.", reason="invalid", location="action")
        if not body.get("content") and not action:
            raise ApiError(400, "A reply must have content or an action.", reason="required",
                           location="content")
        post = document.add_reply(comment_id, author=principal.email, content=body.get("content", ""),
                                  now=now_rfc3339(), action=action)
        self.bump(record, principal.email)
        return self.reply_json(post, principal)

    def _post(self, document, comment_id: str, reply_id: str) -> dict:
        for post in self._thread(document, comment_id)["posts"][1:]:
            if post["id"] == reply_id:
                return post
        raise ApiError(404, f"Reply not found: {reply_id}.", location="replyId")

    def list_replies(self, principal: Principal, file_id: str, comment_id: str, params: dict) -> dict:
        _record, document = self._document(principal, file_id, "reader")
        posts = [p for p in self._thread(document, comment_id)["posts"][1:]
                 if params.get("includeDeleted") or not p.get("deleted")]
        page, following = _page(posts, params.get("pageSize", 20), params.get("pageToken"))
        listing = {"kind": "drive#replyList", "replies": [self.reply_json(p, principal) for p in page]}
        if following:
            listing["nextPageToken"] = following
        return listing

    def get_reply(self, principal: Principal, file_id: str, comment_id: str, reply_id: str) -> dict:
        _record, document = self._document(principal, file_id, "reader")
        return self.reply_json(self._post(document, comment_id, reply_id), principal)

    def update_reply(self, principal: Principal, file_id: str, comment_id: str, reply_id: str,
                     body: dict) -> dict:
        record, document = self._document(principal, file_id, "commenter")
        post = self._post(document, comment_id, reply_id)
        if self._author_email(post["author"]) != principal.email:
            raise ApiError(403, "Only the author can change a reply.", reason="forbidden")
        document.update_reply(comment_id, reply_id, content=body.get("content", ""), now=now_rfc3339())
        self.bump(record, principal.email)
        return self.reply_json(self._post(document, comment_id, reply_id), principal)

    def delete_reply(self, principal: Principal, file_id: str, comment_id: str, reply_id: str) -> None:
        record, document = self._document(principal, file_id, "commenter")
        post = self._post(document, comment_id, reply_id)
        if self._author_email(post["author"]) != principal.email and \
                rank(self.role_of(record, principal.email)) < rank("owner"):
            raise ApiError(403, "Only the author or the owner can delete a reply.", reason="forbidden")
        document.delete_reply(comment_id, reply_id, now_rfc3339())
        self.bump(record, principal.email)

    # -- persistence ---------------------------------------------------------------------
    def file_state(self, file_id: str) -> dict | None:
        record = self.files.get(file_id)
        if record is None:
            return None
        document = self.documents.get(file_id)
        return {"record": record, "document": document.to_state() if document is not None else None}

    def load_file_state(self, state: dict, document_loader) -> None:
        record = state["record"]
        self.files[record["id"]] = record
        if state.get("document") is not None:
            self.documents[record["id"]] = document_loader(state["document"])

    def core_state(self) -> dict:
        return {"drives": self.drives, "generated_ids": sorted(self.generated_ids),
                "notifications": self.notifications}

    def load_core_state(self, state: dict) -> None:
        self.drives = state.get("drives", {})
        self.generated_ids = set(state.get("generated_ids", []))
        self.notifications = state.get("notifications", [])


def _check_writable(body: dict, writable: set[str]) -> None:
    extra = sorted(set(body) - writable)
    if extra:
        raise ApiError(403, "The resource body includes fields which are not directly writable: "
                            + ", ".join(extra) + ".", reason="fieldNotWritable")


def _merged_properties(current: dict, changes: dict, label: str) -> dict:
    """`current` with `changes` applied (None removes a key), within Drive's size limits."""
    merged = dict(current)
    for key, value in changes.items():
        if value is None:
            merged.pop(key, None)
            continue
        if len(key.encode()) + len(str(value).encode()) > PROPERTY_BYTES:
            raise ApiError(400, f"The {label} entry '{key}' is too large: key and value together "
                                f"may be at most {PROPERTY_BYTES} bytes (UTF-8).",
                           reason="invalidProperty", location=label)
        merged[key] = str(value)
    if len(merged) > APP_PROPERTY_LIMIT:
        raise ApiError(400, f"A file may have at most {APP_PROPERTY_LIMIT} {label} per app.",
                       reason="propertyLimitExceeded", location=label)
    return merged


def _ordered(records: list[dict], order_by: str | None) -> list[dict]:
    if not order_by:
        return records
    for clause in reversed([c.strip() for c in order_by.split(",") if c.strip()]):
        field, _, direction = clause.partition(" ")
        key_name = {"name": "name", "modifiedTime": "modifiedTime", "createdTime": "createdTime",
                    "folder": "mimeType", "name_natural": "name"}.get(field)
        if key_name is None:
            raise ApiError(400, f"Invalid Value: unsupported orderBy field {field}", reason="invalid",
                           location="orderBy")
        if field == "folder":
            records = sorted(records, key=lambda r: r["mimeType"] != FOLDER,
                             reverse=direction.lower() == "desc")
        else:
            records = sorted(records, key=lambda r: r[key_name], reverse=direction.lower() == "desc")
    return records
