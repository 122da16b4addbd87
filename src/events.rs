//! The event names each class's `on()` accepts: any other name throws a
//! `TypeError` that lists these. The package's types declare the same names
//! (`OperatorEvents`, `WidgetEvents` in `api/types.rs`); a test keeps the two
//! lists equal. Pure.

/// `panel.on()`: the platform's 15 events, `event` (every publication,
/// including names this version does not know), and the lifecycle.
pub const PANEL_EVENTS: [&str; 23] = [
    "chatSessionStarted",
    "operatorNotFound",
    "chatSessionAdded",
    "chatMessageCreated",
    "chatMessageEdited",
    "chatMessageRead",
    "chatSessionDeleted",
    "chatSessionSwitchedFromBotToOperator",
    "sessionClosedByClient",
    "operatorBlocked",
    "chatUserExists",
    "typing",
    "operatorLoggedOut",
    "clientOnline",
    "clientOffline",
    "event",
    "connecting",
    "connected",
    "disconnected",
    "error",
    "resync",
    "tokenRefreshed",
    "sharing",
];

/// `widget.on()`: the platform's socket events under the widget's names,
/// `event` (every socket event), and the lifecycle.
pub const WIDGET_EVENTS: [&str; 12] = [
    "message",
    "typing",
    "read",
    "operatorChanged",
    "operatorStatusChanged",
    "operatorLoggedOut",
    "event",
    "connecting",
    "connected",
    "disconnected",
    "resync",
    "error",
];

#[cfg(all(test, not(target_arch = "wasm32")))]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)] // tests may panic
mod tests {
    use super::*;

    /// The keys of `export interface NAME { ... }` in the package's types.
    #[allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)] // a test helper
    fn declared(interface: &str) -> Vec<String> {
        let types = include_str!("api/types.rs");
        let start = types
            .find(&format!("export interface {interface} {{"))
            .expect("the interface is declared");
        let body = &types[start..];
        let body = &body[body.find('{').unwrap() + 1..body.find("\n}").unwrap()];
        body.lines()
            .filter(|line| line.starts_with("  ") && !line.starts_with("   "))
            .filter_map(|line| line.trim().split(':').next())
            .filter(|key| key.chars().all(|c| c.is_ascii_alphanumeric()) && !key.is_empty())
            .map(str::to_owned)
            .collect()
    }

    #[test]
    fn the_types_declare_exactly_these_events() {
        assert_eq!(declared("OperatorEvents"), PANEL_EVENTS);
        assert_eq!(declared("WidgetEvents"), WIDGET_EVENTS);
    }
}
