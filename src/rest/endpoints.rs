//! Every chats REST call the panel wraps, in one table, so a correction to a
//! path or a method is one line. Each one's doc says what a public source states
//! (twin-api.md); the rest is our choice where the platform's docs are silent.

/// Which service a path belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Service {
    /// IAM (`iamUrl`).
    Iam,
    /// Chats API (`chatUrl`).
    Chat,
}

/// One REST call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Endpoint {
    /// HTTP method.
    pub method: &'static str,
    /// Service base.
    pub service: Service,
    /// Path with `{}` for each argument, in order.
    pub path: &'static str,
}

const fn ep(method: &'static str, service: Service, path: &'static str) -> Endpoint {
    Endpoint {
        method,
        service,
        path,
    }
}

use Service::{Chat, Iam};

/// `me()`: the operator's profile (IAM `/users/me` is the confirmed one).
pub const ME: Endpoint = ep("GET", Iam, "/users/me");
/// `serverTime()`: path confirmed, method chosen.
pub const SERVER_TIME: Endpoint = ep("GET", Chat, "/timestamp");
/// `activate()`: path confirmed, method chosen (POST).
pub const ACTIVATE: Endpoint = ep("POST", Chat, "/users/me/activate");
/// `pause()`: path confirmed, method chosen (POST).
pub const PAUSE: Endpoint = ep("POST", Chat, "/users/me/pause");
/// `listSessions(query)`.
pub const LIST_SESSIONS: Endpoint = ep("GET", Chat, "/sessions");
/// `getSession(id)`.
pub const GET_SESSION: Endpoint = ep("GET", Chat, "/sessions/{}");
/// `sessionMessages(id, query)`.
pub const SESSION_MESSAGES: Endpoint = ep("GET", Chat, "/sessions/{}/messages");
/// `clientMessages(clientId, query)`.
pub const CLIENT_MESSAGES: Endpoint = ep("GET", Chat, "/clients/{}/messages");
/// `sendMessage(sessionId, message)`: path from the integration page, method chosen.
pub const SEND_MESSAGE: Endpoint = ep("POST", Chat, "/sessions/{}/operators/messages");
/// `editMessage(sessionId, messageId, patch)`: PUT per the integration page.
pub const EDIT_MESSAGE: Endpoint = ep("PUT", Chat, "/sessions/{}/operators/messages/{}");
/// `deleteMessage(sessionId, messageId)`: DELETE per the integration page.
pub const DELETE_MESSAGE: Endpoint = ep("DELETE", Chat, "/sessions/{}/operators/messages/{}");
/// `markRead(messageId)`.
pub const MARK_READ: Endpoint = ep("PATCH", Chat, "/messages/{}/read");
/// `transferToOperator(sessionId, operatorId)`.
pub const TRANSFER_TO_OPERATOR: Endpoint = ep("PATCH", Chat, "/sessions/{}/operators/{}");
/// `transferToGroup(sessionId, groupId)`.
pub const TRANSFER_TO_GROUP: Endpoint = ep("PATCH", Chat, "/sessions/{}/groupoperators/{}");
/// `addOperator(sessionId, operatorId)`.
pub const ADD_OPERATOR: Endpoint = ep("PUT", Chat, "/sessions/{}/operators/{}");
/// `removeOperator(sessionId, operatorId)`.
pub const REMOVE_OPERATOR: Endpoint = ep("DELETE", Chat, "/sessions/{}/operators/{}");
/// `renameSession(sessionId, name)`.
pub const RENAME_SESSION: Endpoint = ep("PATCH", Chat, "/sessions/{}/names/{}");
/// `closeSession(sessionId, result?)`.
pub const CLOSE_SESSION: Endpoint = ep("DELETE", Chat, "/sessions/{}");
/// `markSpam(sessionId)`.
pub const MARK_SPAM: Endpoint = ep("PATCH", Chat, "/sessions/{}/spam");
/// `unmarkSpam(sessionId)`.
pub const UNMARK_SPAM: Endpoint = ep("PATCH", Chat, "/sessions/{}/notSpam");
/// `typing(sessionId)`: tells the visitor the operator types. No public
/// source names this call; the path is our choice.
pub const OPERATOR_TYPING: Endpoint = ep("POST", Chat, "/sessions/{}/operators/typing");
/// `listOperators(query)`: path from the integration page, method chosen.
pub const LIST_OPERATORS: Endpoint = ep("GET", Chat, "/users");
/// `listGroups(query)`: path from the integration page, method chosen.
pub const LIST_GROUPS: Endpoint = ep("GET", Chat, "/groups");
/// `banClient(clientId)`: path from the integration page, method chosen.
pub const BAN_CLIENT: Endpoint = ep("POST", Chat, "/clients/{}/ban");
/// `unbanClient(clientId)`: path from the integration page, method chosen.
pub const UNBAN_CLIENT: Endpoint = ep("POST", Chat, "/clients/{}/unban");

