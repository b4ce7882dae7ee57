import { round } from './stats.js';

// One figure of bench/results/latest.json (`figures.<key>`): the public contract is
// `{ value, unit, goal, floor?, peer? }`; the other fields explain it.
export interface Figure {
  // null when it could not be measured (see `note`).
  value: number | null;
  unit: string;
  goal: number;
  // 'max': value <= goal is met; 'min': value >= goal; 'below': value < goal.
  goalKind: 'max' | 'min' | 'below';
  met: boolean | null;
  // The physical floor and the peer, in the figure's unit, with what they are.
  floor?: number;
  floorName?: string;
  peer?: number;
  peerName?: string;
  // value ÷ peer (or ÷ floor when there is no peer), when both are known.
  ratio?: number;
  ratioTo?: string;
  // How it was measured, and why a goal is missed or a value is missing.
  how: string;
  note?: string;
  // Supporting numbers (the parts of an overhead, the other peers, counts).
  detail?: Record<string, number | string | boolean | null>;
}

export const FIGURE_KEYS = [
  'exitDetectOverheadP50Ms', 'strikeLatenessP99IdleMs', 'strikeLatenessP99LoadMs', 'loadRatio',
  'treeKillP95Ms', 'perRunOverheadP50Ms', 'wsClientsHeld', 'report1000Ms', 'sweepRunsToResolve', 'headerMs',
  'triggerLatenessP99Ms', 'triggerLatenessP99LoadMs',
] as const;
export type FigureKey = (typeof FIGURE_KEYS)[number];

// What goalText() prints for each kind.
const OPS = { max: '≤', min: '≥', below: '<' } as const;

// The goal as text, e.g. "≤ 0.3 ms".
export function goalText(f: Pick<Figure, 'goal' | 'goalKind' | 'unit'>): string {
  return `${OPS[f.goalKind]} ${f.goal.toLocaleString('en-US')}${f.unit === 'ratio' ? '' : ` ${f.unit}`}`;
}

// Builds a figure: works out `met`, the ratio, and when the goal is missed a note saying by how
// much (absolute and relative) followed by `why`.
export function figure(input: {
  value: number | null;
  unit: string;
  goal: number;
  goalKind: Figure['goalKind'];
  how: string;
  floor?: { name: string; value: number | undefined };
  peer?: { name: string; value: number | undefined };
  ratioTo?: 'floor' | 'peer';
  why?: string;
  note?: string;
  detail?: Figure['detail'];
}): Figure {
  const { value, goal, goalKind } = input;
  const f: Figure = { value: value === null || !Number.isFinite(value) ? null : round(value), unit: input.unit, goal, goalKind, met: null, how: input.how };
  if (input.floor && input.floor.value !== undefined && Number.isFinite(input.floor.value)) {
    f.floor = round(input.floor.value);
    f.floorName = input.floor.name;
  }
  if (input.peer && input.peer.value !== undefined && Number.isFinite(input.peer.value)) {
    f.peer = round(input.peer.value);
    f.peerName = input.peer.name;
  }
  const notes: string[] = [];
  if (f.value !== null) {
    const v = f.value;
    f.met = goalKind === 'max' ? v <= goal : goalKind === 'min' ? v >= goal : v < goal;
    const to = input.ratioTo ?? (f.peer !== undefined ? 'peer' : 'floor');
    const base = to === 'peer' ? f.peer : f.floor;
    if (base !== undefined && base !== 0) {
      f.ratio = Math.round((v / base) * 100) / 100;
      f.ratioTo = to === 'peer' ? f.peerName : f.floorName;
    }
    if (!f.met) {
      const by = Math.abs(v - goal);
      const rel = goal !== 0 ? ` (${(v / goal).toFixed(2)}× the goal)` : '';
      notes.push(`goal ${goalText(f)} missed by ${round(by)} ${f.unit === 'ratio' ? '' : f.unit}${rel}`.replace(/\s+/g, ' ').trim());
      if (input.why) notes.push(input.why);
    }
  }
  if (input.note) notes.push(input.note);
  if (notes.length) f.note = notes.join('. ');
  if (input.detail) f.detail = input.detail;
  return f;
}

// A figure that could not be measured, with the reason.
export function missing(input: { unit: string; goal: number; goalKind: Figure['goalKind']; how: string; reason: string; peer?: { name: string; value: number | undefined }; floor?: { name: string; value: number | undefined }; detail?: Figure['detail'] }): Figure {
  return figure({ value: null, unit: input.unit, goal: input.goal, goalKind: input.goalKind, how: input.how, note: `not available: ${input.reason}`, ...(input.peer ? { peer: input.peer } : {}), ...(input.floor ? { floor: input.floor } : {}), ...(input.detail ? { detail: input.detail } : {}) });
}
