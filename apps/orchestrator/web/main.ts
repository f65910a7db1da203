import { api, session } from './api.js';
import { breakPanel } from './break.js';
import { h, put } from './dom.js';
import { systemView } from './system.js';
import { transferView } from './transfer.js';
import { tryView } from './try.js';
import type { UiInfo } from '../src/ui/ui.views.js';

/** One page, three views by path; each view opens at most one live stream. */
async function main(): Promise<void> {
  const root = document.getElementById('app');
  const nav = document.getElementById('session');
  if (!root || !nav) return;
  const info = await api<UiInfo>('GET', '/ui/api/info').catch((): Partial<UiInfo> & { development: boolean } => ({
    development: false,
    topology: undefined,
  }));
  const path = location.pathname;
  for (const link of document.querySelectorAll<HTMLAnchorElement>('nav a'))
    if (link.pathname === path) link.setAttribute('aria-current', 'page');
  if (session.token) {
    put(
      nav,
      h('span', {}, session.phone ?? ''),
      ' ',
      h(
        'button',
        {
          type: 'button',
          class: 'small',
          onclick: () => {
            session.logout();
            location.assign('/ui/');
          },
        },
        'Log out',
      ),
    );
  }
  const aside = () => (info.development ? breakPanel() : null);
  const transfer = /^\/ui\/transfers\/([0-9a-fA-F-]{36})$/.exec(path);
  if (transfer) transferView(root, transfer[1].toLowerCase(), aside());
  else if (path === '/ui/system') systemView(root, aside(), info.topology ?? { commands: [], events: [] });
  else {
    tryView(root, info.development);
    if (!info.development)
      root.append(h('p', { class: 'hint' }, 'Break it and the dev outbox exist only in development (NODE_ENV development or test).'));
    else root.append(breakPanel());
  }
}

void main();
