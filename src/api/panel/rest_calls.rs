//! The chats REST calls of `OperatorPanel`, one method per endpoint of
//! [`endpoints`](crate::rest::endpoints), plus the `request()` escape hatch.

use super::{Core, OperatorPanel};
use crate::api::error::{to_js, usage};
use crate::api::js::{self, object};
use crate::api::options::PanelOptions;
use crate::rest::endpoints::{self, Endpoint, Service};
use crate::rest::error::{ErrorCode, ErrorInfo};
use crate::rest::request_guard;
use js_sys::Promise;
use std::rc::Rc;
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
impl OperatorPanel {
    /// The operator's own profile (`GET {iamUrl}/users/me`).
    #[wasm_bindgen(unchecked_return_type = "Promise<User>")]
    pub fn me(&self) -> Promise {
        self.endpoint(endpoints::ME, &[], None, None)
    }

    /// Server time (`GET /timestamp`), for timers and clock skew.
    #[wasm_bindgen(js_name = serverTime, unchecked_return_type = "Promise<unknown>")]
    pub fn server_time(&self) -> Promise {
        self.endpoint(endpoints::SERVER_TIME, &[], None, None)
    }

    /// Makes the operator available for new sessions (`POST /users/me/activate`).
    #[wasm_bindgen(unchecked_return_type = "Promise<unknown>")]
    pub fn activate(&self) -> Promise {
        self.endpoint(endpoints::ACTIVATE, &[], None, None)
    }

    /// Stops new sessions reaching the operator (`POST /users/me/pause`).
    #[wasm_bindgen(unchecked_return_type = "Promise<unknown>")]
    pub fn pause(&self) -> Promise {
        self.endpoint(endpoints::PAUSE, &[], None, None)
    }

