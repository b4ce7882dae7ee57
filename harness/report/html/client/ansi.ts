// ANSI in the target's output lines: SGR colour / style codes become spans with classes (or CSSOM
// colours for 256 / RGB); every other escape sequence and control character is dropped. Text is
// always text (createTextNode / textContent).

const ANSI_RE = /\x1b\[([0-9;:]*)([\x20-\x2f]*[@-~])|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[PX^_][^\x1b]*(?:\x1b\\)?|\x1b[\x20-\x2f]*[0-~]|[\x00-\x08\x0b-\x1f\x7f]/g;

interface Style {
  fg: number | null;
  bg: number | null;
  fgRgb: string | null;
  bgRgb: string | null;
  b: boolean;
  d: boolean;
  i: boolean;
  u: boolean;
}

const plain = (): Style => ({ fg: null, bg: null, fgRgb: null, bgRgb: null, b: false, d: false, i: false, u: false });

// The text without any escape sequence or control character.
export function stripAnsi(s: unknown): string {
  return String(s).replace(ANSI_RE, '');
}

// The CSS colour of a 256-colour index above the 16 named ones (null for those: they are classes).
function color256(n: number): string | null {
  if (n < 16) return null;
  if (n >= 232) { const g = 8 + (n - 232) * 10; return 'rgb(' + g + ',' + g + ',' + g + ')'; }
  const levels = [0, 95, 135, 175, 215, 255];
  const c = n - 16;
  return 'rgb(' + levels[Math.floor(c / 36)] + ',' + levels[Math.floor(c / 6) % 6] + ',' + levels[c % 6] + ')';
}

// Appends the line to `parent` as text nodes and styled spans.
export function ansiInto(parent: HTMLElement, line: unknown): void {
  const s = String(line);
  let st = plain();
  let last = 0;
  let m: RegExpExecArray | null;
  ANSI_RE.lastIndex = 0;
  function emit(text: string): void {
    if (!text) return;
    if (st.fg === null && st.bg === null && !st.fgRgb && !st.bgRgb && !st.b && !st.d && !st.i && !st.u) { parent.appendChild(document.createTextNode(text)); return; }
    const span = document.createElement('span');
    span.textContent = text;
    const cls: string[] = [];
    if (st.fg !== null) cls.push('a-fg' + st.fg);
    if (st.bg !== null) cls.push('a-bg' + st.bg);
    if (st.b) cls.push('a-b');
    if (st.d) cls.push('a-d');
    if (st.i) cls.push('a-i');
    if (st.u) cls.push('a-u');
    span.className = cls.join(' ');
    if (st.fgRgb) span.style.color = st.fgRgb;
    if (st.bgRgb) span.style.backgroundColor = st.bgRgb;
    parent.appendChild(span);
  }
  while ((m = ANSI_RE.exec(s)) !== null) {
    emit(s.slice(last, m.index));
    last = ANSI_RE.lastIndex;
    if (m[2] !== 'm') continue;
    const codes = (m[1] || '0').split(/[;:]/).map((x) => (x === '' ? 0 : parseInt(x, 10)));
    for (let k = 0; k < codes.length; k++) {
      const c = codes[k]!;
      if (c === 0) st = plain();
      else if (c === 1) st.b = true;
      else if (c === 2) st.d = true;
      else if (c === 3) st.i = true;
      else if (c === 4) st.u = true;
      else if (c === 22) { st.b = false; st.d = false; }
      else if (c === 23) st.i = false;
      else if (c === 24) st.u = false;
      else if (c >= 30 && c <= 37) { st.fg = c - 30; st.fgRgb = null; }
      else if (c >= 90 && c <= 97) { st.fg = c - 90 + 8; st.fgRgb = null; }
      else if (c === 39) { st.fg = null; st.fgRgb = null; }
      else if (c >= 40 && c <= 47) { st.bg = c - 40; st.bgRgb = null; }
      else if (c >= 100 && c <= 107) { st.bg = c - 100 + 8; st.bgRgb = null; }
      else if (c === 49) { st.bg = null; st.bgRgb = null; }
      else if ((c === 38 || c === 48) && codes[k + 1] === 5) {
        const n = (codes[k + 2] ?? 0) | 0;
        const rgb = color256(n);
        if (c === 38) { st.fg = rgb ? null : n; st.fgRgb = rgb; } else { st.bg = rgb ? null : n; st.bgRgb = rgb; }
        k += 2;
      } else if ((c === 38 || c === 48) && codes[k + 1] === 2) {
        const r = Math.min(255, (codes[k + 2] ?? 0) | 0), g = Math.min(255, (codes[k + 3] ?? 0) | 0), b = Math.min(255, (codes[k + 4] ?? 0) | 0);
        const css = 'rgb(' + r + ',' + g + ',' + b + ')';
        if (c === 38) { st.fg = null; st.fgRgb = css; } else { st.bg = null; st.bgRgb = css; }
        k += 4;
      }
    }
  }
  emit(s.slice(last));
}
