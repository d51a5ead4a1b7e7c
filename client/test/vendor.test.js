import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

test('vendor/phoenix.mjs (served by the hub to browsers) is the npm package\'s priv/static/phoenix.mjs, byte for byte', () => {
  // phoenix's exports hide package.json: go up from its CommonJS build (priv/static/phoenix.cjs.js).
  const pkgDir = join(dirname(require.resolve('phoenix')), '..', '..');
  const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));
  const ours = JSON.parse(readFileSync(join(here, '..', 'package.json'), 'utf8'));
  assert.equal(pkg.version, ours.dependencies.phoenix, 'the installed phoenix is the pinned one');
  const vendored = readFileSync(join(here, '..', 'vendor', 'phoenix.mjs'));
  const upstream = readFileSync(join(pkgDir, 'priv', 'static', 'phoenix.mjs'));
  assert.ok(vendored.equals(upstream), `client/vendor/phoenix.mjs differs from phoenix ${pkg.version}'s priv/static/phoenix.mjs: copy it again`);
  const license = readFileSync(join(here, '..', 'vendor', 'LICENSE.md'));
  assert.ok(license.equals(readFileSync(join(pkgDir, 'LICENSE.md'))), 'the vendored LICENSE.md is phoenix\'s');
});
