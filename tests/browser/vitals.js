// The Web Vitals benchmark (run by .ci/bench-vitals, not part of the test suite): each page loaded
// five times in a fresh headless-Chromium profile (nothing cached) with the CPU slowed four
// times and a slow 4G network, through the DevTools protocol. For each page the medians of:
//   LCP    largest contentful paint, from navigation start;
//   TBT    total blocking time: the part over 50 ms of each long task from first paint to ready;
//   ready  from navigation start until the app marks the page interactive (body[data-hydrated],
//          set once its islands are awake; see frontend/src/lib.rs).
// Exits 1 when a median misses its floor.
import { chromium } from 'playwright-core';

const BASE = process.env.CAREMARKET_URL ?? 'http://127.0.0.1:3000';
const RUNS = 5;
const FLOORS = { lcp: 1500, ready: 2500 };
// Slow 4G as Lighthouse has it: 1.6 Mbit/s down, 750 kbit/s up, 150 ms round trip.
const SLOW_4G = { offline: false, latency: 150, downloadThroughput: 1_600_000 / 8, uploadThroughput: 750_000 / 8 };
const PHONE = { width: 390, height: 844 };

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
});

/** Cookies of a budget holder signed in (unthrottled), for the booking form. */
async function signedIn(email) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${BASE}/sign-in`);
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Password').fill('caremarket-demo');
  await Promise.all([page.waitForURL((url) => url.pathname.startsWith('/dashboard/')), page.getByRole('button', { name: 'Sign in' }).click()]);
  const state = await context.storageState();
  await context.close();
  return state;
}

/** One cold load of `path` on the slow phone: its LCP, TBT and ready, in milliseconds. */
async function measure(path, storageState) {
  const context = await browser.newContext({ viewport: PHONE, storageState });
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  await cdp.send('Network.emulateNetworkConditions', SLOW_4G);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
  await page.addInitScript(() => {
    const vitals = { lcp: null, longTasks: [], ready: null };
    window.__vitals = vitals;
    new PerformanceObserver((list) => { for (const entry of list.getEntries()) vitals.lcp = entry.startTime; })
      .observe({ type: 'largest-contentful-paint', buffered: true });
    new PerformanceObserver((list) => { for (const entry of list.getEntries()) vitals.longTasks.push([entry.startTime, entry.duration]); })
      .observe({ type: 'longtask', buffered: true });
    new MutationObserver(() => {
      if (vitals.ready === null && document.body?.hasAttribute('data-hydrated')) vitals.ready = performance.now();
    }).observe(document, { attributes: true, subtree: true, attributeFilter: ['data-hydrated'] });
  });
  await page.goto(`${BASE}${path}`, { waitUntil: 'load', timeout: 60000 });
  await page.waitForFunction(() => window.__vitals.ready !== null && window.__vitals.lcp !== null, null, { timeout: 60000 });
  const result = await page.evaluate(() => {
    const { lcp, longTasks, ready } = window.__vitals;
    const fcp = performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? 0;
    const tbt = longTasks
      .filter(([start]) => start >= fcp && start <= ready)
      .reduce((sum, [, duration]) => sum + Math.max(0, duration - 50), 0);
    return { lcp, tbt, ready };
  });
  await context.close();
  return result;
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

const home = await (await fetch(`${BASE}/`)).text();
const service = home.match(/href="(\/services\/[^"?#]+)"/)[1];
const holder = await signedIn('holder@demo.test');
const pages = [
  ['home', '/'],
  ['search results', '/?q=someone+to+help+mum+wash+and+dress+in+gosforth'],
  ['a service', service],
  ['the booking form', service.replace('/services/', '/book/'), holder],
];

const rows = [];
const missed = [];
for (const [name, path, storageState] of pages) {
  const runs = [];
  for (let run = 0; run < RUNS; run++) runs.push(await measure(path, storageState));
  const row = { page: name, 'LCP ms': median(runs.map((r) => r.lcp)), 'TBT ms': median(runs.map((r) => r.tbt)), 'ready ms': median(runs.map((r) => r.ready)) };
  for (const key of Object.keys(row).slice(1)) row[key] = Math.round(row[key]);
  rows.push(row);
  if (row['LCP ms'] > FLOORS.lcp) missed.push(`${name}: LCP ${row['LCP ms']} ms over ${FLOORS.lcp}`);
  if (row['ready ms'] > FLOORS.ready) missed.push(`${name}: ready ${row['ready ms']} ms over ${FLOORS.ready}`);
}
await browser.close();
console.log(`Medians of ${RUNS} cold loads each (4x slower CPU, slow 4G, nothing cached):`);
console.table(rows);
if (missed.length) {
  console.log(`Floors missed:\n  ${missed.join('\n  ')}`);
  process.exit(1);
}
console.log(`All floors met (LCP <= ${FLOORS.lcp} ms, ready <= ${FLOORS.ready} ms).`);
