import { FIGURE_KEYS, goalText, type Figure } from './figures.js';
import type { Summary } from './stats.js';

const num = (v: number | undefined | null, unit?: string): string => {
  if (v === undefined) return '';
  if (v === null || !Number.isFinite(v)) return 'n/a';
  const s = v >= 1000 ? Math.round(v).toLocaleString('en-US') : String(v);
  return unit && unit !== 'ratio' && unit !== 'clients' ? `${s} ${unit}` : s;
};

const mark = (met: boolean | null): string => (met === null ? 'n/a' : met ? 'yes' : 'NO');

// Columns padded to their widest cell, a dashed rule under the head.
export function grid(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

function figureRow(key: string, f: Figure): string[] {
  return [
    key, num(f.value, f.unit), goalText(f), mark(f.met),
    f.floor !== undefined ? `${num(f.floor, f.unit)} (${f.floorName})` : '',
    f.peer !== undefined ? `${num(f.peer, f.unit)} (${f.peerName})` : '',
    f.ratio !== undefined ? `${f.ratio}× ${f.ratioTo}` : '',
  ];
}

// The figures as a plain-text table, each note listed under it.
export function figuresTable(figures: Partial<Record<string, Figure>>): string {
  const keys = FIGURE_KEYS.filter((k) => figures[k]);
  const table = grid(['figure', 'value', 'goal', 'met', 'floor', 'peer', 'ratio'], keys.map((k) => figureRow(k, figures[k]!)));
  const notes = keys.filter((k) => figures[k]!.note).map((k) => `- ${k}: ${figures[k]!.note}`);
  return notes.length ? `${table}\n\nNotes:\n${notes.join('\n')}` : table;
}

// The raw sample summaries (median, p95, p99 and the median's ratio to its reference).
export function samplesTable(samples: Record<string, Summary & { ref?: string; unit?: string }>): string {
  const rows = Object.entries(samples).map(([name, s]) => {
    const ref = s.ref ? samples[s.ref] : undefined;
    const ratio = ref && ref.median > 0 ? `${(s.median / ref.median).toFixed(2)}× ${s.ref}` : '';
    return [name, String(s.n), num(s.median), num(s.p95), num(s.p99), num(s.max), s.unit ?? 'ms', ratio];
  });
  return grid(['measurement', 'n', 'median', 'p95', 'p99', 'max', 'unit', 'median ratio'], rows);
}

// The figures as a Markdown table (for README files), with the machine underneath.
export function figuresMarkdown(figures: Partial<Record<string, Figure>>, machineLine: string, command: string): string {
  const keys = FIGURE_KEYS.filter((k) => figures[k]);
  const esc = (s: string): string => s.replace(/\|/g, '\\|');
  const lines = [
    '| figure | value | goal | met | floor | peer | ratio |',
    '|---|---|---|---|---|---|---|',
    ...keys.map((k) => `| ${figureRow(k, figures[k]!).map(esc).map((c, i) => (i === 0 ? `\`${c}\`` : c)).join(' | ')} |`),
  ];
  const notes = keys.filter((k) => figures[k]!.note).map((k) => `- \`${k}\`: ${figures[k]!.note}`);
  return [...lines, '', `Machine: ${machineLine}. Command: \`${command}\`.`, ...(notes.length ? ['', ...notes] : [])].join('\n');
}
