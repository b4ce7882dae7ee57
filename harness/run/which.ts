import { findExecutable } from '../target/executable.js';

// True when `command` is an executable path or found on PATH.
export function commandExists(command: string): boolean {
  return findExecutable(command, process.cwd(), process.env['PATH'] ?? '');
}
