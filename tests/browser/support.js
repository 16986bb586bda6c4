// What the browser tests share: one headless Chromium (Debian's) per test file, pages opened with
// JavaScript on or off, an axe accessibility scan, signing in, booking and paying by card, mail the
// server wrote, and its clock.
// Each `*.test.js` file is one group of journeys, run in its own process with its own time limit.
import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

// axe-core itself, put into each scanned page. (Its Playwright wrapper scans frame by frame and
// finishes in a second blank page, which took three times as long: our pages have no frames.)
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export const BASE = process.env.CAREMARKET_URL ?? 'http://127.0.0.1:3000';
// localstripe, when the server under test takes card payments through it (see .ci/test).
export const STRIPE = process.env.CAREMARKET_STRIPE_URL;
export const PASSWORD = 'caremarket-demo';
export const PEOPLE = [
  { email: 'holder@demo.test', heading: 'Your budget', path: '/dashboard/budget-holder' },
  { email: 'planner@demo.test', heading: 'Your caseload', path: '/dashboard/planner' },
  { email: 'provider@demo.test', heading: null, path: '/dashboard/provider' },
  { email: 'commissioner@demo.test', heading: 'Commissioning', path: '/dashboard/commissioner' },
];

// A small phone's screen: what many of our users have.
const VIEWPORT = { width: 390, height: 844 };
const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

export let browser;
before(async () => {
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
});
after(async () => browser?.close());

/**
 * A fresh browser profile; fails the test on any script error once JavaScript runs. `options`
 * can give the profile a place and the permission to share it.
 */
export async function newPage(javaScriptEnabled, options = {}) {
  const context = await browser.newContext({ javaScriptEnabled, viewport: VIEWPORT, ...options });
  context.javaScriptDisabled = !javaScriptEnabled;
  const page = await context.newPage();
  page.setDefaultTimeout(15000);
  const errors = [];
  page.on('pageerror', (error) => errors.push(error.message));
  // Refusals (401 wrong password, 403 not yours, 422 bad input) are real HTTP statuses, which
  // Chromium logs as failed loads: expected where a test asks for one.
  // The Content-Security-Policy is enforced as served: any violation fails the test.
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) errors.push(`CSP violation: ${message.text()}`);
    else if (message.type() === 'error' && !/status of (401|403|422)/.test(message.text())) errors.push(message.text());
  });
  // The copy scanned for accessibility (JavaScript off) goes with it.
  const close = async () => {
    await copies.get(context)?.context().close();
    await context.close();
  };
  return { page, errors, close };
}

/**
 * WCAG 2.2 AA: zero violations. axe runs as a script in the page, so a page opened with
 * JavaScript off is scanned as a copy: the same address and cookies in a context where scripts
 * run but the app's own are blocked, so what is scanned is exactly the server-rendered page.
 */
