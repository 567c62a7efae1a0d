// What every benchmark shares: the local stack it runs against (scripts/lib/stack.mjs) and a runner that stops it.
export { root, startStack } from '../../scripts/lib/stack.mjs';

/**
 * Runs a benchmark's `main`, then undoes `cleanup` in reverse order — also when it is interrupted (Ctrl-C,
 * SIGTERM): nothing it started (Postgres, the proxy, wrangler dev) outlives it.
 */
export function runBenchmark(main, cleanup) {
  let done = false;
  const undo = async () => {
    if (done) return;
    done = true;
    for (const c of cleanup.reverse()) await Promise.resolve(c()).catch(() => {});
  };
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.once(signal, () => {
      console.error(`[bench] ${signal}: stopping what it started`);
      undo().finally(() => process.exit(130));
    });
  }
  main()
    .catch((err) => {
      console.error(err);
      process.exitCode = 1;
    })
    .finally(undo);
}
