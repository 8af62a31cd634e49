import { useMemo } from 'react';
import { marked } from 'marked';
import DOMPurify from 'dompurify';

/**
 * Lesson text written by trainers, as markdown: rendered with marked, then sanitised with DOMPurify (no scripts, no
 * event handlers, no javascript: links) before it reaches the page. Links open in a new tab.
 */
export function Markdown({ text, className = 'markdown', testId, lang }: { text: string; className?: string; testId?: string; lang?: string }) {
  const html = useMemo(() => {
    const raw = marked.parse(text ?? '', { async: false, gfm: true, breaks: false }) as string;
    const clean = DOMPurify.sanitize(raw, { USE_PROFILES: { html: true }, FORBID_TAGS: ['style', 'form', 'input'], FORBID_ATTR: ['style'] });
    // external links: new tab, without giving the opened page a handle on this one
    const doc = new DOMParser().parseFromString(`<div>${clean}</div>`, 'text/html');
    doc.querySelectorAll('a[href]').forEach((a) => {
      a.setAttribute('target', '_blank');
      a.setAttribute('rel', 'noopener noreferrer');
    });
    return doc.body.firstElementChild?.innerHTML ?? '';
  }, [text]);
  return <div className={className} data-testid={testId} lang={lang} dangerouslySetInnerHTML={{ __html: html }} />;
}
