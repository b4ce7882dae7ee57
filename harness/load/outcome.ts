import type { OpOutcome } from '../history/events.js';

// Every outcome of an operation, in a fixed order (the index is a layout: shared counters, held
// operations' columns).
export const OP_OUTCOMES: readonly OpOutcome[] = ['ok', 'http-error', 'rejected', 'refused', 'reset', 'timeout', 'closed'];

// The outcome of an answered HTTP request: ok for 2xx/3xx (and 1xx), rejected for 503 (the
// server refusing work while it drains), http-error for every other status >= 400.
export function outcomeOfStatus(status: number): OpOutcome {
  if (status === 503) return 'rejected';
  if (status >= 400) return 'http-error';
  return 'ok';
}

// The outcome of a network error: refused (nothing listens), reset (RST, the peer closed before
// answering, or a write into a closed socket), timeout; anything else counts as a reset too, with
// the message kept in the event's `error`.
export function outcomeOfError(error: unknown): OpOutcome {
  const code = (error as { code?: unknown } | null)?.code;
  switch (code) {
    case 'ECONNREFUSED':
      return 'refused';
    case 'ETIMEDOUT':
    case 'ESOCKETTIMEDOUT':
    case 'UND_ERR_CONNECT_TIMEOUT':
    case 'UND_ERR_HEADERS_TIMEOUT':
    case 'UND_ERR_BODY_TIMEOUT':
      return 'timeout';
    default:
      return 'reset';
  }
}

// A short description of a network error for the event's `error` field: `ECONNRESET socket hang up`.
export function errorText(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string' && !error.message.includes(code) ? `${code} ${error.message}` : error.message;
  }
  return String(error);
}
