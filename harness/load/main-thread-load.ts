import { HarnessError } from '../errors.js';
import { deferred } from './engine.js';
import type { LoadKindName } from './kind-registry.js';
import type { LoadContext, LoadDriver } from './types.js';

// A main-thread load whose driver module is imported on start() (load/kind.ts createDriver), so
// that creating the run's drivers loads no driver code. Before start() nothing runs; stop() before
// start() ends it at once; a driver that cannot be created rejects start() with LOAD_FAILED.
export class MainThreadLoad implements LoadDriver {
  readonly name: string;
  readonly kind: LoadKindName;
  readonly done: Promise<void>;
  private readonly doneD = deferred();
  private readonly create: () => Promise<LoadDriver>;
  private driver: Promise<LoadDriver | undefined> | undefined;
  private stopped = false;
  private stopping: Promise<void> | undefined;

  constructor(kind: LoadKindName, ctx: Pick<LoadContext, 'name'>, create: () => Promise<LoadDriver>) {
    this.kind = kind;
    this.name = ctx.name;
    this.create = create;
    this.done = this.doneD.promise;
  }

  async start(): Promise<void> {
    if (this.stopped || this.driver) throw new HarnessError('LOAD_FAILED', `load "${this.name}" (${this.kind}): start() after stop() or a second start()`);
    let created: LoadDriver;
    const creating = this.create();
    this.driver = creating.catch(() => undefined);
    try {
      created = await creating;
    } catch (error) {
      this.doneD.resolve();
      throw new HarnessError('LOAD_FAILED', `load "${this.name}" (${this.kind}): could not create the driver: ${(error as Error).message}`, { cause: error });
    }
    created.done.then(() => this.doneD.resolve(), () => this.doneD.resolve());
    if (this.stopped) {
      await created.stop();
      throw new HarnessError('LOAD_FAILED', `load "${this.name}" (${this.kind}): stopped before it started`);
    }
    await created.start();
  }

  // Ends the load once, however often it is called (the run's warm and load steps both stop it).
  stop(): Promise<void> {
    this.stopping ??= this.doStop();
    return this.stopping;
  }

  private async doStop(): Promise<void> {
    this.stopped = true;
    const driver = await this.driver;
    await driver?.stop();
    this.doneD.resolve();
  }
}