    /// Sessions, `{ count, items }` (`GET /sessions`). `query`: `limit`,
    /// `offset`, `page`, `sort`, `fields` and the session filters (`status`,
    /// `operatorId`, `chatId`, `from`, `to` as strings or `Date`s, ...).
    #[wasm_bindgen(js_name = listSessions, unchecked_return_type = "Promise<List<Session>>")]
    pub fn list_sessions(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "SessionQuery")] query: JsValue,
    ) -> Promise {
        self.endpoint(endpoints::LIST_SESSIONS, &[], Some(&query), None)
    }

    /// One session (`GET /sessions/{id}`).
    #[wasm_bindgen(js_name = getSession, unchecked_return_type = "Promise<Session>")]
    pub fn get_session(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string | number")] session_id: JsValue,
    ) -> Promise {
        self.endpoint(endpoints::GET_SESSION, &[session_id], None, None)
    }

    /// A session's messages, `{ count, items }` (`GET /sessions/{id}/messages`).
    #[wasm_bindgen(js_name = sessionMessages, unchecked_return_type = "Promise<List<Message>>")]
    pub fn session_messages(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string | number")] session_id: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "ListQuery")] query: JsValue,
    ) -> Promise {
        self.endpoint(
            endpoints::SESSION_MESSAGES,
            &[session_id],
            Some(&query),
            None,
        )
    }

    /// A client's messages across sessions (`GET /clients/{id}/messages`).
    #[wasm_bindgen(js_name = clientMessages, unchecked_return_type = "Promise<List<Message>>")]
    pub fn client_messages(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string | number")] client_id: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "ListQuery")] query: JsValue,
    ) -> Promise {
        self.endpoint(endpoints::CLIENT_MESSAGES, &[client_id], Some(&query), None)
    }

    /// Sends `{ body, attachments?, replyToMessageId? }`; resolves to `{ id, createdAt }`.
    /// Never repeated on its own, so a failure cannot duplicate a message.
    #[wasm_bindgen(js_name = sendMessage, unchecked_return_type = "Promise<SentMessage>")]
    pub fn send_message(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string | number")] session_id: JsValue,
        #[wasm_bindgen(unchecked_param_type = "OutgoingMessage")] message: JsValue,
    ) -> Promise {
        self.endpoint(endpoints::SEND_MESSAGE, &[session_id], None, Some(message))
    }

    /// Edits a message with `{ body }`.
    #[wasm_bindgen(js_name = editMessage, unchecked_return_type = "Promise<Message>")]
    pub fn edit_message(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string | number")] session_id: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string | number")] message_id: JsValue,
        #[wasm_bindgen(unchecked_param_type = "{ body: string }")] patch: JsValue,
    ) -> Promise {
        self.endpoint(
            endpoints::EDIT_MESSAGE,
            &[session_id, message_id],
            None,
            Some(patch),
        )
    }

    /// Deletes a message.
    #[wasm_bindgen(js_name = deleteMessage, unchecked_return_type = "Promise<unknown>")]
    pub fn delete_message(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string | number")] session_id: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string | number")] message_id: JsValue,
    ) -> Promise {
        self.endpoint(
            endpoints::DELETE_MESSAGE,
            &[session_id, message_id],
            None,
            None,
        )
    }

    /// Shows the visitor that the operator is typing
    /// (`POST /sessions/{id}/operators/typing`; the path is our choice, no
    /// public source names this call).
    #[wasm_bindgen(unchecked_return_type = "Promise<unknown>")]
    pub fn typing(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string | number")] session_id: JsValue,
    ) -> Promise {
        self.endpoint(endpoints::OPERATOR_TYPING, &[session_id], None, None)
    }

    /// Marks a message read (`PATCH /messages/{id}/read`).
    #[wasm_bindgen(js_name = markRead, unchecked_return_type = "Promise<unknown>")]
    pub fn mark_read(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string | number")] message_id: JsValue,
    ) -> Promise {
        self.endpoint(endpoints::MARK_READ, &[message_id], None, None)
    }

    /// Transfers a session to another operator.
    #[wasm_bindgen(js_name = transferToOperator, unchecked_return_type = "Promise<unknown>")]
    pub fn transfer_to_operator(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string | number")] session_id: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string | number")] operator_id: JsValue,
    ) -> Promise {
        self.endpoint(
            endpoints::TRANSFER_TO_OPERATOR,
            &[session_id, operator_id],
            None,
            None,
        )
    }

    /// Transfers a session to an operator group.
    #[wasm_bindgen(js_name = transferToGroup, unchecked_return_type = "Promise<unknown>")]
    pub fn transfer_to_group(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string | number")] session_id: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string | number")] group_id: JsValue,
    ) -> Promise {
        self.endpoint(
            endpoints::TRANSFER_TO_GROUP,
            &[session_id, group_id],
            None,
            None,
        )
    }

    /// Adds an operator to a session (as a helper).
    #[wasm_bindgen(js_name = addOperator, unchecked_return_type = "Promise<unknown>")]
    pub fn add_operator(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string | number")] session_id: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string | number")] operator_id: JsValue,
    ) -> Promise {
        self.endpoint(
            endpoints::ADD_OPERATOR,
            &[session_id, operator_id],
            None,
            None,
        )
    }

    /// Removes an operator from a session.
    #[wasm_bindgen(js_name = removeOperator, unchecked_return_type = "Promise<unknown>")]
    pub fn remove_operator(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string | number")] session_id: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string | number")] operator_id: JsValue,
    ) -> Promise {
        self.endpoint(
            endpoints::REMOVE_OPERATOR,
            &[session_id, operator_id],
            None,
            None,
        )
    }

    /// Renames a session; any text, encoded for the path.
    #[wasm_bindgen(js_name = renameSession, unchecked_return_type = "Promise<unknown>")]
    pub fn rename_session(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string | number")] session_id: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] name: JsValue,
    ) -> Promise {
        self.endpoint(endpoints::RENAME_SESSION, &[session_id, name], None, None)
    }

    /// Closes a session, with an optional `result` (the closing outcome).
    #[wasm_bindgen(js_name = closeSession, unchecked_return_type = "Promise<unknown>")]
    pub fn close_session(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string | number")] session_id: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "string")] result: JsValue,
    ) -> Promise {
        let body =
            (!result.is_undefined() && !result.is_null()).then(|| object(&[("result", result)]));
        self.endpoint(endpoints::CLOSE_SESSION, &[session_id], None, body)
    }

    /// Marks a session as spam.
    #[wasm_bindgen(js_name = markSpam, unchecked_return_type = "Promise<unknown>")]
    pub fn mark_spam(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string | number")] session_id: JsValue,
    ) -> Promise {
        self.endpoint(endpoints::MARK_SPAM, &[session_id], None, None)
    }

    /// Removes the spam mark.
    #[wasm_bindgen(js_name = unmarkSpam, unchecked_return_type = "Promise<unknown>")]
    pub fn unmark_spam(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string | number")] session_id: JsValue,
    ) -> Promise {
        self.endpoint(endpoints::UNMARK_SPAM, &[session_id], None, None)
    }

    /// Operators, `{ count, items }` (`GET /users`).
    #[wasm_bindgen(js_name = listOperators, unchecked_return_type = "Promise<List<Operator>>")]
    pub fn list_operators(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "ListQuery")] query: JsValue,
    ) -> Promise {
        self.endpoint(endpoints::LIST_OPERATORS, &[], Some(&query), None)
    }

    /// Operator groups, `{ count, items }` (`GET /groups`).
    #[wasm_bindgen(js_name = listGroups, unchecked_return_type = "Promise<List<Group>>")]
    pub fn list_groups(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "ListQuery")] query: JsValue,
    ) -> Promise {
        self.endpoint(endpoints::LIST_GROUPS, &[], Some(&query), None)
    }

    /// Bans a client.
    #[wasm_bindgen(js_name = banClient, unchecked_return_type = "Promise<unknown>")]
    pub fn ban_client(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string | number")] client_id: JsValue,
    ) -> Promise {
        self.endpoint(endpoints::BAN_CLIENT, &[client_id], None, None)
    }

    /// Lifts a client's ban.
    #[wasm_bindgen(js_name = unbanClient, unchecked_return_type = "Promise<unknown>")]
    pub fn unban_client(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string | number")] client_id: JsValue,
    ) -> Promise {
        self.endpoint(endpoints::UNBAN_CLIENT, &[client_id], None, None)
    }

    /// Authenticated call to an endpoint the package does not wrap. `path` is
    /// relative to `chatUrl` (`/sessions?limit=5`) or an absolute URL under
    /// `chatUrl` or `iamUrl`; any other address is refused.
    #[wasm_bindgen(unchecked_return_type = "Promise<unknown>")]
    pub fn request(
        &self,
        method: String,
        path: String,
        #[wasm_bindgen(unchecked_optional_param_type = "unknown")] body: JsValue,
    ) -> Promise {
        let core = self.core.clone();
        let resolved = resolve_url(&core.options, &path);
        let method = endpoints::http_method(&method).ok_or(());
        let body = match Some(body).filter(|b| !b.is_undefined()) {
            None => Ok(None),
            Some(body) => js_sys::JSON::stringify(&body)
                .map(|s| Some(String::from(s)))
                .map_err(|_| usage("the body cannot be encoded as JSON")),
        };
        match (resolved, method, body) {
            (Some(url), Ok(method), Ok(body)) => core.call(method, url, body),
            (None, _, _) => Promise::reject(&to_js(&ErrorInfo::local(
                ErrorCode::ForbiddenUrl,
                "request() only reaches the configured chatUrl and iamUrl",
                false,
            ))),
            (_, Err(_), _) => Promise::reject(&usage("unknown HTTP method")),
            (_, _, Err(e)) => Promise::reject(&e),
        }
    }
}

