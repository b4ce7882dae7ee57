import type { HistoryEvent } from '../../harness/history/events.js';
import type { History } from '../../harness/history/writer.js';

// Blocks the main thread for `blockMs` with a busy loop right after the first signal:sent (step 0)
// is recorded (history listeners run inside emit, on the main thread); `blocked()` says when.
export function blockAfterFirstSignal(history: History, blockMs: number): { blocked: () => { from: number; to: number } | undefined } {
  const now = (): number => history.clock.now();
  let blocked: { from: number; to: number } | undefined;
  history.subscribe((e: HistoryEvent) => {
    if (e.type !== 'signal:sent' || e.step !== 0) return;
    const from = now();
    while (now() < from + blockMs) {
      // the main thread is busy
    }
    blocked = { from, to: now() };
  });
  return { blocked: () => blocked };
}
