// Small DOM helpers shared by the demo modules. Nothing here is specific to
// twin-panel except errorText(), which shows how to read a TwinError:
// `code` is stable and machine-readable, `message` is for people, `status`
// is the HTTP status (0 when there was none) and `details` the server's own.
//
// Both pages use this module, and each loads one entry of the package: the
// operator page twin-panel, the visitor page twin-panel/widget. So the page
// hands in the TwinError of its own entry (useTwinError) instead of this
// module importing one entry for both: the visitor page never downloads the
// panel. Either entry's class answers `instanceof` for either entry's errors.
let TwinError = null;

/** The TwinError class errorText() and showError() recognize (from the page's entry). */
export function useTwinError(twinError) {
  TwinError = twinError;
}

const isTwinError = (error) => TwinError !== null && error instanceof TwinError;

export const $ = (selector, root = document) => root.querySelector(selector);

/** h('button', { class: 'x', onclick }, 'text', child) builds an element. */
export function h(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props ?? {})) {
    if (value == null || value === false) continue;
    if (key === 'class') node.className = value;
    else if (key === 'text') node.textContent = value;
    else if (key === 'dataset') Object.assign(node.dataset, value);
    else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? '' : String(value));
  }
  node.append(...children.flat().filter((child) => child != null && child !== false));
  return node;
}