export async function assertAccessible(page, what, { exclude = null } = {}) {
  const scanned = page.context().javaScriptDisabled ? await serverRenderedCopy(page) : page;
  await scanned.evaluate(AXE_SOURCE);
  const violations = await scanned.evaluate(
    async ([tags, exclude]) => {
      const context = exclude ? { exclude: [exclude] } : document;
      const results = await window.axe.run(context, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
      return results.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
    },
    [TAGS, exclude],
  );
  assert.deepEqual(violations, [], `${what} has accessibility violations`);
}

// One copy page per JavaScript-off profile, reused for each of its scans.
const copies = new WeakMap();
async function serverRenderedCopy(page) {
  const original = page.context();
  let copy = copies.get(original);
  if (!copy) {
    const context = await browser.newContext({ viewport: VIEWPORT });
    await context.route(/\/pkg\/.*\.(js|wasm)$/, (route) => route.abort());
    copy = await context.newPage();
    copies.set(original, copy);
  }
  await copy.context().clearCookies();
  await copy.context().addCookies(await original.cookies());
  await copy.goto(page.url());
  return copy;
}

/** Opens a page; with JavaScript on, waits until the app has hydrated. */
export async function open(page, path, javaScript) {
  const response = await page.goto(`${BASE}${path}`);
  if (javaScript) await page.locator('body[data-hydrated]').waitFor({ timeout: 20000 });
  return response;
}

export async function heading(page) {
  return (await page.locator('h1').first().textContent()).trim();
}

export async function signIn(page, email, javaScript) {
  await open(page, '/sign-in', javaScript);
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await Promise.all([page.waitForURL((url) => url.pathname.startsWith('/dashboard/')), page.getByRole('button', { name: 'Sign in' }).click()]);
}

/**
 * On a card payment's page: Stripe's card form shows (or, without JavaScript, why it needs it);
 * the card is paid as Stripe.js would, and the page, opened again, shows the money arrived
 * (Stripe's webhook to the server).
 */
export async function payOnCardPage(page, javaScript, amount) {
  assert.match(await heading(page), new RegExp(`^Pay ${amount} by card`));
  const cardForm = page.locator('#card-form');
  if (javaScript) {
    await cardForm.waitFor({ state: 'visible', timeout: 10000 });
  } else {
    assert.match(await page.locator('body').textContent(), /Stripe's card form needs JavaScript/);
  }
  // Inside #card-element is Stripe's own form (an iframe in production; the fake's here).
  await assertAccessible(page, 'the card payment page', { exclude: '#card-element' });
  const intent = (await cardForm.getAttribute('data-client-secret')).match(/^(pi_\w+?)_secret_/)[1];
  const paid = await fetch(`${STRIPE}/v1/payment_intents/${intent}/confirm`, {
    method: 'POST',
    headers: { Authorization: 'Bearer sk_test_browser', 'Content-Type': 'application/x-www-form-urlencoded' },
    body: 'payment_method=pm_card_visa',
  });
  assert.equal(paid.status, 200);
  const url = new URL(page.url());
  const done = page.locator('dd', { hasText: 'Paid: the money is in the budget' });
  for (let tries = 0; tries < 30 && !(await done.count()); tries++) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    await open(page, url.pathname + url.search, javaScript);
  }
  await done.waitFor({ timeout: 1000 });
}

/**
 * From a service's page: books one visit of an hour at the start of the first day it works,
 * a different week for each run, mode and `slot` (so tests can run again on the same data).
 * Returns the booking's reference.
 */
export async function bookFromServicePage(page, javaScript, slot, { checkErrors = false, person = null, payByCard = false, soon = false }) {
  const firstHours = page.locator('table tbody tr').first();
  await firstHours.waitFor({ timeout: 5000 });
  await assertAccessible(page, 'the service page');
  const shortest = page.locator('.summary-list div', { hasText: 'Shortest visit' }).locator('dd');
  const minutes = Math.max(30, (await shortest.count()) ? Number((await shortest.textContent()).match(/\d+/)[0]) : 0);
  // Usually the first opening hours, weeks ahead by slot (no two journeys clash). `soon`: the
  // end of the last opening hours, within weeks, for journeys that move the server's clock there
  // (which keeps it near today) while other journeys' visits start at opening time.
  const hours = soon ? page.locator('table tbody tr').last() : firstHours;
  const day = (await hours.locator('th').textContent()).trim();
  const opens = (await hours.locator('td').first().textContent()).trim();
  const closes = (await hours.locator('td').nth(1).textContent()).trim();
  const closing = Number(closes.slice(0, 2)) * 60 + Number(closes.slice(3, 5)) - minutes;
  const time = soon ? `${String(Math.floor(closing / 60)).padStart(2, '0')}:${String(closing % 60).padStart(2, '0')}` : opens;
  const weekdays = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
  const date = new Date(Date.now() + 2 * 86400000);
  while (weekdays[date.getUTCDay()] !== day) date.setUTCDate(date.getUTCDate() + 1);
  const weeks = soon ? slot : (Math.floor(Date.now() / 60000) % 7) * 6 + slot + (javaScript ? 0 : 1);
  date.setUTCDate(date.getUTCDate() + 7 * weeks);
  const isoDate = date.toISOString().slice(0, 10);

  await Promise.all([page.waitForURL(/\/book\//), page.getByRole('link', { name: 'Book this service' }).click()]);
  await page.locator('h1', { hasText: 'When do you need care?' }).waitFor({ timeout: 5000 });
  await assertAccessible(page, 'the booking questions');
  if (checkErrors) {
    // Nothing answered: each question says what it needs.
    await page.getByRole('button', { name: 'Continue' }).click();
    const summary = page.locator('.error-summary');
    await summary.waitFor();
    assert.match(await summary.textContent(), /Choose whether you need care once or every week/);
    await assertAccessible(page, 'the booking questions with errors');
  }
  await page.getByLabel('Once').check();
  await page.getByLabel('Date of the first visit').fill(isoDate);
  await page.getByLabel('Start time').fill(time);
  await page.getByLabel(/How long each visit lasts/).fill(String(minutes));
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.locator('h1', { hasText: 'Check your answers before booking' }).waitFor();
  const answers = await page.locator('main').textContent();
  assert.match(answers, /Left after this booking/);
  if (person) assert.ok(answers.includes(person), `the booking is for ${person}`);
  await assertAccessible(page, 'check your answers');
  if (payByCard) {
    // Someone paying for their own care pays for it by card first, then comes back to confirm.
    const pay = page.getByRole('button', { name: /^Pay £[\d.,]+ by card$/ });
    const amount = (await pay.textContent()).match(/£[\d.,]+/)[0];
    await Promise.all([page.waitForURL(/\/budget\/pay\/\d+\?then=/), pay.click()]);
    await payOnCardPage(page, javaScript, amount);
    await Promise.all([page.waitForURL(/\/book\//), page.getByRole('link', { name: 'Continue to your booking' }).click()]);
    await page.locator('h1', { hasText: 'Check your answers before booking' }).waitFor();
  }

  await Promise.all([page.waitForURL(/\/bookings\/CM-/), page.getByRole('button', { name: 'Confirm and send the request' }).click()]);
  await page.locator('h1', { hasText: 'Booking request sent' }).waitFor({ timeout: 5000 });
  const reference = (await page.locator('.panel strong').textContent()).trim();
  assert.match(reference, /^CM-[A-Z2-9]{4}-[A-Z2-9]{4}$/);
  await assertAccessible(page, 'the booking confirmation');
  return { reference, start: ukInstant(isoDate, time) };
}

/** The instant a UK date and time (`2026-12-14`, `09:00`) name, summer time or not. */
export function ukInstant(date, time) {
  const asIfUtc = new Date(`${date}T${time}:00Z`);
  const shown = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(asIfUtc);
  const minutes = (hhmm) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
  return new Date(asIfUtc.getTime() - (minutes(shown) - minutes(time)) * 60000);
}

// Where the server under test writes its mail (no mail server set: one .eml file per message).
export const MAIL_DIR = process.env.CAREMARKET_MAIL_DIR;

/** The link in the newest message to `address` that matches `pattern` (quoted-printable undone),
 * in a message that mentions `about` when given (a booking's reference). */
export async function linkMailedTo(address, pattern, about = '') {
  for (let tries = 0; tries < 50; tries++) {
    const names = (await readdir(MAIL_DIR).catch(() => [])).filter((name) => name.endsWith('.eml')).sort().reverse();
    for (const name of names) {
      const raw = await readFile(join(MAIL_DIR, name), 'utf8');
      const text = raw.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, hex) => String.fromCharCode(parseInt(hex, 16)));
      if (!text.includes(`To: ${address}`) || !text.includes(about)) continue;
      const found = text.match(pattern);
      if (found) return found[0];
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`no message to ${address} with a link like ${pattern}`);
}

/** Fills in the form to open an account to arrange one's own care (on its page), sees "Check your
 * email", and follows the link mailed to `address`, which opens the account and signs them in. */
export async function openOwnAccount(page, javaScript, { name, address, password }) {
  await page.getByLabel('Your full name').fill(name);
  await page.getByLabel('Email address').fill(address);
  await page.getByLabel('Create a password').fill(password);
  await Promise.all([page.waitForURL(/\/register\/person\?sent=1/), page.getByRole('button', { name: 'Open my account' }).click()]);
  await page.getByRole('heading', { name: 'Check your email' }).waitFor({ timeout: 5000 });
  await assertAccessible(page, 'check your email');
  const link = new URL(await linkMailedTo(address, /http:\/\/[^\s"<>]+\/account\/confirm-email\?token=[0-9a-f]{64}/));
  await open(page, link.pathname + link.search, javaScript);
  await assertAccessible(page, 'confirming an email address');
  // The password chosen when registering: someone else's registration at this address cannot be opened.
  await page.getByLabel('Your password').fill(password);
  // A button, not the link itself: mail scanners open links.
  await Promise.all([page.waitForURL(/\/dashboard\//), page.getByRole('button', { name: 'Confirm and open my account' }).click()]);
}

// The server's clock (a file it reads; see server/src/clock.rs): set so a booked visit is due now.
export const CLOCK_FILE = process.env.CAREMARKET_CLOCK_FILE;

/** Sets the server's time to `instant`, or back to the real time with `null`. */
export async function setClock(instant) {
  await writeFile(CLOCK_FILE, instant ? instant.toISOString() : '');
}
