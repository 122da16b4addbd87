// A raw log of everything the panel emits, for developers: the `event`
// catch-all receives every publication as { event, data }, including event
// names this version of the package does not know yet; the lifecycle events
// (connecting, connected, disconnected, resync, error, tokenRefreshed) are
// logged too. Tokens are never shown. A long payload shows its first lines
// and a button that unfolds the rest.
import { $, h, errorText } from './ui.js';

const LIMIT = 100;
const PREVIEW_LINES = 12; // demo.css clips `.event pre.clipped` at the same count

export class EventLog {
  /** @param {import('/pkg/index.js').OperatorPanel} panel */
  constructor(panel) {
    this.list = $('#events');
    this.pane = $('#events-pane');
    this.toggle = $('#events-toggle');
    this.badge = $('#events-unseen');
    this.unseen = 0;

    panel.on('event', ({ event, data }) => this.add(event ?? '(no name)', data));
    panel.on('connecting', (e) => this.add('connecting', e, 'life'));
    panel.on('connected', (e) => this.add('connected', e, 'life'));
    panel.on('disconnected', (e) => this.add('disconnected', e, 'life'));
    panel.on('resync', (e) => this.add('resync', e, 'warn'));
    panel.on('error', (e) => this.add('error', { code: e.code, status: e.status, message: errorText(e) }, 'warn'));
    panel.on('tokenRefreshed', ({ expiresAt }) => this.add('tokenRefreshed', { expiresAt: new Date(expiresAt).toISOString() }, 'life'));

    this.toggle.addEventListener('click', () => this.show(this.pane.hidden));
    $('#events-close').addEventListener('click', () => this.show(false));
    $('#events-clear').addEventListener('click', () => this.list.replaceChildren());
  }

  show(open) {
    this.pane.hidden = !open;
    this.toggle.setAttribute('aria-expanded', String(open));
    document.getElementById('workspace').classList.toggle('events-open', open);
    if (open) this.unseen = 0;
    this.showUnseen();
  }

  showUnseen() {
    this.badge.textContent = this.unseen ? String(this.unseen) : '';
    this.badge.hidden = this.unseen === 0;
    this.toggle.title = this.unseen ? `Live events (${this.unseen} new)` : 'Live events';
  }

  add(name, data, kind = 'pub') {
    const text = JSON.stringify(data, null, 2) ?? String(data);
    const lines = text.split('\n').length;
    const long = lines > PREVIEW_LINES;
    const pre = h('pre', { class: long ? 'clipped' : null, text });
    const more = long
      ? h('button', {
        type: 'button', class: 'link event-more', text: `Show all ${lines} lines`,
        onclick: (e) => {
          const clipped = pre.classList.toggle('clipped');
          e.currentTarget.textContent = clipped ? `Show all ${lines} lines` : 'Show less';
        },
      })
      : null;
    const item = h('li', { class: `event ${kind}` },
      h('div', { class: 'event-head' },
        h('span', { class: 'event-name', text: name }),
        h('time', { text: new Date().toLocaleTimeString() })),
      pre, more);
    this.list.prepend(item);
    while (this.list.children.length > LIMIT) this.list.lastChild.remove();
    if (this.pane.hidden) {
      this.unseen = Math.min(this.unseen + 1, 99);
      this.showUnseen();
    }
  }
}
