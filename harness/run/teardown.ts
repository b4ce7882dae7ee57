// A stack of undo steps: register the undo before acquiring the resource, run them in reverse
// order. A failing step never stops the others.
export class Teardown {
  private readonly steps: Array<{ name: string; fn: () => unknown }> = [];

  // Registers an undo step.
  add(name: string, fn: () => unknown): void {
    this.steps.push({ name, fn });
  }

  // Runs every step, last registered first; returns the failures.
  async run(): Promise<Array<{ name: string; error: unknown }>> {
    const failures: Array<{ name: string; error: unknown }> = [];
    while (this.steps.length) {
      const step = this.steps.pop()!;
      try {
        await step.fn();
      } catch (error) {
        failures.push({ name: step.name, error });
      }
    }
    return failures;
  }
}