/** A one-line, human-readable description of any rejection. */
export function errorText(error) {
  if (isTwinError(error)) {
    const where = error.status ? `HTTP ${error.status}, ` : '';
    let text = `${error.message} (${where}${error.code})`;
    if (error.details && typeof error.details === 'object') {
      const parts = Object.entries(error.details).map(([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`);
      if (parts.length) text += ` — ${parts.join(', ')}`;
    }
    return text;
  }
  return error?.message ?? String(error);
}

/** Shows a TwinError in `box` as a code chip plus the message. */
export function showError(box, error) {
  box.replaceChildren();
  if (error == null) {
    box.hidden = true;
    return;
  }
  if (isTwinError(error)) box.append(h('code', { class: 'error-code', text: error.code }), ' ');
  box.append(isTwinError(error) ? errorText(error).replace(/ \([^)]*\)/, '') : errorText(error));
  box.hidden = false;
}

/**
 * A short notification; kind is '', 'ok' or 'warn'. It shows in the corner
 * of a visible element marked `data-toast-host="<rank>"` (lowest rank
 * first: the message area, the empty chat pane, the list), so it never
 * covers a notice bar, the composer or the events pane; without one, in
 * the page's corner.
 */
export function toast(text, kind = '') {
  const node = h('div', { class: `toast ${kind}`, role: 'status', text });
  const box = document.getElementById('toasts');
  const host = [...document.querySelectorAll('[data-toast-host]')]
    .filter((el) => el.getClientRects().length > 0) // shown
    .sort((a, b) => Number(a.dataset.toastHost) - Number(b.dataset.toastHost))[0];
  if (host && box.parentElement !== host) host.append(box);
  else if (!host && box.parentElement !== document.body) document.body.append(box);
  box.append(node);
  while (box.children.length > 3) box.firstChild.remove();
  setTimeout(() => node.classList.add('leaving'), 4500);
  setTimeout(() => node.remove(), 5000);
}

/**
 * A banner under the top bar. Returns the element; `dismissable` adds a
 * close button. `id` replaces an earlier banner with the same id.
 */
export function banner(text, { kind = 'info', id, dismissable = true } = {}) {
  const box = document.getElementById('banners');
  if (id) document.getElementById(id)?.remove();
  const node = h('div', { class: `banner ${kind}`, id, role: kind === 'error' ? 'alert' : 'status' },
    h('span', { class: 'banner-text', text }));
  if (dismissable) {
    node.append(h('button', {
      type: 'button', class: 'ghost banner-close', title: 'Dismiss', 'aria-label': 'Dismiss',
      onclick: () => node.remove(), text: '×',
    }));
  }
  box.append(node);
  return node;
}

export function clearBanners() {
  document.getElementById('banners').replaceChildren();
}

/** Link schemes an attachment may use; anything else (javascript:, data:) is dropped. */
const SAFE_SCHEMES = new Set(['http:', 'https:', 'blob:']);

/**
 * `url` as an absolute http(s) or blob URL, or null. Attachment links come
 * from the server and other users, so they go into `href` / `src` only
 * through this check.
 */
export function safeUrl(url) {
  if (typeof url !== 'string' || url.trim() === '') return null;
  try {
    const parsed = new URL(url, location.href);
    return SAFE_SCHEMES.has(parsed.protocol) ? parsed.href : null;
  } catch {
    return null;
  }
}

const sameDay = (a, b) => a.toDateString() === b.toDateString();

/** "14:05", or "24 Nov, 14:05" when not today. */
export function timeLabel(iso) {
  if (!iso) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  const time = date.toLocaleTimeString([], { hour: 'numeric', minute: '2-digit' });
  if (sameDay(date, new Date())) return time;
  return `${date.toLocaleDateString([], { day: 'numeric', month: 'short' })}, ${time}`;
}

/** "Today", "Yesterday" or the date, for the day separators of a chat. */
export function dayLabel(iso) {
  const date = new Date(iso);
  if (sameDay(date, new Date())) return 'Today';
  if (sameDay(date, new Date(Date.now() - 86_400_000))) return 'Yesterday';
  return date.toLocaleDateString([], { day: 'numeric', month: 'long', year: 'numeric' });
}

/** "АС" for "Анна Смирнова". */
export function initials(name) {
  const words = String(name ?? '').trim().split(/\s+/).filter((w) => /\p{L}|\p{N}/u.test(w));
  return (words.slice(0, 2).map((w) => [...w.replace(/^[^\p{L}\p{N}]+/u, '')][0] ?? '').join('') || '?').toUpperCase();
}

/** A stable pastel colour per id, for avatars. */
export function hue(id) {
  let n = 0;
  for (const ch of String(id)) n = (n * 31 + ch.codePointAt(0)) % 360;
  return n;
}

export function avatar(name, id, online) {
  const node = h('span', { class: 'avatar', style: `--hue:${hue(id)}`, 'aria-hidden': 'true' }, initials(name));
  if (online != null) node.append(h('span', { class: `presence ${online ? 'online' : 'offline'}` }));
  return node;
}

/** Is the session's client online, from its clientOnlineAt / clientOfflineAt. */
export function clientOnline(session) {
  const on = Date.parse(session.clientOnlineAt ?? '') || 0;
  const off = Date.parse(session.clientOfflineAt ?? '') || 0;
  return on > 0 && on >= off && session.status !== 'CLOSED';
}

export function formatSize(bytes) {
  if (!Number.isFinite(bytes)) return '';
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** Opens a modal <dialog> built by `build(close)`; resolves with close()'s value. */
export function modal(title, build) {
  return new Promise((resolve) => {
    const dialog = h('dialog', { class: 'modal', 'aria-label': title });
    const close = (value) => {
      dialog.close();
      dialog.remove();
      resolve(value);
    };
    dialog.addEventListener('cancel', (e) => {
      e.preventDefault();
      close(undefined);
    });
    dialog.append(h('h2', { text: title }), build(close));
    document.body.append(dialog);
    dialog.showModal();
  });
}

/** A message's attachment: an image preview or a file link (only http(s) and blob URLs). */
export function attachment(a) {
  const name = a.name || [a.baseName, a.extension].filter(Boolean).join('.') || 'file';
  const url = safeUrl(a.url);
  const download = safeUrl(a.downloadLink);
  const href = url ?? download;
  if (href && /^image\//.test(a.contentType ?? '')) {
    return h('a', { class: 'attachment image', href, target: '_blank', rel: 'noopener' }, h('img', { src: href, alt: name, loading: 'lazy' }));
  }
  const clip = h('span', { class: 'clip', 'aria-hidden': 'true' });
  clip.innerHTML = '<svg viewBox="0 0 24 24"><path d="M8 12l6-6a3 3 0 014 4l-8 8a5 5 0 01-7-7l7-7"/></svg>';
  return h('a', { class: 'attachment file', href: download ?? url, target: '_blank', rel: 'noopener' },
    clip, h('span', { text: name }), a.size != null ? h('span', { class: 'muted', text: formatSize(a.size) }) : null);
}
