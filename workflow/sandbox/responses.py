"""API calls in and out: authenticate, check, dispatch to the models, shape the answer.

One handler per discovery method id. The HTTP layer (server.py) turns a request into a `Call`
and the `Answer` back into bytes; nothing here knows about sockets.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable

from . import fieldmask, quirks, schema
from .auth import DOCUMENTS, DOCUMENTS_READONLY, DRIVE, DRIVE_READONLY, Principal
from .discovery import Method, service
from .drive import DOCUMENT, now_rfc3339, rank
from .exceptions import ApiError

if TYPE_CHECKING:
    from .state import SandboxState

# Drive answers with these fields when the call names none.
_DEFAULT_FIELDS = {
    "File": "kind,id,name,mimeType",
    "FileList": "kind,nextPageToken,incompleteSearch,files(kind,id,name,mimeType)",
    "Permission": "kind,id,type,role",
    "PermissionList": "kind,nextPageToken,permissions(kind,id,type,role)",
    "Drive": "kind,id,name",
    "DriveList": "kind,nextPageToken,drives(kind,id,name)",
    # As live Drive: an approvals answer without `fields` may carry only its kind.
    "Approval": "kind",
    "ApprovalList": "kind,nextPageToken,items(kind)",
}
_FIELDS_REQUIRED = ("drive.comments.", "drive.replies.", "drive.about.")


@dataclass
class Call:
    method: Method
    path_params: dict[str, str]
    params: dict                       # typed query parameters
    body: object                       # parsed JSON body or None
    principal: Principal


@dataclass
class Answer:
    status: int
    body: object = None                # dict -> JSON, str -> text, None -> empty
    content_type: str = "application/json; charset=UTF-8"
    headers: dict[str, str] = field(default_factory=dict)

    def payload(self) -> bytes:
        if self.body is None:
            return b""
        if isinstance(self.body, str):
            return self.body.encode("utf-8")
        return json.dumps(self.body, ensure_ascii=False, indent=1).encode("utf-8")


def error_answer(error: ApiError) -> Answer:
    return Answer(error.code, error.body(), headers=dict(error.headers))


Handler = Callable[["SandboxState", Call], object]
HANDLERS: dict[str, Handler] = {}


def handles(method_id: str):
    def register(function: Handler) -> Handler:
        HANDLERS[method_id] = function
        return function
    return register


def supported(method_id: str) -> bool:
    return method_id in HANDLERS


def answer_call(state, call: Call) -> Answer:
    """Run one authenticated, routed call; ApiError propagates to the caller."""
    call.principal.require_scope(call.method.scopes)
    if call.method.request_schema is not None:
        schema.check_body(call.method, call.body if call.body is not None else {})
    mask_text = call.params.get("fields")
    if mask_text is None and call.method.id.startswith(_FIELDS_REQUIRED) \
            and call.method.response_schema is not None:
        raise ApiError(400, "The 'fields' parameter is required for this method.", reason="required",
                       location="fields")
    if mask_text is None and call.method.service == "drive":
        mask_text = _DEFAULT_FIELDS.get(call.method.response_schema or "", "")
    mask = fieldmask.parse(mask_text or "")
    if call.method.response_schema:
        fieldmask.validate(mask, call.method.response_schema, service(call.method.service).schemas)
    quirks.before_call(state.quirks, call.method.id, call.body)
    result = quirks.after_call(state.quirks, call.method.id, call.params, HANDLERS[call.method.id](state, call))
    if isinstance(result, Answer):
        return result
    if result is None:
        return Answer(204)
    return Answer(200, fieldmask.apply(result, mask))


# -- Drive: files ----------------------------------------------------------------------------
@handles("drive.files.generateIds")
def _generate_ids(state, call: Call):
    return state.drive.generate_ids(call.params.get("count", 10))


@handles("drive.files.create")
def _create_file(state, call: Call):
    record = state.drive.create_file(call.principal, call.body or {}, call.params)
    return state.drive.file_json(record, call.principal)


@handles("drive.files.get")
def _get_file(state, call: Call):
    record = state.drive.get_record(call.path_params["fileId"], call.principal,
                                    supports_all_drives=_all_drives(call))
    return state.drive.file_json(record, call.principal)


@handles("drive.files.list")
def _list_files(state, call: Call):
    return state.drive.list_files(call.principal, call.params)


@handles("drive.files.update")
def _update_file(state, call: Call):
    record = state.drive.update_file(call.principal, call.path_params["fileId"], call.body or {},
                                     call.params)
    return state.drive.file_json(record, call.principal)


@handles("drive.files.delete")
def _delete_file(state, call: Call):
    state.drive.delete_file(call.principal, call.path_params["fileId"], call.params)


@handles("drive.files.export")
def _export_file(state, call: Call):
    mime_type = call.params.get("mimeType")
    if not mime_type:
        raise ApiError(400, "Required parameter: mimeType", reason="required", location="mimeType")
    text = state.drive.export(call.principal, call.path_params["fileId"], mime_type)
    return Answer(200, text, content_type=f"{mime_type}; charset=UTF-8")


def _all_drives(call: Call) -> bool:
    return bool(call.params.get("supportsAllDrives") or call.params.get("supportsTeamDrives"))


# -- Drive: shared drives --------------------------------------------------------------------
@handles("drive.drives.create")
def _create_drive(state, call: Call):
    if not call.params.get("requestId"):
        raise ApiError(400, "Required parameter: requestId", reason="required", location="requestId")
    name = (call.body or {}).get("name") or "Untitled shared drive"
    return state.drive.create_drive(call.principal, call.params["requestId"], name)


@handles("drive.drives.get")
def _get_drive(state, call: Call):
    return state.drive.get_drive(call.principal, call.path_params["driveId"])


@handles("drive.drives.list")
def _list_drives(state, call: Call):
    return state.drive.list_drives(call.principal)


# -- Drive: permissions ----------------------------------------------------------------------
@handles("drive.permissions.create")
def _create_permission(state, call: Call):
    return state.drive.create_permission(call.principal, call.path_params["fileId"], call.body or {},
                                         call.params)


@handles("drive.permissions.list")
def _list_permissions(state, call: Call):
    return state.drive.list_permissions(call.principal, call.path_params["fileId"], call.params)


@handles("drive.permissions.get")
def _get_permission(state, call: Call):
    return state.drive.get_permission(call.principal, call.path_params["fileId"],
                                      call.path_params["permissionId"], call.params)


@handles("drive.permissions.delete")
def _delete_permission(state, call: Call):
    state.drive.delete_permission(call.principal, call.path_params["fileId"],
                                  call.path_params["permissionId"], call.params)


# -- Drive: approvals ------------------------------------------------------------------------
@handles("drive.approvals.start")
def _start_approval(state, call: Call):
    approval = state.drive.start_approval(call.principal, call.path_params["fileId"], call.body or {})
    # Live Drive may answer a start before the approval has its id: list the file's approvals to find it.
    return {key: value for key, value in approval.items() if key != "approvalId"}


@handles("drive.approvals.list")
def _list_approvals(state, call: Call):
    return state.drive.list_approvals(call.principal, call.path_params["fileId"], call.params)


@handles("drive.approvals.get")
def _get_approval(state, call: Call):
    return state.drive.get_approval(call.principal, call.path_params["fileId"],
                                    call.path_params["approvalId"])


def _respond(state, call: Call, verdict: str):
    file_id = call.path_params["fileId"]
    document = state.drive.documents.get(file_id)
    revision = document.revision_id if document is not None else None
    return state.drive.respond_approval(call.principal, file_id, call.path_params["approvalId"],
                                        verdict, revision)


@handles("drive.approvals.approve")
def _approve(state, call: Call):
    return _respond(state, call, "APPROVED")


@handles("drive.approvals.decline")
def _decline(state, call: Call):
    return _respond(state, call, "DECLINED")


@handles("drive.approvals.cancel")
def _cancel(state, call: Call):
    return state.drive.cancel_approval(call.principal, call.path_params["fileId"],
                                       call.path_params["approvalId"])


# -- Drive: comments and replies -------------------------------------------------------------
@handles("drive.comments.create")
def _create_comment(state, call: Call):
    return state.drive.create_comment(call.principal, call.path_params["fileId"], call.body or {})


@handles("drive.comments.list")
def _list_comments(state, call: Call):
    return state.drive.list_comments(call.principal, call.path_params["fileId"], call.params)


@handles("drive.comments.get")
def _get_comment(state, call: Call):
    return state.drive.get_comment(call.principal, call.path_params["fileId"],
                                   call.path_params["commentId"], call.params)


@handles("drive.comments.update")
def _update_comment(state, call: Call):
    return state.drive.update_comment(call.principal, call.path_params["fileId"],
                                      call.path_params["commentId"], call.body or {})


@handles("drive.comments.delete")
def _delete_comment(state, call: Call):
    state.drive.delete_comment(call.principal, call.path_params["fileId"], call.path_params["commentId"])


@handles("drive.replies.create")
def _create_reply(state, call: Call):
    return state.drive.create_reply(call.principal, call.path_params["fileId"],
                                    call.path_params["commentId"], call.body or {})


@handles("drive.replies.list")
def _list_replies(state, call: Call):
    return state.drive.list_replies(call.principal, call.path_params["fileId"],
                                    call.path_params["commentId"], call.params)


@handles("drive.replies.get")
def _get_reply(state, call: Call):
    return state.drive.get_reply(call.principal, call.path_params["fileId"],
                                 call.path_params["commentId"], call.path_params["replyId"])


@handles("drive.replies.update")
def _update_reply(state, call: Call):
    return state.drive.update_reply(call.principal, call.path_params["fileId"],
                                    call.path_params["commentId"], call.path_params["replyId"],
                                    call.body or {})


@handles("drive.replies.delete")
def _delete_reply(state, call: Call):
    state.drive.delete_reply(call.principal, call.path_params["fileId"], call.path_params["commentId"],
                             call.path_params["replyId"])


# -- Docs ------------------------------------------------------------------------------------
def _docs_scope(principal: Principal) -> bool:
    """Docs' own scopes (and full Drive) reach every Doc the user can open, not only the app's."""
    return bool(principal.scopes & {DOCUMENTS, DOCUMENTS_READONLY, DRIVE, DRIVE_READONLY})


def _document_for(state, call: Call, minimum: str):
    document_id = call.path_params["documentId"]
    try:
        record = state.drive.get_record(document_id, call.principal, minimum=minimum,
                                        docs_scope=_docs_scope(call.principal))
    except ApiError as error:   # Docs words these errors its own way
        if error.code == 404:
            raise ApiError(404, "Requested entity was not found.") from None
        raise ApiError(403, "The caller does not have permission") from None
    document = state.drive.documents.get(record["id"])
    if document is None:
        raise ApiError(400, "This operation is not supported for this document. The document "
                            "must be a Google Docs document.", status="FAILED_PRECONDITION")
    return record, document


@handles("docs.documents.create")
def _create_document(state, call: Call):
    body = call.body or {}
    record = state.drive.create_file(call.principal, {"name": body.get("title") or "Untitled document",
                                                      "mimeType": DOCUMENT}, {})
    return state.drive.documents[record["id"]].to_json()


@handles("docs.documents.get")
def _get_document(state, call: Call):
    record, document = _document_for(state, call, "reader")
    can_edit = rank(state.drive.role_of(record, call.principal.email)) >= rank("writer")
    return document.to_json(suggestions_view_mode=call.params.get("suggestionsViewMode"),
                            comments_view_mode=call.params.get("commentsViewMode"),
                            include_tabs_content=bool(call.params.get("includeTabsContent")),
                            can_edit=can_edit, viewer=call.principal.email)


@handles("docs.documents.batchUpdate")
def _batch_update(state, call: Call):
    body = call.body or {}
    write_control = body.get("writeControl") or {}
    suggesting = write_control.get("writeMode") == "SUGGEST"
    record, document = _document_for(state, call, "commenter" if suggesting else "writer")
    state.drive.check_content_editable(record)
    reply = document.batch_update(body.get("requests") or [], write_control=write_control,
                                  author=call.principal.email, now=now_rfc3339())
    state.drive.bump(record, call.principal.email, content=True)
    return reply
