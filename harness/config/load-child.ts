// The isolated config loader: a child of the harness (started with `--import tsx`) that imports a
// shutdown-drill.config.ts and sends its default export back as plain data. Config code runs only
// here: if it exits, hangs or crashes, this process ends and the harness says so (exit 2).
import { pathToFileURL } from 'node:url';
import { describeThrown, PlainDataError, toPlain } from '../scenario/plain.js';

export type ConfigChildMessage = { type: 'config'; value: unknown } | { type: 'problem'; problem: string };

const send = process.send?.bind(process);
const file = process.argv[2];
if (!send || !file) {
  process.stderr.write('shutdown-drill: config/load-child is started by the harness, not by hand\n');
  process.exitCode = 2;
} else {
  const say = (m: ConfigChildMessage): void => {
    send(m, undefined, {}, () => process.disconnect());
  };
  import(pathToFileURL(file).href).then(
    (mod: { default?: unknown }) => {
      if (!('default' in mod) || mod.default === undefined) return say({ type: 'problem', problem: 'has no default export: `export default defineConfig({ ... })`' });
      try {
        say({ type: 'config', value: toPlain(mod.default) });
      } catch (error) {
        say({ type: 'problem', problem: error instanceof PlainDataError ? error.text : describeThrown(error) });
      }
    },
    (error: unknown) => say({ type: 'problem', problem: `cannot load: ${describeThrown(error)}` }),
  );
}
