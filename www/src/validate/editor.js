// The record editor: CodeMirror 6 with line numbers, XML highlighting and
// the problems as lint marks. For a large file it shows, read-only, an
// excerpt whose gutter numbers the file's real lines.
import { EditorState, Compartment, Annotation } from '@codemirror/state';
import {
  EditorView, keymap, lineNumbers, highlightActiveLine, highlightActiveLineGutter,
  drawSelection, highlightSpecialChars,
} from '@codemirror/view';
import { defaultKeymap, history, historyKeymap } from '@codemirror/commands';
import { xml } from '@codemirror/lang-xml';
import { syntaxHighlighting, defaultHighlightStyle, bracketMatching, indentOnInput } from '@codemirror/language';
import { searchKeymap, highlightSelectionMatches } from '@codemirror/search';
import { setDiagnostics, lintGutter, lintKeymap } from '@codemirror/lint';

/** Marks the changes the page makes itself (loading a file), which are not edits. */
const loaded = Annotation.define();

/** At most this many lint marks: more would slow the editor and help no one. */
const MAX_MARKS = 2000;

export function createEditor(parent, { onEdit, label }) {
  const numbering = new Compartment();
  const editable = new Compartment();
  const labelling = new Compartment();
  let firstLine = 1; // the real line number of the editor's line 1

  const gutter = (first) => lineNumbers({ formatNumber: (n) => String(n + first - 1) });
  const attrs = (text) => EditorView.contentAttributes.of({ 'aria-label': text, 'aria-multiline': 'true' });

  const view = new EditorView({
    parent,
    state: EditorState.create({
      doc: '',
      extensions: [
        numbering.of(gutter(1)),
        highlightActiveLineGutter(),
        highlightSpecialChars(),
        history(),
        drawSelection(),
        indentOnInput(),
        bracketMatching(),
        highlightActiveLine(),
        highlightSelectionMatches(),
        syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
        xml(),
        lintGutter(),
        // No Tab binding: Tab leaves the editor, as everywhere else on the page.
        keymap.of([...defaultKeymap, ...historyKeymap, ...searchKeymap, ...lintKeymap]),
        editable.of([]),
        labelling.of(attrs(label)),
        EditorView.updateListener.of((u) => {
          if (u.docChanged && !u.transactions.some((tr) => tr.annotation(loaded))) onEdit(performance.now());
        }),
      ],
    }),
  });

  function toPos(line, column) {
    const local = line - firstLine + 1;
    if (local < 1 || local > view.state.doc.lines) return null;
    const l = view.state.doc.line(local);
    return Math.min(l.from + Math.max(column - 1, 0), l.to);
  }

  return {
    view,
    /** The document, for a validation of the editor's text. */
    text: () => view.state.doc.toString(),
    /** The real line of the editor's first line (1 unless an excerpt). */
    get firstLine() {
      return firstLine;
    },
    /**
     * Replaces the content; `first` is the real number of its first line and
     * `readOnly` makes it an excerpt that cannot be edited.
     */
    load(text, { first = 1, readOnly = false } = {}) {
      firstLine = first;
      view.dispatch({
        changes: { from: 0, to: view.state.doc.length, insert: text },
        selection: { anchor: 0 },
        effects: [
          numbering.reconfigure(gutter(first)),
          editable.reconfigure(readOnly ? [EditorState.readOnly.of(true)] : []),
        ],
        annotations: loaded.of(true),
      });
    },
    setLabel(text) {
      view.dispatch({ effects: labelling.reconfigure(attrs(text)) });
    },
    /** Shows `problems` (with real line numbers) as lint marks; those outside the content are left out. */
    mark(problems) {
      const diagnostics = [];
      for (const p of problems) {
        if (diagnostics.length >= MAX_MARKS) break;
        const from = toPos(p.line, p.column);
        if (from === null) continue;
        const line = view.state.doc.lineAt(from);
        // Mark from the column to the end of the word, at least one character.
        const rest = view.state.doc.sliceString(from, line.to);
        const word = /^(<\/?[^\s>]*>?|[^\s<>]+)/.exec(rest)?.[0].length || (rest.length ? 1 : 0);
        diagnostics.push({
          from,
          to: from + word,
          severity: p.severity === 'warning' ? 'warning' : 'error',
          message: `${p.code}: ${p.message}`,
        });
      }
      view.dispatch(setDiagnostics(view.state, diagnostics));
    },
    /** Puts the cursor at a real line and column, scrolls there and focuses the editor; false if not shown. */
    goTo(line, column) {
      const pos = toPos(line, column);
      if (pos === null) return false;
      view.dispatch({ selection: { anchor: pos }, effects: EditorView.scrollIntoView(pos, { y: 'center' }) });
      view.focus();
      return true;
    },
  };
}
