import type { Worker } from 'node:worker_threads';

// A bench job on a worker thread of this process: the worker posts 'started' once running, then
// one result (when done, or when told 'stop'). Resolves once it has started; stop() asks it to
// stop and resolves with its result, or with `failed(why)` when it failed, exited without a
// result or did not answer within 5 s (a `failed` that throws makes stop() reject).
export async function workerJob<R>(worker: Worker, failed: (why: string) => R): Promise<{ stop: () => Promise<R> }> {
  const result = new Promise<R>((resolve, reject) => {
    const fail = (why: string): void => {
      try {
        resolve(failed(why));
      } catch (error) {
        reject(error);
      }
    };
    worker.on('message', (m) => {
      if (m !== 'started') resolve(m as R);
    });
    worker.once('error', (e) => fail(e.message));
    worker.once('exit', () => fail('the worker exited without a result'));
  });
  result.catch(() => {});
  await new Promise<void>((resolve, reject) => {
    worker.once('message', () => resolve());
    worker.once('error', reject);
  });
  return {
    stop: async () => {
      worker.postMessage('stop');
      let timer: NodeJS.Timeout | undefined;
      try {
        return await Promise.race([result, new Promise<R>((resolve, reject) => {
          timer = setTimeout(() => {
            try {
              resolve(failed('it did not stop within 5 s'));
            } catch (error) {
              reject(error);
            }
          }, 5_000);
        })]);
      } finally {
        clearTimeout(timer);
        await worker.terminate();
      }
    },
  };
}
