// The top bar: who is logged in (me()), the live connection state from the
// `connecting` / `connected` / `disconnected` events, and the operator's
// availability: activate() lets new chats reach the operator, pause() stops
// them. The starting status comes from listOperators({ userId }).
import { $, errorText, toast } from './ui.js';

export class Header {
  /** @param {import('/pkg/index.js').OperatorPanel} panel */
  constructor(panel, { onLogout }) {
    this.panel = panel;
    this.status = null;
    this.toggle = $('#status-toggle');
    this.badge = $('#state');

    // The badge follows the events; `panel.state` holds the same value.
    panel.on('connecting', () => this.showState('connecting'));
    panel.on('connected', () => this.showState('connected'));
    panel.on('disconnected', ({ reconnect }) => this.showState(reconnect ? 'connecting' : 'disconnected'));

    this.toggle.addEventListener('click', () => this.setStatus(this.status === 'ACTIVE' ? 'PAUSED' : 'ACTIVE'));
    $('#logout').addEventListener('click', () => onLogout());
  }

  showState(state) {
    this.badge.textContent = state;
    this.badge.className = `badge ${state}`;
  }

  async show(me) {
    $('#operator-name').textContent = [me.firstName, me.lastName].filter(Boolean).join(' ') || me.email;
    $('#operator-name').title = `${me.email ?? ''} (#${me.id})`;
    $('#operator').hidden = false;
    $('#topbar-actions').hidden = false;
    this.showStatus(null);
    try {
      const { items } = await this.panel.listOperators({ userId: me.id });
      this.showStatus(items.find((o) => String(o.id) === String(me.id))?.status ?? null);
    } catch (error) {
      toast(`Could not read your status: ${errorText(error)}`, 'warn');
    }
  }

  hide() {
    $('#operator').hidden = true;
    $('#topbar-actions').hidden = true;
    this.showState(this.panel.state);
  }

  showStatus(status) {
    this.status = status;
    const active = status === 'ACTIVE';
    this.toggle.dataset.status = status ?? '';
    this.toggle.setAttribute('aria-pressed', String(active));
    this.toggle.querySelector('.status-label').textContent = status == null ? '…' : active ? 'Active' : status === 'PAUSED' ? 'Paused' : 'Offline';
    this.toggle.title = active ? 'You receive new chats. Click to pause.' : 'New chats do not reach you. Click to become active.';
  }

  async setStatus(status) {
    this.toggle.disabled = true;
    try {
      await (status === 'ACTIVE' ? this.panel.activate() : this.panel.pause());
      this.showStatus(status);
    } catch (error) {
      toast(`Could not change your status: ${errorText(error)}`, 'warn');
    } finally {
      this.toggle.disabled = false;
    }
  }
}
