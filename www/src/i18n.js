// The page's languages: Finnish, Swedish and English. Each view registers
// its strings with addStrings(); t() looks a key up in the chosen language,
// falling back to English, then to the key itself (a missing string shows,
// it never throws).
export const LANGS = ['fi', 'sv', 'en'];
const STORAGE_KEY = 'tulorekisteri.lang';

const strings = { fi: {}, sv: {}, en: {} };
const listeners = new Set();

function saved() {
  try {
    return localStorage.getItem(STORAGE_KEY);
  } catch {
    return null; // storage can be disabled; the default then applies
  }
}

function initial() {
  const s = saved();
  if (LANGS.includes(s)) return s;
  const nav = (typeof navigator !== 'undefined' && navigator.language || '').slice(0, 2).toLowerCase();
  return nav === 'fi' || nav === 'sv' ? nav : 'en';
}

let lang = initial();
if (typeof document !== 'undefined') document.documentElement.lang = lang;

/** Adds strings: `{en: {key: text}, fi: {...}, sv: {...}}`. */
export function addStrings(table) {
  // Each view has its own prefix; a key given twice would show one view's words in another.
  for (const l of LANGS) {
    for (const key of Object.keys(table[l] ?? {})) {
      if (key in strings[l]) throw new Error(`i18n: the string ${key} (${l}) is defined twice`);
    }
    Object.assign(strings[l], table[l] ?? {});
  }
}

/** The text of `key` in the page's language, `{name}` replaced from `params`. */
export function t(key, params = {}) {
  const text = strings[lang][key] ?? strings.en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (m, name) => (name in params ? String(params[name]) : m));
}

/** `key.one` when n is 1, else `key.other`, with `{n}` and `params`. */
export function tn(key, n, params = {}) {
  return t(`${key}.${n === 1 ? 'one' : 'other'}`, { ...params, n });
}

export function getLang() {
  return lang;
}

/** Switches the language, saves the choice, and tells every listener. */
export function setLang(next) {
  if (!LANGS.includes(next) || next === lang) return;
  lang = next;
  try {
    localStorage.setItem(STORAGE_KEY, lang);
  } catch {
    // not saved: the choice still holds for this visit
  }
  document.documentElement.lang = lang;
  for (const cb of listeners) {
    try {
      cb(lang);
    } catch (e) {
      console.error('language listener failed', e);
    }
  }
}

/** Calls `cb(lang)` after each change of language; returns an unsubscribe function. */
export function onLangChange(cb) {
  listeners.add(cb);
  return () => listeners.delete(cb);
}

/** Sets the text of every `[data-i18n]` and the aria-label of every `[data-i18n-label]` below `root`. */
export function translate(root = document) {
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll('[data-i18n-label]')) el.setAttribute('aria-label', t(el.dataset.i18nLabel));
  for (const el of root.querySelectorAll('[data-i18n-placeholder]')) el.setAttribute('placeholder', t(el.dataset.i18nPlaceholder));
  for (const el of root.querySelectorAll('[data-i18n-title]')) el.setAttribute('title', t(el.dataset.i18nTitle));
}

// The shell's own strings.
addStrings({
  en: {
    'app.skip': 'Skip to the content',
    'app.title': 'Incomes Register records',
    'app.subtitle': 'Validate, build and read records of the Finnish Incomes Register, in your browser',
    'app.lang': 'Language',
    'app.tabs': 'Views',
    'tab.validate': 'Validate',
    'tab.form': 'Form',
    'tab.feedback': 'Feedback',
    'tab.settings': 'Settings',
    'app.privacy': 'Records stay on this computer: nothing is sent anywhere unless you press Send.',
    'app.loading': 'Loading the validator…',
    'app.loadFailed': 'The validator could not be loaded: {message}',
  },
  fi: {
    'app.skip': 'Siirry sisältöön',
    'app.title': 'Tulorekisterin tietueet',
    'app.subtitle': 'Tarkista, laadi ja lue tulorekisterin tietueita selaimessa',
    'app.lang': 'Kieli',
    'app.tabs': 'Näkymät',
    'tab.validate': 'Tarkistus',
    'tab.form': 'Lomake',
    'tab.feedback': 'Palaute',
    'tab.settings': 'Asetukset',
    'app.privacy': 'Tietueet pysyvät tällä tietokoneella: mitään ei lähetetä, ellet paina Lähetä.',
    'app.loading': 'Tarkistinta ladataan…',
    'app.loadFailed': 'Tarkistinta ei voitu ladata: {message}',
  },
  sv: {
    'app.skip': 'Hoppa till innehållet',
    'app.title': 'Inkomstregistrets poster',
    'app.subtitle': 'Kontrollera, skapa och läs Inkomstregistrets poster i webbläsaren',
    'app.lang': 'Språk',
    'app.tabs': 'Vyer',
    'tab.validate': 'Kontroll',
    'tab.form': 'Formulär',
    'tab.feedback': 'Respons',
    'tab.settings': 'Inställningar',
    'app.privacy': 'Posterna stannar på den här datorn: ingenting skickas om du inte trycker på Skicka.',
    'app.loading': 'Kontrollen laddas…',
    'app.loadFailed': 'Kontrollen kunde inte laddas: {message}',
  },
});
