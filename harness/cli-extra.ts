import { HarnessError } from './errors.js';
import type { RunPlan } from './run/plan.js';

// Commands that build on saved results (compare, merge, report); wired to the report modules.
export const commandsExtra: Record<string, (args: string[]) => Promise<number>> = {};

// Deterministic shard selection: round-robin over the runs sorted by id.
export function selectShardPlans(plans: RunPlan[], shard: { index: number; total: number }): RunPlan[] {
  if (shard.index < 1 || shard.index > shard.total) throw new HarnessError('USAGE', `--shard ${shard.index}/${shard.total} is out of range`);
  const sorted = [...plans].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const keep = new Set(sorted.filter((_, i) => i % shard.total === shard.index - 1).map((p) => p.id));
  return plans.filter((p) => keep.has(p.id));
}
