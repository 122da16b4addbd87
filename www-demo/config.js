// Where the package talks to. In a CRM you leave these options out (the
// production TWIN hosts are the defaults) or point them at your own proxy.
// This demo is served by the local sandbox, so every service lives on the
// page's own origin.
const origin = location.origin;

/** Options of `new OperatorPanel(options)`. */
export const panelOptions = {
  iamUrl: `${origin}/iam/api/v1`,
  chatUrl: `${origin}/chat/api/v1`,
  centrifugoUrl: `${origin.replace(/^http/, 'ws')}/centrifugo/connection/websocket`,
};

/** Options of `new ChatWidget(options)` (the visitor side). */
export const widgetOptions = {
  chatUrl: `${origin}/chat/api/v1`,
  socketUrl: origin,
  chatId: 'chat-web-1',
};
