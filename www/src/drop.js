// Dropping a file anywhere on a panel opens it: the panel is marked
// `dropping` while a file is dragged over it.
export function onFileDrop(panel, open) {
  panel.addEventListener('dragover', (e) => {
    if (![...(e.dataTransfer?.types ?? [])].includes('Files')) return;
    e.preventDefault();
    panel.classList.add('dropping');
  });
  panel.addEventListener('dragleave', (e) => {
    if (!panel.contains(e.relatedTarget)) panel.classList.remove('dropping');
  });
  panel.addEventListener('drop', (e) => {
    const file = e.dataTransfer?.files?.[0];
    panel.classList.remove('dropping');
    if (!file) return;
    e.preventDefault();
    open(file);
  });
}
