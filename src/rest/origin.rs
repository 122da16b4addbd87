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
    // Read as bytes (no splitting, no number parsing): this runs once per
    // URL option, and its generic string machinery would outweigh it.
    let bytes = rest.as_bytes();
    // A backslash ends the authority too, as the URL parser reads it.
    let authority = up_to(bytes, |b| matches!(b, b'/' | b'\\' | b'?' | b'#'));
    let host_port = match authority.iter().rposition(|&b| b == b'@') {
        Some(at) => authority.get(at + 1..).unwrap_or_default(),
        None => authority,
    };
    let host = match host_port.strip_prefix(b"[") {
        Some(v6) => up_to(v6, |b| b == b']'),
        None => up_to(host_port, |b| b == b':'),
    };
    !is_loopback(host)
}

/// The bytes before the first one `end` accepts (all of them when none does).
fn up_to(bytes: &[u8], end: impl Fn(u8) -> bool) -> &[u8] {
    let at = bytes.iter().position(|&b| end(b)).unwrap_or(bytes.len());
    bytes.get(..at).unwrap_or_default()
}

fn is_loopback(host: &[u8]) -> bool {
    const LOCALHOST: &[u8] = b"localhost";
    let localhost_suffix = host.len() > LOCALHOST.len()
        && host
            .get(host.len() - LOCALHOST.len() - 1..)
            .is_some_and(|tail| {
                tail.first() == Some(&b'.')
                    && tail
                        .get(1..)
                        .is_some_and(|name| name.eq_ignore_ascii_case(LOCALHOST))
            });
    if host.eq_ignore_ascii_case(LOCALHOST) || localhost_suffix || host == b"::1" {
        return true;
    }
    is_ipv4_in_127(host)
}

/// `127.a.b.c` with every part a decimal number from 0 to 255.
fn is_ipv4_in_127(host: &[u8]) -> bool {
    let mut parts = 0;
    for part in host.split(|&b| b == b'.') {
        let mut value: u32 = 0;
        if part.is_empty() || !part.iter().all(u8::is_ascii_digit) {
            return false;
        }
        for &digit in part {
            value = value * 10 + u32::from(digit - b'0');
            if value > 255 {
                return false;
            }
        }
        if parts == 0 && value != 127 {
            return false;
        }
        parts += 1;
    }
    parts == 4
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
            "http://App.LocalHost:1/x",
            "http://127.000.0.1/",
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
            "http://127.+1.0.1/",
            "http://127.0.0/",
            "http://127.0.0.1.2/",
            "http://notlocalhost/",
        ] {
            assert!(is_plain_text_to_remote(url), "{url}");
        }
    }
}
