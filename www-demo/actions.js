// Session actions behind the chat toolbar: transfer to an operator
// (listOperators + transferToOperator) or to a group (listGroups +
// transferToGroup), rename (renameSession takes any text, e.g.
// "Иван / VIP #1"; the package encodes it for the URL) and close
// (closeSession with an optional result). Each dialog shows a failed call's
// TwinError and stays open, so the operator can retry or cancel.
import { h, modal, showError } from './ui.js';

const STATUS_TEXT = { ACTIVE: 'active', PAUSED: 'paused', OFFLINE: 'offline' };

const fullName = (o) => [o.firstName, o.lastName].filter(Boolean).join(' ') || o.email || `#${o.id}`;

/**
 * Resolves to `{ kind: 'operator' | 'group', id, name }` once transferred,
 * or undefined when cancelled.
 * @param {import('/pkg/index.js').OperatorPanel} panel
 */
export function transferDialog(panel, session, me) {
  return modal(`Transfer “${session.name || 'chat'}”`, (close) => {
    const error = h('div', { class: 'form-error', role: 'alert', hidden: true });
    const operators = h('ul', { class: 'choices', 'aria-label': 'Operators', 'aria-busy': 'true' }, h('li', { class: 'muted', text: 'Loading…' }));
    const groups = h('ul', { class: 'choices', 'aria-label': 'Groups', 'aria-busy': 'true' }, h('li', { class: 'muted', text: 'Loading…' }));

    const run = async (button, kind, id, name) => {
      for (const b of dialogButtons()) b.disabled = true;
      button.classList.add('busy');
      showError(error, null);
      try {
        await (kind === 'operator' ? panel.transferToOperator(session.id, id) : panel.transferToGroup(session.id, id));
        close({ kind, id, name });
      } catch (e) {
        showError(error, e);
        for (const b of dialogButtons()) b.disabled = b.dataset.blocked === 'true';
        button.classList.remove('busy');
      }
    };
    const dialogButtons = () => [...operators.querySelectorAll('button'), ...groups.querySelectorAll('button')];

    panel.listOperators({ sort: 'firstName', limit: 200 }).then(({ items }) => {
      const others = items.filter((o) => String(o.id) !== String(me.id))
        .sort((a, b) => Number(!!a.blockedAt) - Number(!!b.blockedAt)); // blocked ones last
      operators.replaceChildren(...others.map((o) => {
        const blocked = !!o.blockedAt;
        const status = blocked ? 'blocked' : STATUS_TEXT[o.status] ?? String(o.status ?? '').toLowerCase();
        return h('li', {}, h('button', {
          type: 'button', class: 'choice', disabled: blocked, dataset: { operatorId: String(o.id), blocked: String(blocked) },
          onclick: (e) => run(e.currentTarget, 'operator', o.id, fullName(o)),
        },
        h('span', { class: `presence ${o.online ? 'online' : 'offline'}`, title: o.online ? 'connected' : 'not connected' }),
        h('span', { class: 'choice-name', text: fullName(o) }),
        h('span', { class: `pill ${status}`, text: status })));
      }));
      if (others.length === 0) operators.replaceChildren(h('li', { class: 'muted', text: 'No other operators.' }));
    }, (e) => {
      operators.replaceChildren();
      showError(error, e);
    }).finally(() => operators.setAttribute('aria-busy', 'false'));

    panel.listGroups({ limit: 200 }).then(({ items }) => {
      groups.replaceChildren(...items.map((g) => h('li', {}, h('button', {
        type: 'button', class: 'choice', dataset: { groupId: String(g.id) },
        onclick: (e) => run(e.currentTarget, 'group', g.id, g.name),
      },
      h('span', { class: 'choice-name', text: g.name }),
      Array.isArray(g.operatorIds) ? h('span', { class: 'muted small', text: `${g.operatorIds.length} operators` }) : null))));
      if (items.length === 0) groups.replaceChildren(h('li', { class: 'muted', text: 'No groups.' }));
    }, (e) => {
      groups.replaceChildren();
      showError(error, e);
    }).finally(() => groups.setAttribute('aria-busy', 'false'));

    return h('div', { class: 'modal-body' },
      h('h3', { text: 'To an operator' }), operators,
      h('h3', { text: 'To a group' }), groups,
      error,
      h('div', { class: 'modal-actions' }, h('button', { type: 'button', class: 'ghost', text: 'Cancel', onclick: () => close() })));
  });
}

/** Resolves to the new name, or undefined when cancelled. */
export function renameDialog(panel, session) {
  return modal('Rename chat', (close) => {
    const input = h('input', { name: 'name', value: session.name ?? '', maxlength: 200, required: true, 'aria-label': 'Name' });
    const error = h('div', { class: 'form-error', role: 'alert', hidden: true });
    const save = h('button', { type: 'submit', class: 'primary', text: 'Save' });
    const form = h('form', {
      class: 'modal-body',
      onsubmit: async (e) => {
        e.preventDefault();
        const name = input.value.trim();
        if (!name) return input.focus();
        save.disabled = true;
        try {
          await panel.renameSession(session.id, name);
          close(name);
        } catch (err) {
          showError(error, err);
          save.disabled = false;
        }
      },
    },
    h('label', {}, 'Name shown to operators', input),
    h('p', { class: 'muted small', text: 'Any text works, e.g. “Иван / VIP #1”.' }),
    error,
    h('div', { class: 'modal-actions' }, h('button', { type: 'button', class: 'ghost', text: 'Cancel', onclick: () => close() }), save));
    setTimeout(() => input.select());
    return form;
  });
}

/** Resolves to true once closed. */
export function closeDialog(panel, session) {
  return modal(`Close “${session.name || 'chat'}”?`, (close) => {
    const result = h('input', { name: 'result', placeholder: 'e.g. resolved', 'aria-label': 'Result' });
    const error = h('div', { class: 'form-error', role: 'alert', hidden: true });
    const confirm = h('button', { type: 'submit', class: 'danger', text: 'Close chat' });
    return h('form', {
      class: 'modal-body',
      onsubmit: async (e) => {
        e.preventDefault();
        confirm.disabled = true;
        try {
          await panel.closeSession(session.id, result.value.trim() || undefined);
          close(true);
        } catch (err) {
          showError(error, err);
          confirm.disabled = false;
        }
      },
    },
    h('p', { text: 'The visitor can no longer write to this session.' }),
    h('label', {}, 'Result (optional)', result),
    error,
    h('div', { class: 'modal-actions' }, h('button', { type: 'button', class: 'ghost', text: 'Cancel', onclick: () => close() }), confirm));
  });
}
