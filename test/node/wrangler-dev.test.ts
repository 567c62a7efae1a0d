import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { envFileText, startWranglerDev } from '../../scripts/lib/wrangler.mjs';

// `npm start` and the benchmark hand wrangler dev the database URL (with its password), the platform
// token and the platform keys. A process's arguments are readable by every user of the machine (`ps`),
// so none of them may be there: they go through an env file only the owner can read.

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

/** A checkout whose "wrangler" records the arguments and env file it was given, then exits. */
function fakeCheckout() {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'callboard-wrangler-args-'));
  dirs.push(root);
  const bin = path.join(root, 'node_modules', 'wrangler', 'bin');
  fs.mkdirSync(bin, { recursive: true });
  fs.writeFileSync(
    path.join(bin, 'wrangler.js'),
    `require('node:fs').writeFileSync(${JSON.stringify(path.join(root, 'argv.json'))}, JSON.stringify(process.argv));`,
  );
  fs.writeFileSync(path.join(root, 'package.json'), '{"type":"commonjs"}');
  return root;
}

const secrets = {
  DATABASE_URL: 'postgres://callboard_app:pw-Zq81xK_secret@127.0.0.1:54329/callboard',
  PLATFORM_TOKEN: 'cbp_local_3f9c0a7e5d1b2c4a6e8f0a1b2c3d4e5f',
  PLATFORM_KEYS: '1:q7C+5rN2/y0wVb8sLk3Jm9Xh4Tg6Pf1Ea2Zd0Ru7Io8=',
};

describe('wrangler dev launcher', () => {
  it('puts no secret on the command line; they reach wrangler through an owner-only env file', async () => {
    const root = fakeCheckout();
    const envFile = path.join(root, '.data', 'wrangler.env');
    const wrangler = startWranglerDev({
      root,
      port: 8799,
      persistTo: path.join(root, '.data', 'wrangler'),
      envFile,
      vars: { ...secrets, NEON_WS_PROXY: '127.0.0.1:40001' },
      stdio: 'ignore',
    });
    expect(await wrangler.exited).toBe(0);

    const argv = [...wrangler.child.spawnargs, ...JSON.parse(fs.readFileSync(path.join(root, 'argv.json'), 'utf8'))].join(' ');
    for (const value of Object.values(secrets)) expect(argv).not.toContain(value);
    expect(argv).not.toContain('--var');
    expect(wrangler.child.spawnargs).toContain('--env-file');
    expect(wrangler.child.spawnargs[wrangler.child.spawnargs.indexOf('--env-file') + 1]).toBe(envFile);

    expect(fs.statSync(envFile).mode & 0o777).toBe(0o600);
    expect(fs.readFileSync(envFile, 'utf8')).toBe(
      `DATABASE_URL='${secrets.DATABASE_URL}'\nPLATFORM_TOKEN='${secrets.PLATFORM_TOKEN}'\nPLATFORM_KEYS='${secrets.PLATFORM_KEYS}'\nNEON_WS_PROXY='127.0.0.1:40001'\n`,
    );
  });

  it('narrows an env file left readable by others', async () => {
    const root = fakeCheckout();
    const envFile = path.join(root, 'wrangler.env');
    fs.writeFileSync(envFile, 'OLD=1\n', { mode: 0o644 });
    const wrangler = startWranglerDev({
      root,
      port: 8799,
      persistTo: path.join(root, 'p'),
      envFile,
      vars: secrets,
      stdio: 'ignore',
    });
    await wrangler.exited;
    expect(fs.statSync(envFile).mode & 0o777).toBe(0o600);
    expect(fs.readFileSync(envFile, 'utf8')).not.toContain('OLD=1');
  });

  it('refuses a value dotenv would not read back literally', () => {
    expect(() => envFileText({ A: "it's" })).toThrow(/A holds/);
    expect(() => envFileText({ A: 'a$B' })).toThrow(/A holds/);
    expect(() => envFileText({ A: 'two\nlines' })).toThrow(/A holds/);
    expect(envFileText({ A: 'x:y/z+=#' })).toBe("A='x:y/z+=#'\n");
  });
});
