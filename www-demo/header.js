// The top bar: who is logged in (me()), the live connection state from the
// `connecting` / `connected` / `disconnected` events, this tab's part in the
// connection its tabs share (`panel.sharing` and the `sharing` event:
// "leader" holds the socket, "shared by N tabs" follows it; nothing when the
// tab does not share), and the operator's availability: activate() lets new
// chats reach the operator, pause() stops them. The starting status comes
// from listOperators({ userId }).
import { $, errorText, toast } from './ui.js';

export class Header {
  /** @param {import('/pkg/index.js').OperatorPanel} panel */
  constructor(panel, { onLogout }) {
    this.panel = panel;
    this.status = null;
    this.toggle = $('#status-toggle');
    this.badge = $('#state');
    this.sharingBadge = $('#sharing');

    // The badge follows the events; `panel.state` holds the same value.
    panel.on('connecting', () => this.showState('connecting'));
    panel.on('connected', () => this.showState('connected'));
    panel.on('disconnected', ({ reconnect }) => this.showState(reconnect ? 'connecting' : 'disconnected'));
    // One WebSocket per operator per browser: which tab holds it.
    panel.on('sharing', (sharing) => this.showSharing(sharing));
    this.showSharing(panel.sharing);

    this.toggle.addEventListener('click', () => this.setStatus(this.status === 'ACTIVE' ? 'PAUSED' : 'ACTIVE'));
    $('#logout').addEventListener('click', () => onLogout());
  }

  showState(state) {
    this.badge.textContent = state;
    this.badge.className = `badge ${state}`;
  }

  /** @param {{ role: 'leader' | 'follower' | 'off', tabs: number } | undefined} sharing */
  showSharing(sharing) {
    const shared = sharing?.role === 'leader' || sharing?.role === 'follower';
    this.sharingBadge.hidden = !shared;
    this.sharingBadge.dataset.role = shared ? sharing.role : '';
    if (!shared) {
      this.sharingBadge.textContent = '';
      return;
    }
    const tabs = sharing.tabs === 1 ? '1 tab' : `${sharing.tabs} tabs`;
    this.sharingBadge.textContent = sharing.role === 'leader' ? 'leader' : `shared by ${tabs}`;
    this.sharingBadge.title = sharing.role === 'leader'
      ? `This tab holds the live connection for ${tabs} of this browser.`
      : `Another tab holds the live connection; ${tabs} share it.`;
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
