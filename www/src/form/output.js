// What the form makes: the XML shown, copied and downloaded as <DeliveryId>.xml.
import { t } from '../i18n.js';

/** A file name from a DeliveryId: letters, digits, dot, dash and underscore kept. */
export function fileName(deliveryId) {
  const base = String(deliveryId ?? '').trim().replace(/[^\p{L}\p{N}._-]+/gu, '_').replace(/^[._]+/, '').slice(0, 100);
  return `${base || 'record'}.xml`;
}

/** Starts the download of `xml` as `name`. */
export function download(xml, name) {
  const url = URL.createObjectURL(new Blob([xml], { type: 'application/xml' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.hidden = true;
  document.body.append(a);
  a.click();
  a.remove();
  // The download has its copy by then; the URL need not live on.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Copies `text` to the clipboard; resolves to a message for the status line. */
export async function copy(text, pre) {
  try {
    await navigator.clipboard.writeText(text);
    return t('form.copied');
  } catch {
    // No clipboard permission (or no secure context): select it for Ctrl+C instead.
    const range = document.createRange();
    range.selectNodeContents(pre);
    const sel = window.getSelection();
    sel.removeAllRanges();
    sel.addRange(range);
    return t('form.copySelect');
  }
}
