// The page's shell: the language menu, the tabs and their panels. Each view
// mounts itself into its panel; a view that fails to mount shows why, and
// the others still work.
import './style.css';
import { t, getLang, setLang, onLangChange, translate } from './i18n.js';
import { ready } from './pkg.js';
import { mountValidator } from './validate/index.js';
import { mountFeedback } from './feedback/index.js';
import { mountSettings } from './send/settings.js';
import { mountForm } from './form/index.js';

const TABS = ['validate', 'form', 'feedback', 'settings'];
const tabs = TABS.map((name) => document.getElementById(`tab-${name}`));
const panels = TABS.map((name) => document.getElementById(`panel-${name}`));

function select(index, { focus = true } = {}) {
  tabs.forEach((tab, i) => {
    const on = i === index;
    tab.setAttribute('aria-selected', String(on));
    tab.tabIndex = on ? 0 : -1;
    panels[i].hidden = !on;
  });
  if (focus) tabs[index].focus();
}

// Tabs: click to choose; arrows, Home and End move along the tab bar (one tab stop).
tabs.forEach((tab, i) => {
  tab.addEventListener('click', () => select(i, { focus: false }));
  tab.addEventListener('keydown', (e) => {
    const next = {
      ArrowRight: (i + 1) % tabs.length,
      ArrowLeft: (i - 1 + tabs.length) % tabs.length,
      Home: 0,
      End: tabs.length - 1,
    }[e.key];
    if (next === undefined) return;
    e.preventDefault();
    select(next);
  });
});

const lang = document.getElementById('lang');
lang.value = getLang();
lang.addEventListener('change', () => setLang(lang.value));
translate(document);
document.title = t('app.title');
onLangChange((l) => {
  lang.value = l;
  translate(document.querySelector('.app-header'));
  translate(document.querySelector('.tabs'));
  translate(document.querySelector('.app-footer'));
  document.querySelector('.skip-link').textContent = t('app.skip');
  document.title = t('app.title');
});

function mount(name, fn) {
  const panel = document.getElementById(`panel-${name}`);
  try {
    fn(panel);
  } catch (e) {
    console.error(`the ${name} view failed`, e);
    const p = document.createElement('p');
    p.className = 'error';
    p.setAttribute('role', 'alert');
    p.textContent = t('app.loadFailed', { message: e?.message ?? String(e) });
    panel.append(p);
  }
}

mount('validate', mountValidator);
mount('feedback', mountFeedback);
mount('settings', mountSettings);
mount('form', mountForm);

// "Open in form": the form takes the record (it listens too); the shell shows its tab.
window.addEventListener('tulorekisteri:open-in-form', () => select(TABS.indexOf('form'), { focus: false }));

ready.catch((e) => {
  const p = document.getElementById('load-error');
  p.hidden = false;
  p.textContent = t('app.loadFailed', { message: e?.message ?? String(e) });
});
