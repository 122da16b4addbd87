//! Where `request()`, the authenticated escape hatch, may go: only below the
//! configured `chatUrl` or `iamUrl`, never up out of them. The token travels
//! with every such request, so a path that could leave those services is
//! refused before anything is sent. Pure.

use crate::percent;

/// The URL `request(method, path)` calls, or `None` when `path` could leave
/// the configured services.
///
/// `path` is relative to `chat_url` (`/sessions?limit=5`) or an absolute URL
/// under `chat_url` or `iam_url`. The path part is percent-decoded before it
/// is checked, so `%2e%2e` is a dot segment like `..`; `.` and `..` segments,
/// backslashes, control characters and `//` at the start are refused.
///
/// ```
/// use twin_panel::rest::request_guard::resolve;
/// let chat = "https://chat.example/api/v1";
/// let iam = "https://iam.example/api/v1";
/// assert_eq!(resolve(chat, iam, "/sessions?limit=5").as_deref(), Some("https://chat.example/api/v1/sessions?limit=5"));
/// assert_eq!(resolve(chat, iam, "https://iam.example/api/v1/users/me").as_deref(), Some("https://iam.example/api/v1/users/me"));
/// assert_eq!(resolve(chat, iam, "/%2e%2e/%2E%2E/admin"), None);
/// assert_eq!(resolve(chat, iam, "https://evil.example/api/v1"), None);
/// ```
pub fn resolve(chat_url: &str, iam_url: &str, path: &str) -> Option<String> {
    if path.starts_with('/') {
        return (!path.starts_with("//") && path_is_safe(path))
            .then(|| crate::text::concat(&[chat_url, path]));
    }
    [chat_url, iam_url].into_iter().find_map(|base| {
        let rest = path.strip_prefix(base)?;
        let boundary = rest.is_empty() || rest.starts_with(['/', '?', '#']);
        (boundary && path_is_safe(rest)).then(|| path.to_owned())
    })
}

/// The part before `?` or `#` has no dot segment, even percent-encoded, and
/// the whole has no backslash, whitespace or control character.
fn path_is_safe(path: &str) -> bool {
    if path
        .chars()
        .any(|c| c == '\\' || c.is_whitespace() || c.is_control())
    {
        return false;
    }
    let end = path.find(['?', '#']).unwrap_or(path.len());
    let Some(decoded) = path.get(..end).and_then(percent::decode) else {
        return false;
    };
    if decoded.contains('\\') || decoded.chars().any(char::is_control) {
        return false;
    }
    !decoded
        .split('/')
        .any(|segment| segment == "." || segment == "..")
}

#[cfg(test)]
mod tests {
    use super::*;

    const CHAT: &str = "https://chat.example/api/v1";
    const IAM: &str = "https://iam.example/api/v1";

    fn ok(path: &str) -> bool {
        resolve(CHAT, IAM, path).is_some()
    }

    #[test]
    fn paths_below_the_services_pass() {
        for path in [
            "/sessions",
            "/sessions?limit=5&q=..",
            "/sessions/a%20b",
            "/names/%D0%98%D0%B2%D0%B0%D0%BD",
            "https://chat.example/api/v1",
            "https://chat.example/api/v1/sessions/1",
            "https://chat.example/api/v1?x=1",
            "https://iam.example/api/v1/users/me",
            "/a.b/..c/...",
        ] {
            assert!(ok(path), "{path}");
        }
    }

    #[test]
    fn dot_segments_are_refused_in_every_spelling() {
        for path in [
            "/..",
            "/../admin",
            "/sessions/../../admin",
            "/./sessions",
            "/%2e%2e/admin",
            "/%2E%2e/admin",
            "/.%2e/admin",
            "/sessions/%2e",
            "https://chat.example/api/v1/../../admin",
            "https://chat.example/api/v1/%2e%2e/%2e%2e/admin",
            "https://iam.example/api/v1/%2E%2E",
        ] {
            assert!(!ok(path), "{path}");
        }
    }

    #[test]
    fn other_places_are_refused() {
        for path in [
            "//evil.example/x",
            "https://evil.example/api/v1",
            "https://chat.example/api/v1.evil.example/x",
            "https://chat.example/api/v1@evil.example/x",
            "https://chat.example/api/v12/x",
            "sessions",
            "/a\\..\\b",
            "/a%5c..%5cb",
            "/a b",
            "/a\n",
            "/%zz",
            "",
        ] {
            assert!(!ok(path), "{path:?}");
        }
    }
}
