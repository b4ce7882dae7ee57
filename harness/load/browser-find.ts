import fs from 'node:fs';
import path from 'node:path';
import { HarnessError } from '../errors.js';

// The environment variable that names the Chromium (or Chrome) executable to use.
export const CHROMIUM_ENV = 'SHUTDOWN_DRILL_CHROMIUM';

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

function onPath(command: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const file = path.join(dir, command);
    if (isExecutable(file)) return file;
  }
  return undefined;
}

// The browser to launch, in this order: $SHUTDOWN_DRILL_CHROMIUM, Playwright's own downloaded
// Chromium (`playwrightPath`, when that file exists), /usr/bin/chromium, /usr/bin/chromium-browser,
// google-chrome (or google-chrome-stable) on PATH. Throws HarnessError('LOAD_FAILED') listing
// every place it looked and what to install.
export function findChromium(playwrightPath: string | undefined, env: NodeJS.ProcessEnv = process.env): { path: string; source: string } {
  const tried: string[] = [];
  const fromEnv = env[CHROMIUM_ENV];
  if (fromEnv) {
    if (isExecutable(fromEnv)) return { path: fromEnv, source: CHROMIUM_ENV };
    throw new HarnessError('LOAD_FAILED', `load browser: ${CHROMIUM_ENV}=${fromEnv} is not an executable file; point it at a Chromium or Chrome binary, or unset it to use the one found on this machine`);
  }
  tried.push(`$${CHROMIUM_ENV} (unset)`);
  if (playwrightPath) {
    if (isExecutable(playwrightPath)) return { path: playwrightPath, source: 'playwright' };
    tried.push(playwrightPath);
  }
  for (const file of ['/usr/bin/chromium', '/usr/bin/chromium-browser']) {
    if (isExecutable(file)) return { path: file, source: file };
    tried.push(file);
  }
  for (const command of ['google-chrome', 'google-chrome-stable']) {
    const file = onPath(command);
    if (file) return { path: file, source: command };
    tried.push(`${command} on PATH`);
  }
  throw new HarnessError(
    'LOAD_FAILED',
    `load browser: no Chromium found (looked at ${tried.join(', ')}); install one with \`apt-get install chromium\` or \`npx playwright install chromium\`, or set ${CHROMIUM_ENV} to a Chromium/Chrome executable`,
  );
}
