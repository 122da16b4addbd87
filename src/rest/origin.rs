//! Whether a service URL would carry the operator's tokens in plain text to
//! another machine. Pure.

/// True for `http://` and `ws://` URLs whose host is not this machine
/// (`localhost`, `127.0.0.0/8`, `[::1]`).
///
/// ```
/// use twin_panel::rest::origin::is_plain_text_to_remote;
/// assert!(is_plain_text_to_remote("http://chat.example/api/v1"));
/// assert!(!is_plain_text_to_remote("ws://127.0.0.1:8080/ws"));
/// assert!(!is_plain_text_to_remote("https://chat.example"));
/// ```
pub fn is_plain_text_to_remote(url: &str) -> bool {
    let Some(rest) = url
        .strip_prefix("http://")
        .or_else(|| url.strip_prefix("ws://"))
    else {
        return false;
    };
    // A backslash ends the authority too, as the URL parser reads it.
    let authority = rest.split(['/', '\\', '?', '#']).next().unwrap_or("");
    let host_port = authority.rsplit('@').next().unwrap_or(authority);
    let host = if let Some(v6) = host_port.strip_prefix('[') {
        v6.split(']').next().unwrap_or("")
    } else {
        host_port.split(':').next().unwrap_or("")
    };
    !is_loopback(&host.to_ascii_lowercase())
}

fn is_loopback(host: &str) -> bool {
    if host == "localhost" || host.ends_with(".localhost") || host == "::1" {
        return true;
    }
    let octets: Vec<&str> = host.split('.').collect();
    octets.len() == 4
        && octets.first() == Some(&"127")
        && octets.iter().all(|o| o.parse::<u8>().is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_hosts_may_use_plain_text() {
        for url in [
            "http://localhost:8080/chat",
            "ws://LOCALHOST/ws",
            "http://127.0.0.1",
            "ws://127.1.2.3:9/x",
            "http://[::1]:8080/x",
            "http://app.localhost/x",
            "https://chat.example",
            "wss://chat.example",
        ] {
            assert!(!is_plain_text_to_remote(url), "{url}");
        }
    }

    #[test]
    fn remote_hosts_may_not() {
        for url in [
            "http://chat.example/api",
            "ws://10.0.0.1/ws",
            "http://127.0.0.1.evil.example/",
            "http://localhost.evil.example/",
            "http://user@chat.example/",
            "ws://[2001:db8::1]/ws",
            "http://127.0.0.256/",
            "http://evil.example\\@localhost/",
        ] {
            assert!(is_plain_text_to_remote(url), "{url}");
        }
    }
}
