// The submission service's address (kept in localStorage, on this computer
// only) and token (in sessionStorage: forgotten when the tab closes, so a
// shared computer does not keep it), changed in the Settings panel.
import { translate, onLangChange } from '../i18n.js';
import './strings.js';

const URL_KEY = 'tulorekisteri.shim.url';
const TOKEN_KEY = 'tulorekisteri.shim.token';
const listeners = new Set();

const storeOf = (key) => (key === TOKEN_KEY ? sessionStorage : localStorage);

function read(key) {
  try {
    return storeOf(key).getItem(key) ?? '';
  } catch {
    return '';
  }
}

const current = { url: read(URL_KEY), token: read(TOKEN_KEY) };

/** `{url, token}`; the url without a trailing slash. */
export function getSettings() {
  return { url: current.url.trim().replace(/\/+$/, ''), token: current.token.trim() };
}

export function onSettingsChange(cb) {
  listeners.add(cb);
}

function set(key, field, value) {
  current[field] = value;
  try {
    storeOf(key).setItem(key, value);
  } catch {
    // not kept: it still holds for this visit
  }
  for (const cb of listeners) cb(getSettings());
}

const TEMPLATE = `
  <h2 data-i18n="s.heading"></h2>
  <p class="lead" data-i18n="s.intro"></p>
  <form class="settings-grid" autocomplete="off">
    <label for="shim-url" data-i18n="s.url"></label>
    <input id="shim-url" type="url" inputmode="url" autocomplete="off" spellcheck="false" placeholder="http://127.0.0.1:8080" aria-describedby="shim-url-help">
    <p id="shim-url-help" class="help" data-i18n="s.urlHelp"></p>
    <label for="shim-token" data-i18n="s.token"></label>
    <input id="shim-token" type="password" autocomplete="off" spellcheck="false" aria-describedby="shim-token-help">
    <p id="shim-token-help" class="help" data-i18n="s.tokenHelp"></p>
  </form>
  <p class="help" data-i18n="s.origin"></p>
  <p class="help"><code class="origin"></code></p>
`;

export function mountSettings(panel) {
  panel.innerHTML = TEMPLATE;
  translate(panel);
  const url = panel.querySelector('#shim-url');
  const token = panel.querySelector('#shim-token');
  panel.querySelector('form').addEventListener('submit', (e) => e.preventDefault());
  url.value = current.url;
  token.value = current.token;
  // 'input' as well as 'change': the value counts as soon as it is typed.
  for (const ev of ['input', 'change']) {
    url.addEventListener(ev, () => set(URL_KEY, 'url', url.value));
    token.addEventListener(ev, () => set(TOKEN_KEY, 'token', token.value));
  }
  panel.querySelector('.origin').textContent = `allowed_origins = ["${location.origin}"]`;
  onLangChange(() => translate(panel));
}
