// What Firefox's WebDriver BiDi reports as a page's `javascript` errors is
// more than what the page threw: the browser puts its own network
// diagnostics for a WebSocket in the same channel, word for word what its
// console shows:
//
// - "The connection to ws://… was interrupted while the page was loading."
//   An open socket that ended with a TCP reset or a network error. The
//   words are about page loads, but the page may have loaded long before:
//   a server or a NAT resetting a live socket is enough.
// - "Firefox can’t establish a connection to the server at ws://…."
//   A socket that never opened.
//
// Neither is an error of the page: no script threw, no promise was left
// rejected, and no JavaScript can stop the browser from printing them
// (Chromium prints its own words for the same events on the console, which
// Playwright's `pageerror` does not report either). The tests count them
// apart, as network notices, and treat every other entry as a page error.

const NETWORK_NOTICES = [
  /^The connection to wss?:\/\/\S+ was interrupted while the page was loading\.$/,
  /^Firefox can[’']t establish a connection to the server at wss?:\/\/\S+\.$/,
];

/** True when `text`, a BiDi `javascript` log entry's text, is one of Firefox's WebSocket network notices. */
export function isFirefoxNetworkNotice(text) {
  return NETWORK_NOTICES.some((pattern) => pattern.test(String(text)));
}

/**
 * Listens to a selenium driver's BiDi `javascript` errors: `onPageError(text)`
 * for what the page threw or left rejected, `onNetworkNotice(text)` for
 * Firefox's own WebSocket diagnostics.
 */
export async function listenToFirefoxConsole(inspector, { onPageError, onNetworkNotice }) {
  await inspector.onJavascriptException((entry) => {
    if (isFirefoxNetworkNotice(entry.text)) onNetworkNotice(entry.text);
    else onPageError(entry.text);
  });
}
