// A run's metrics (results.json `runs[].metrics`, see CONTRACTS.md): a pure function of its history.
export interface RunMetrics {
  // Spawn -> ready.
  readyMs?: number;
  // First signal -> target exit (the leader's exit as seen by the harness).
  timeToExitMs?: number;
  // Last signal -> exit.
  timeToExitFromLastSignalMs?: number;
  // Actual - intended time of the first signal (the harness's own lateness).
  strikeLatenessMs?: number;
  // The worst step's lateness, and each step's by step number (the escalation included).
  strikeLatenessWorstMs?: number;
  strikeLatenessByStepMs?: Record<string, number>;
  // Spawn -> exit.
  lifetimeMs?: number;
  // Load metrics (drainMs, timeToNotReadyMs, lastCloseMs, throughputBeforeSignal, outcomes, ...).
  [key: string]: number | Record<string, number> | undefined;
}
