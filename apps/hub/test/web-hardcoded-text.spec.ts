import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import * as ts from 'typescript';

/**
 * Keeps the web app's screens translatable: every word a reader sees must come from the catalogues
 * (apps/web/src/i18n/locales), never from the component. The TypeScript compiler parses each .tsx file of
 * apps/web/src and this test fails on
 *   - JSX text with letters (`<h1>Users</h1>`),
 *   - a literal with letters given to a prop the reader sees or hears (label, legend, placeholder, title, alt,
 *     aria-label…: `<Field label="Email">`, `aria-label={`Active: ${email}`}`),
 *   - a literal with letters shown as a child (`{busy ? 'Sending…' : 'Send'}`, `{name || 'none'}`),
 *   - a literal with letters handed to confirm / alert / prompt, usePageTitle or a setError / setMessage setter.
 * Codes and abbreviations that read the same in every language are allowed below (ALLOWED).
 */

const WEB = join(__dirname, '../../web/src');

/** Words that are the same in English and French (abbreviations, file types, examples of codes). */
const ALLOWED = new Set(['PDF', 'CSV', 'BGD']);

/** Props whose value a reader sees or a screen reader says. */
const VISIBLE_PROPS = new Set(['label', 'legend', 'placeholder', 'title', 'alt', 'aria-label', 'aria-description', 'aria-valuetext', 'aria-roledescription', 'question', 'yes', 'no', 'action']);

/** Calls whose string argument ends up on the screen. */
const VISIBLE_CALLS = /^(window\.)?(confirm|alert|prompt)$|^usePageTitle$|^set(Error|Message|Notice|Status|Problem)\w*$/;

export interface Finding {
  line: number;
  kind: string;
  text: string;
}

const hasWords = (s: string) => /\p{L}{2,}/u.test(s) && !ALLOWED.has(s.trim());

/** The literals with words an expression shows: itself, or either branch of a ?:, ||, ?? or +, or the right of &&. */
function shownLiterals(e: ts.Expression | undefined, out: ts.Node[]): void {
  if (!e) return;
  if (ts.isStringLiteral(e) || ts.isNoSubstitutionTemplateLiteral(e)) {
    if (hasWords(e.text)) out.push(e);
  } else if (ts.isTemplateExpression(e)) {
    if (hasWords(e.head.text) || e.templateSpans.some((s) => hasWords(s.literal.text))) out.push(e);
  } else if (ts.isParenthesizedExpression(e)) {
    shownLiterals(e.expression, out);
  } else if (ts.isConditionalExpression(e)) {
    shownLiterals(e.whenTrue, out);
    shownLiterals(e.whenFalse, out);
  } else if (ts.isBinaryExpression(e)) {
    const op = e.operatorToken.kind;
    if (op === ts.SyntaxKind.BarBarToken || op === ts.SyntaxKind.QuestionQuestionToken || op === ts.SyntaxKind.PlusToken) {
      shownLiterals(e.left, out);
      shownLiterals(e.right, out);
    } else if (op === ts.SyntaxKind.AmpersandAmpersandToken) {
      shownLiterals(e.right, out);
    }
  }
}

/** Hard-coded words in one TSX source. */
export function hardCodedText(source: string, fileName = 'component.tsx'): Finding[] {
  const sf = ts.createSourceFile(fileName, source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TSX);
  const found: Finding[] = [];
  const add = (node: ts.Node, kind: string, text: string) =>
    found.push({ line: sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1, kind, text: text.replace(/\s+/g, ' ').trim() });
  const visit = (node: ts.Node) => {
    if (ts.isJsxText(node) && hasWords(node.text)) add(node, 'JSX text', node.text);
    if (ts.isJsxAttribute(node) && node.initializer && VISIBLE_PROPS.has(node.name.getText(sf))) {
      const literals: ts.Node[] = [];
      const init = node.initializer;
      if (ts.isStringLiteral(init)) shownLiterals(init, literals);
      else if (ts.isJsxExpression(init)) shownLiterals(init.expression, literals);
      for (const l of literals) add(l, `${node.name.getText(sf)}=`, l.getText(sf));
    }
    if (ts.isJsxExpression(node) && !ts.isJsxAttribute(node.parent)) {
      const literals: ts.Node[] = [];
      shownLiterals(node.expression, literals);
      for (const l of literals) add(l, 'shown literal', l.getText(sf));
    }
    if (ts.isCallExpression(node) && VISIBLE_CALLS.test(node.expression.getText(sf))) {
      const literals: ts.Node[] = [];
      for (const a of node.arguments) shownLiterals(a, literals);
      for (const l of literals) add(l, `${node.expression.getText(sf)}()`, l.getText(sf));
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found;
}

function components(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'locales' ? [] : components(path);
    return name.endsWith('.tsx') ? [path] : [];
  });
}

describe('web app: no hard-coded English in the screens', () => {
  it('finds the kinds of hard-coded text it guards against (so it can fail)', () => {
    const sample = `
      export function Sample({ busy, name, n }: { busy: boolean; name?: string; n: number }) {
        usePageTitle('Users');
        if (!window.confirm('Delete it?')) return null;
        setError('Could not save');
        return (
          <form aria-label="New user">
            <h1>Users</h1>
            <Field label="Email">{(id) => <input id={id} placeholder="name or email" />}</Field>
            <p>{busy ? 'Sending…' : t('send')}</p>
            <p>{name || 'none'}</p>
            <span aria-label={\`Option \${n}\`}>{t('ok')}</span>
            <span className="tag">PDF</span> {' · '} {n}%
          </form>
        );
      }`;
    expect(hardCodedText(sample).map((f) => `${f.kind} ${f.text}`)).toEqual([
      "usePageTitle() 'Users'",
      "window.confirm() 'Delete it?'",
      "setError() 'Could not save'",
      'aria-label= "New user"',
      'JSX text Users',
      'label= "Email"',
      'placeholder= "name or email"',
      "shown literal 'Sending…'",
      "shown literal 'none'",
      'aria-label= `Option ${n}`',
    ]);
    // The translated form of the same screen passes.
    const translated = `
      export function Sample({ busy }: { busy: boolean }) {
        usePageTitle(t('admin.users.title'));
        return <form aria-label={t('admin.users.newUser')}><h1>{t('admin.users.title')}</h1><p>{busy ? t('a') : t('b')}</p><code>{'{'}</code></form>;
      }`;
    expect(hardCodedText(translated)).toEqual([]);
  });

  it('every .tsx file of apps/web/src takes its words from the catalogues', () => {
    const files = components(WEB);
    expect(files.length).toBeGreaterThan(40);
    const found = files.flatMap((file) => hardCodedText(readFileSync(file, 'utf8'), file).map((f) => `${relative(WEB, file)}:${f.line} ${f.kind} ${f.text}`));
    expect(found).toEqual([]);
  });
});
