import { basicSetup } from 'codemirror';
import { EditorView, Decoration, keymap } from '@codemirror/view';
import type { DecorationSet } from '@codemirror/view';
import { EditorState, Prec, StateEffect, StateField } from '@codemirror/state';
import { indentWithTab } from '@codemirror/commands';
import { HighlightStyle, indentUnit, syntaxHighlighting } from '@codemirror/language';
import { python } from '@codemirror/lang-python';
import { setDiagnostics } from '@codemirror/lint';
import { tags } from '@lezer/highlight';

export interface CodeEditorOptions {
  parent: HTMLElement;
  doc: string;
  /** Id of the element that names the editor, for screen readers. */
  labelledBy: string;
  describedBy?: string;
  onChange(code: string): void;
  onSubmit(): void;
  /** Ctrl/Cmd+' : run against the samples. */
  onRun?(): void;
}

export interface CodeEditor {
  getCode(): string;
  setCode(code: string): void;
  /** Marks the line the grader blamed (1-based) and explains why. */
  markError(line: number, message: string): void;
  clearError(): void;
  goToLine(line: number): void;
  focus(): void;
  destroy(): void;
}

const setErrorLine = StateEffect.define<number | null>();

const errorLineField = StateField.define<DecorationSet>({
  create: () => Decoration.none,
  update(decorations, transaction) {
    let next = decorations.map(transaction.changes);
    for (const effect of transaction.effects) {
      if (!effect.is(setErrorLine)) continue;
      if (effect.value === null) {
        next = Decoration.none;
      } else {
        const line = transaction.state.doc.line(effect.value);
        next = Decoration.set([Decoration.line({ class: 'cm-error-line' }).range(line.from)]);
      }
    }
    return next;
  },
  provide: (field) => EditorView.decorations.from(field),
});

// Colours come from CSS variables so the same highlighting serves the light and the dark theme.
const highlightStyle = HighlightStyle.define([
  {
    tag: [tags.keyword, tags.controlKeyword, tags.definitionKeyword, tags.moduleKeyword],
    color: 'var(--code-keyword)',
  },
  { tag: [tags.string, tags.special(tags.string)], color: 'var(--code-string)' },
  { tag: [tags.number, tags.bool, tags.null], color: 'var(--code-number)' },
  { tag: tags.comment, color: 'var(--code-comment)', fontStyle: 'italic' },
  {
    tag: [tags.function(tags.definition(tags.variableName)), tags.function(tags.variableName)],
    color: 'var(--code-function)',
  },
  { tag: [tags.className, tags.definition(tags.className)], color: 'var(--code-class)' },
  { tag: [tags.operator, tags.punctuation], color: 'var(--code-operator)' },
  { tag: tags.self, color: 'var(--code-keyword)' },
  { tag: tags.invalid, color: 'var(--code-invalid)' },
]);

const editorTheme = EditorView.theme({
  '&': {
    backgroundColor: 'var(--color-surface)',
    color: 'var(--color-fg)',
    fontSize: '0.95rem',
    border: '1px solid var(--color-line)',
    borderRadius: '0.5rem',
    minHeight: '16rem',
  },
  '&.cm-focused': { outline: '3px solid var(--color-focus)', outlineOffset: '2px' },
  '.cm-scroller': { fontFamily: 'var(--font-mono)', lineHeight: '1.6', minHeight: '16rem' },
  '.cm-content': { caretColor: 'var(--color-fg)', padding: '0.5rem 0' },
  '.cm-cursor, .cm-dropCursor': { borderLeftColor: 'var(--color-fg)', borderLeftWidth: '2px' },
  '.cm-gutters': {
    backgroundColor: 'var(--color-sunken)',
    color: 'var(--color-muted)',
    borderRight: '1px solid var(--color-line)',
    borderTopLeftRadius: '0.5rem',
    borderBottomLeftRadius: '0.5rem',
  },
  '.cm-activeLine': { backgroundColor: 'var(--code-active-line)' },
  '.cm-activeLineGutter': { backgroundColor: 'var(--code-active-line)', color: 'var(--color-fg)' },
  '&.cm-focused > .cm-scroller > .cm-selectionLayer .cm-selectionBackground, .cm-selectionBackground, .cm-content ::selection':
    { backgroundColor: 'var(--code-selection)' },
  '&.cm-focused .cm-matchingBracket': {
    backgroundColor: 'var(--code-selection)',
    outline: '1px solid var(--color-muted)',
  },
  '.cm-line.cm-error-line, .cm-activeLine.cm-error-line': {
    backgroundColor: 'var(--code-error-line)',
  },
  '.cm-tooltip': {
    backgroundColor: 'var(--color-surface)',
    color: 'var(--color-fg)',
    border: '1px solid var(--color-line)',
  },
  '.cm-panels': { backgroundColor: 'var(--color-sunken)', color: 'var(--color-fg)' },
});

export function createCodeEditor(options: CodeEditorOptions): CodeEditor {
  const lineCount = (view: EditorView) => view.state.doc.lines;
  const clampLine = (view: EditorView, line: number) =>
    Math.min(Math.max(1, Math.floor(line)), lineCount(view));

  const view = new EditorView({
    parent: options.parent,
    state: EditorState.create({
      doc: options.doc,
      extensions: [
        Prec.highest(
          keymap.of([
            {
              key: 'Mod-Enter',
              preventDefault: true,
              run: () => {
                options.onSubmit();
                return true;
              },
            },
            {
              key: "Mod-'",
              preventDefault: true,
              run: () => {
                options.onRun?.();
                return true;
              },
            },
          ]),
        ),
        basicSetup,
        keymap.of([indentWithTab]),
        indentUnit.of('    '),
        EditorState.tabSize.of(4),
        python(),
        syntaxHighlighting(highlightStyle),
        editorTheme,
        // A long line wraps at the editor's edge instead of widening it: on a phone the page would
        // scroll sideways and the end of the line be out of sight.
        EditorView.lineWrapping,
        errorLineField,
        EditorView.contentAttributes.of({
          'aria-labelledby': options.labelledBy,
          ...(options.describedBy ? { 'aria-describedby': options.describedBy } : {}),
          spellcheck: 'false',
          autocapitalize: 'off',
          autocorrect: 'off',
        }),
        EditorView.updateListener.of((update) => {
          if (update.docChanged) options.onChange(update.state.doc.toString());
        }),
      ],
    }),
  });

  const goToLine = (line: number) => {
    const target = view.state.doc.line(clampLine(view, line));
    view.dispatch({
      selection: { anchor: target.from },
      effects: EditorView.scrollIntoView(target.from, { y: 'center' }),
    });
    view.focus();
  };

  return {
    getCode: () => view.state.doc.toString(),
    setCode: (code) =>
      view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: code } }),
    markError: (line, message) => {
      const target = view.state.doc.line(clampLine(view, line));
      view.dispatch(
        setDiagnostics(view.state, [
          { from: target.from, to: target.to, severity: 'error', message },
        ]),
        {
          effects: [
            setErrorLine.of(target.number),
            EditorView.scrollIntoView(target.from, { y: 'center' }),
          ],
        },
      );
    },
    clearError: () => {
      view.dispatch(setDiagnostics(view.state, []), { effects: setErrorLine.of(null) });
    },
    goToLine,
    focus: () => view.focus(),
    destroy: () => view.destroy(),
  };
}