/// The visitor starts (`POST`) or continues (`PUT`) a session; public.
pub const START_SESSION: Endpoint = ep("POST", Chat, "/chats/{}/sessions");
/// The visitor writes; public.
pub const CLIENT_MESSAGE: Endpoint = ep("POST", Chat, "/sessions/{}/clients/messages");

impl Endpoint {
    /// The path with each `{}` replaced by the next argument, percent-encoded
    /// as one path segment. `None` when the argument count does not match or an
    /// argument is empty, `.` or `..` (a URL parser would resolve those).
    ///
    /// ```
    /// use twin_panel::rest::endpoints::RENAME_SESSION;
    /// assert_eq!(
    ///     RENAME_SESSION.path_with(&["s-1", "Иван / VIP #1"]).unwrap(),
    ///     "/sessions/s-1/names/%D0%98%D0%B2%D0%B0%D0%BD%20%2F%20VIP%20%231"
    /// );
    /// ```
    pub fn path_with(&self, args: &[&str]) -> Option<String> {
        // Byte scanning with `get`: no substring searcher, no panicking slices.
        let template = self.path.as_bytes();
        let mut out = String::with_capacity(self.path.len() + 32);
        let mut args = args.iter();
        let (mut start, mut i) = (0, 0);
        while i + 1 < template.len() {
            if template.get(i..i + 2) == Some(b"{}".as_slice()) {
                out.push_str(self.path.get(start..i)?);
                let arg = args.next()?;
                if arg.is_empty() || *arg == "." || *arg == ".." {
                    return None;
                }
                encode_component(arg, &mut out);
                i += 2;
                start = i;
            } else {
                i += 1;
            }
        }
        out.push_str(self.path.get(start..)?);
        args.next().is_none().then_some(out)
    }
}

/// The canonical spelling of an HTTP method `request()` may use.
///
/// ```
/// use twin_panel::rest::endpoints::http_method;
/// assert_eq!(http_method("patch"), Some("PATCH"));
/// assert_eq!(http_method("TRACE"), None);
/// ```
pub fn http_method(name: &str) -> Option<&'static str> {
    ["GET", "POST", "PUT", "PATCH", "DELETE"]
        .into_iter()
        .find(|m| m.eq_ignore_ascii_case(name))
}

pub use crate::percent::encode_component;

/// A query string (`?a=1&b=x`) from key/value pairs; empty when there are none.
///
/// ```
/// use twin_panel::rest::endpoints::query_string;
/// let q = query_string(&[("from".into(), "2026-11-24T10:00:00+00:00".into()), ("limit".into(), "5".into())]);
/// assert_eq!(q, "?from=2026-11-24T10%3A00%3A00%2B00%3A00&limit=5");
/// ```
pub fn query_string(pairs: &[(String, String)]) -> String {
    let mut out = String::new();
    for (i, (key, value)) in pairs.iter().enumerate() {
        out.push(if i == 0 { '?' } else { '&' });
        encode_component(key, &mut out);
        out.push('=');
        encode_component(value, &mut out);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arguments_fill_the_placeholders_in_order() {
        assert_eq!(
            EDIT_MESSAGE.path_with(&["s 1", "m/2"]).unwrap(),
            "/sessions/s%201/operators/messages/m%2F2"
        );
        assert_eq!(LIST_SESSIONS.path_with(&[]).unwrap(), "/sessions");
        assert_eq!(GET_SESSION.path_with(&[]), None);
        assert_eq!(GET_SESSION.path_with(&["a", "b"]), None);
    }

    #[test]
    fn dot_segments_cannot_escape_the_path() {
        assert_eq!(GET_SESSION.path_with(&[".."]), None);
        assert_eq!(GET_SESSION.path_with(&["."]), None);
        assert_eq!(GET_SESSION.path_with(&[""]), None);
        assert_eq!(
            GET_SESSION.path_with(&["../x"]).unwrap(),
            "/sessions/..%2Fx"
        );
    }

    #[test]
    fn empty_query() {
        assert_eq!(query_string(&[]), "");
    }
}
