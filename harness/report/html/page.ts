import { cspHash, escapeHtml, jsonForScript, scriptForInline, styleForInline } from './escape.js';

export interface PageParts {
  title: string;
  styles: string[];
  // JSON data blocks: <script type="application/json" id="...">, read by the page's scripts.
  data: Array<{ id: string; value: unknown } | { id: string; json: string }>;
  scripts: string[];
  // Static, trusted markup of the page's body (no data in it).
  body: string;
}

// A self-contained HTML document: inline styles and scripts only, a Content-Security-Policy that
// allows no network access and no inline script other than the page's own (by hash), and data in
// inert JSON blocks escaped so no value can close its block.
export function renderPage(parts: PageParts): string {
  const scripts = parts.scripts.map(scriptForInline);
  const csp = [
    "default-src 'none'",
    `script-src ${scripts.map(cspHash).join(' ')}`,
    "style-src 'unsafe-inline'",
    'img-src data:',
    'font-src data:',
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
  const out: string[] = [];
  out.push('<!doctype html>');
  out.push('<html lang="en">');
  out.push('<head>');
  out.push('<meta charset="utf-8">');
  out.push(`<meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp)}">`);
  out.push('<meta name="viewport" content="width=device-width, initial-scale=1">');
  out.push(`<title>${escapeHtml(parts.title)}</title>`);
  for (const css of parts.styles) out.push(`<style>${styleForInline(css)}</style>`);
  out.push('</head>');
  out.push('<body>');
  out.push(parts.body);
  for (const block of parts.data) {
    const json = 'json' in block ? block.json : jsonForScript(block.value);
    out.push(`<script type="application/json" id="${escapeHtml(block.id)}">${json}</script>`);
  }
  for (const js of scripts) out.push(`<script>${js}</script>`);
  out.push('</body>');
  out.push('</html>');
  return out.join('\n');
}
