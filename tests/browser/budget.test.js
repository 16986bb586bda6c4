// The bundle budget: on each public page, the script and WebAssembly that Chromium loads, in bytes
// as they came over the wire (brotli), must come to 150 KB or less, so a cheap phone on a slow connection
// can use the page soon. Measured against the release bundle, which .ci/test builds for every
// browser test (`.ci/build-site --test`); the figures are printed for the README.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, newPage, open, signIn } from './support.js';

const BUDGET_BYTES = 150 * 1000;

/**
 * Opens `path` in a fresh profile (nothing cached) and lists the scripts and wasm Chromium loads
 * for it: each file's address, its body's bytes as received and how they were encoded.
 */
async function scriptsLoadedBy(path, { as = null } = {}) {
  let storageState;
  if (as) {
    // Signed in in another profile, so this one's cache is still empty.
    const signing = await newPage(true);
    await signIn(signing.page, as, true);
    storageState = await signing.page.context().storageState();
    await signing.close();
  }
  const { page, errors, close } = await newPage(true, { storageState });
  const loaded = [];
  page.on('requestfinished', (finished) => {
    if (!/\.(js|wasm)$/.test(new URL(finished.url()).pathname)) return;
    loaded.push((async () => ({
      url: finished.url(),
      bytes: (await finished.sizes()).responseBodySize,
      encoding: (await finished.response())?.headers()['content-encoding'] ?? 'none',
    }))());
  });
  await open(page, path, true);
  assert.deepEqual(errors, []);
  const files = await Promise.all(loaded);
  await close();
  return files;
}

test('each public page loads at most 150 KB of script and wasm (brotli)', async () => {
  const home = await (await fetch(`${BASE}/`)).text();
  const service = home.match(/href="(\/services\/[^"?#]+)"/)[1];
  const pages = [
    ['home', '/'],
    ['search results', '/?q=someone+to+help+mum+wash+and+dress+in+gosforth'],
    ['a service', service],
    ['the lots', '/lots'],
    ['the booking form', service.replace('/services/', '/book/'), 'holder@demo.test'],
  ];
  const rows = [];
  for (const [name, path, as] of pages) {
    const files = await scriptsLoadedBy(path, { as });
    assert.ok(files.some(({ url }) => url.endsWith('.wasm')), `${name}: the page loads its bundle`);
    let total = 0;
    for (const { url, bytes, encoding } of files) {
      assert.equal(encoding, 'br', `${url} is sent compressed with brotli`);
      total += bytes;
    }
    rows.push({ page: name, path, files: files.length, 'KB (brotli)': (total / 1000).toFixed(1) });
    assert.ok(total <= BUDGET_BYTES, `${name} (${path}) loads ${total} bytes of script and wasm, over the ${BUDGET_BYTES}-byte budget`);
  }
  console.log('The bundle budget, per page (script and wasm as sent, brotli):');
  console.table(rows);
});
