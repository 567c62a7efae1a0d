import fs from 'node:fs';
import { describe, expect, it } from 'vitest';

// The benchmarks run the application through bench/wrangler.toml (bench/worker.ts adds their baselines): it must
// bind every Durable Object and bundle every text module the application's own wrangler.toml does, or a benchmark
// fails to build (or, worse, measures a Worker missing a part).
const read = (p: string) => fs.readFileSync(new URL(`../../${p}`, import.meta.url), 'utf8');
const bindings = (toml: string) =>
  [...toml.matchAll(/name = "([A-Z_]+)"\s*\nclass_name = "(\w+)"/g)].map((m) => `${m[1]}=${m[2]}`);
/** Every module rule's globs (text, data…), with its type. */
const globs = (toml: string) =>
  [...toml.matchAll(/type = "(\w+)"\s*\nglobs = (\[[^\]]*\])/g)].flatMap((m) =>
    (JSON.parse(m[2] as string) as string[]).map((g) => `${m[1]}:${g}`),
  );

describe('the benchmark Worker', () => {
  it("binds every Durable Object of the application's, exports its class, and bundles the same modules (text, data)", () => {
    const app = read('wrangler.toml');
    const bench = read('bench/wrangler.toml');
    expect(bindings(app).length).toBeGreaterThanOrEqual(4);
    expect(bindings(bench)).toEqual(expect.arrayContaining(bindings(app)));
    expect(globs(app).length).toBeGreaterThanOrEqual(3);
    expect(globs(bench)).toEqual(expect.arrayContaining(globs(app)));
    const worker = read('bench/worker.ts');
    for (const b of bindings(app))
      expect(worker).toMatch(new RegExp(`export \\{[^}]*\\b${b.split('=')[1]}\\b[^}]*\\} from '../src/index'`));
  });
});