impl OperatorPanel {
    /// Calls `endpoint` with path arguments, an optional query object and an
    /// optional JSON body.
    fn endpoint(
        &self,
        endpoint: Endpoint,
        args: &[JsValue],
        query: Option<&JsValue>,
        body: Option<JsValue>,
    ) -> Promise {
        self.core.endpoint(endpoint, args, query, body)
    }
}

impl Core {
    /// Calls `endpoint` with path arguments, an optional query object and an
    /// optional JSON body (the panel's REST methods and its inbox).
    pub(super) fn endpoint(
        self: &Rc<Self>,
        endpoint: Endpoint,
        args: &[JsValue],
        query: Option<&JsValue>,
        body: Option<JsValue>,
    ) -> Promise {
        let texts: Option<Vec<String>> = args.iter().map(js::id_text).collect();
        let Some(texts) = texts else {
            return Promise::reject(&usage("ids must be strings or numbers"));
        };
        let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
        let Some(path) = endpoint.path_with(&refs) else {
            return Promise::reject(&usage("an id is empty or not a valid path segment"));
        };
        let base = match endpoint.service {
            Service::Iam => &self.options.iam_url,
            Service::Chat => &self.options.chat_url,
        };
        let query = query.map(js::query_pairs).unwrap_or_default();
        let url = crate::text::concat(&[base, &path, &endpoints::query_string(&query)]);
        let body = match body.map(|b| js_sys::JSON::stringify(&b)) {
            None => None,
            Some(Ok(text)) => Some(String::from(text)),
            Some(Err(_)) => return Promise::reject(&usage("the body cannot be encoded as JSON")),
        };
        self.clone().call(endpoint.method, url, body)
    }
}

/// The absolute URL for `path`, or `None` when it leaves the configured services.
fn resolve_url(options: &PanelOptions, path: &str) -> Option<String> {
    request_guard::resolve(&options.chat_url, &options.iam_url, path)
}
