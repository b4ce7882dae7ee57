import { createHash } from 'node:crypto';

// Text safe in HTML element content and quoted attribute values.
export function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

// JSON safe inside <script type="application/json">: `<`, `>` and `&` become \u escapes (so neither
// `</script>` nor `<!--` can appear), as do U+2028/U+2029. JSON.parse reads it back unchanged.
export function jsonForScript(value: unknown): string {
  return (JSON.stringify(value) ?? 'null').replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

// JavaScript safe to inline in a <script> element: a `</script` or `<!--` sequence (only possible
// inside a string or regular expression literal) is broken with a backslash escape.
export function scriptForInline(source: string): string {
  return source.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');
}

// CSS safe to inline in a <style> element.
export function styleForInline(css: string): string {
  return css.replace(/<\/(style)/gi, '<\\/$1');
}

// The CSP source expression allowing exactly this inline script.
export function cspHash(script: string): string {
  return `'sha256-${createHash('sha256').update(script, 'utf8').digest('base64')}'`;
}
