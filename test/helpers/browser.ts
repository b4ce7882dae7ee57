import { chromium, type Browser } from 'playwright-core';

// Flags for a headless Chromium that makes no network request of its own.
export const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync', '--disable-quic'];

// Launches the system Chromium once for a test file (before) and closes it at its end (teardown);
// the getter returns the browser once launched.
export function useChromium(t: Tap.Test): () => Browser {
  let browser: Browser | undefined;
  t.before(async () => {
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_FLAGS });
  });
  t.teardown(async () => {
    await browser?.close();
  });
  return () => browser!;
}
