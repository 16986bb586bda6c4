// Browser tests: the pages as people use them, in headless Chromium (Debian's), with
// JavaScript on and with it off, and an axe accessibility scan of every page visited.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { AxeBuilder } from '@axe-core/playwright';

const BASE = process.env.CAREMARKET_URL ?? 'http://127.0.0.1:3000';
// localstripe, when the server under test takes card payments through it (see .ci/test).
const STRIPE = process.env.CAREMARKET_STRIPE_URL;
const PASSWORD = 'caremarket-demo';
const PEOPLE = [
  { email: 'holder@demo.test', heading: 'Your budget', path: '/dashboard/budget-holder' },
  { email: 'planner@demo.test', heading: 'Your caseload', path: '/dashboard/planner' },
  { email: 'provider@demo.test', heading: null, path: '/dashboard/provider' },
  { email: 'commissioner@demo.test', heading: 'Commissioning', path: '/dashboard/commissioner' },
];

// A small phone's screen: what many of our users have.
const VIEWPORT = { width: 390, height: 844 };
const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

let browser;
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
async function newPage(javaScriptEnabled, options = {}) {
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
  return { page, errors, close: () => context.close() };
}

/**
 * WCAG 2.2 AA: zero violations. axe runs as a script in the page, so a page opened with
 * JavaScript off is scanned as a copy: the same address and cookies in a context where scripts
 * run but the app's own are blocked, so what is scanned is exactly the server-rendered page.
 */
async function assertAccessible(page, what, { exclude = null } = {}) {
  let scanned = page;
  let scanner;
  if (page.context().javaScriptDisabled) {
    scanner = await browser.newContext({ storageState: await page.context().storageState(), viewport: VIEWPORT });
    await scanner.route(/\/pkg\/.*\.(js|wasm)$/, (route) => route.abort());
    scanned = await scanner.newPage();
    await scanned.goto(page.url());
  }
  try {
    let builder = new AxeBuilder({ page: scanned }).withTags(TAGS);
    if (exclude) builder = builder.exclude(exclude);
    const results = await builder.analyze();
    const summary = results.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
    assert.deepEqual(summary, [], `${what} has accessibility violations`);
  } finally {
    await scanner?.close();
  }
}

/** Opens a page; with JavaScript on, waits until the app has hydrated. */
async function open(page, path, javaScript) {
  const response = await page.goto(`${BASE}${path}`);
  if (javaScript) await page.locator('body[data-hydrated]').waitFor({ timeout: 20000 });
  return response;
}

async function heading(page) {
  return (await page.locator('h1').first().textContent()).trim();
}

async function signIn(page, email, javaScript) {
  await open(page, '/sign-in', javaScript);
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await Promise.all([page.waitForURL((url) => url.pathname.startsWith('/dashboard/')), page.getByRole('button', { name: 'Sign in' }).click()]);
}

for (const javaScript of [true, false]) {
  const mode = javaScript ? 'with JavaScript' : 'without JavaScript';

  test(`the home page lists services and search narrows them, ${mode}`, async () => {
    const { page, errors, close } = await newPage(javaScript);
    await open(page, '/', javaScript);
    assert.equal(await heading(page), 'Find care and support');
    await assertAccessible(page, 'home page');
    const found = async () => Number((await page.locator('h2', { hasText: 'services found' }).textContent()).match(/^(\d+)/)[1]);
    const everything = await found();
    assert.ok(everything > 0 && (await page.locator('.card').count()) > 0, 'services are listed');
    await page.getByLabel('Search for care and support').fill('dementia');
    await Promise.all([page.waitForURL(/q=dementia/), page.getByRole('button', { name: 'Search' }).click()]);
    // With JavaScript the results update in place: wait for the new count, not the old one.
    // (Without it, the new page has loaded once the URL has changed.)
    if (javaScript) {
      await page.waitForFunction((all) => [...document.querySelectorAll('h2')]
        .some((h) => /services found/.test(h.textContent) && !h.textContent.startsWith(`${all} `)), everything);
    }
    const narrowed = await found();
    assert.ok(narrowed > 0 && narrowed < everything, `searching narrows ${everything} services to ${narrowed}`);
    await page.getByLabel('Search for care and support').fill('zzzz-nothing-matches');
    await Promise.all([page.waitForURL(/q=zzzz/), page.getByRole('button', { name: 'Search' }).click()]);
    await page.locator('h2', { hasText: 'No services found' }).waitFor();
    await page.goBack();
    await page.locator('h2', { hasText: 'services found' }).waitFor();
    await assertAccessible(page, 'search results');
    await page.locator('.card-meta a').first().click();
    await page.waitForURL(/\/providers\//);
    // With JavaScript the new page renders after the address changes: wait for it, briefly.
    await page.locator('h2', { hasText: 'Services' }).waitFor({ timeout: 5000 });
    assert.equal(await page.locator('h2', { hasText: 'Services' }).count(), 1, 'the provider page lists services');
    await assertAccessible(page, 'provider page');
    assert.deepEqual(errors, []);
    await close();
  });

  test(`each role signs in to its own dashboard and signs out, ${mode}`, async () => {
    for (const person of PEOPLE) {
      const { page, errors, close } = await newPage(javaScript);
      await signIn(page, person.email, javaScript);
      assert.equal(new URL(page.url()).pathname, person.path);
      if (person.heading) {
        await page.locator('h1', { hasText: person.heading }).waitFor({ timeout: 5000 });
        assert.equal(await heading(page), person.heading);
      }
      await assertAccessible(page, `${person.email}'s dashboard`);
      const other = PEOPLE.find((p) => p !== person);
      const refused = await page.goto(`${BASE}${other.path}`);
      assert.equal(refused.status(), 403);
      assert.equal(await heading(page), 'You do not have access to this page');
      await assertAccessible(page, 'the refusal page');
      await open(page, person.path, javaScript);
      await Promise.all([page.waitForURL(`${BASE}/`), page.getByRole('button', { name: /Sign out/ }).click()]);
      await page.goto(`${BASE}${person.path}`);
      assert.match(page.url(), /\/sign-in\?next=/, 'signed out: the dashboard asks to sign in again');
      assert.deepEqual(errors, []);
      await close();
    }
  });

  test(`a failed sign-in shows an error summary that links to the fields, ${mode}`, async () => {
    const { page, errors, close } = await newPage(javaScript);
    await open(page, '/sign-in', javaScript);
    await assertAccessible(page, 'sign-in page');
    await page.getByLabel('Email address').fill('holder@demo.test');
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    const summary = page.locator('.error-summary');
    await summary.waitFor();
    assert.match(await summary.textContent(), /Enter the email address and password you registered with/);
    await assertAccessible(page, 'sign-in page with an error');
    assert.deepEqual(errors, []);
    await close();
  });

  test(`provider registration reports each problem against its field, ${mode}`, async () => {
    const { page, errors, close } = await newPage(javaScript);
    await open(page, '/register', javaScript);
    await assertAccessible(page, 'registration page');
    await page.getByLabel('Organisation name').fill('Browser Test Care');
    await page.getByLabel('Email address').fill('not an email');
    await page.getByLabel('Create a password').fill('short');
    await page.getByRole('button', { name: 'Register' }).click();
    const summary = page.locator('.error-summary');
    await summary.waitFor();
    const text = await summary.textContent();
    assert.match(text, /Enter a telephone number/);
    assert.match(text, /Enter an email address in the correct format/);
    assert.match(text, /at least 12 characters/);
    await summary.getByRole('link', { name: /Enter an email address/ }).click();
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'email', 'the summary link moves focus to the field');
    await assertAccessible(page, 'registration page with errors');
    assert.deepEqual(errors, []);
    await close();
  });
  test(`a provider adds a service, fixes a mistake, publishes it and people find it, ${mode}`, async () => {
    const { page, errors, close } = await newPage(javaScript);
    // A word no other service has, new each run, so the test can be run again on the same data.
    const word = `${javaScript ? 'Zephyrine' : 'Quillmoor'}${Date.now() % 1000000}`;
    const title = `${word} evening visits`;
    await signIn(page, 'provider@demo.test', javaScript);
    await Promise.all([page.waitForURL(/\/provider\/listings$/), page.getByRole('link', { name: 'Manage your services' }).click()]);
    await page.locator('h1', { hasText: 'Your services' }).waitFor({ timeout: 5000 });
    await assertAccessible(page, 'your services');
    await Promise.all([page.waitForURL(/\/provider\/listings\/new$/), page.getByRole('link', { name: 'Add a service' }).click()]);
    await page.locator('h1', { hasText: 'Add a service' }).waitFor({ timeout: 5000 });
    await assertAccessible(page, 'the new service form');
    // Without JavaScript a refused form comes back empty, so both attempts fill it in whole.
    const fillIn = async (price) => {
      await page.getByLabel('Type of care and support').selectOption({ label: 'Home care' });
      await page.getByLabel('Title').fill(title);
      await page.getByLabel('Description').fill('Help with meals and getting ready for bed, from carers you get to know.');
      await page.getByLabel('Price in pounds').fill(price);
      await page.getByLabel('Postcode districts you cover').fill('NE3, NE4');
      await page.locator('#hours-0-opens').fill('17:00');
      await page.locator('#hours-0-closes').fill('21:30');
      await page.getByLabel('Dementia').check();
    };
    await fillIn('about twenty');
    await page.getByRole('button', { name: 'Save' }).click();
    const summary = page.locator('.error-summary');
    await summary.waitFor();
    assert.match(await summary.textContent(), /Enter the price in pounds and pence, like 24.50/);
    await assertAccessible(page, 'the service form with an error');
    await fillIn('18.75');
    await Promise.all([page.waitForURL(/\/provider\/listings\?saved=/), page.getByRole('button', { name: 'Save' }).click()]);
    await page.getByText('Your service is saved').waitFor({ timeout: 5000 });
    const row = page.locator('tr', { hasText: title });
    assert.match(await row.textContent(), /Draft/);
    assert.match(await row.textContent(), /£18.75 an hour/);
    await row.getByRole('button', { name: `Publish: ${title}` }).click();
    await page.locator('tr', { hasText: title }).locator('.tag-published').waitFor({ timeout: 5000 });
    await assertAccessible(page, 'your services after publishing');
    // The search index takes the change from the outbox within moments: look again until it has.
    const card = page.locator('.card', { hasText: title });
    for (let tries = 0; tries < 25 && (await card.count()) === 0; tries += 1) {
      await open(page, `/?q=${word}`, javaScript);
      if ((await card.count()) === 0) await page.waitForTimeout(200);
    }
    await card.waitFor({ timeout: 1000 });
    assert.deepEqual(errors, []);
    await close();
  });
  test(`a provider corrects its organisation's details and its public page shows them, ${mode}`, async () => {
    const { page, errors, close } = await newPage(javaScript);
    const phone = `0191 496 ${String(Date.now() % 10000).padStart(4, '0')}`;
    await signIn(page, 'provider@demo.test', javaScript);
    await Promise.all([page.waitForURL(/\/provider\/profile$/), page.getByRole('link', { name: "Your organisation's details" }).click()]);
    await page.getByLabel('Telephone for enquiries').waitFor({ timeout: 5000 });
    await assertAccessible(page, 'the organisation profile');
    await page.getByLabel('Telephone for enquiries').fill('ring us');
    await page.getByRole('button', { name: 'Save and confirm' }).click();
    const summary = page.locator('.error-summary');
    await summary.waitFor();
    assert.match(await summary.textContent(), /Enter a telephone number, like 0191 496 0000/);
    await assertAccessible(page, 'the organisation profile with an error');
    await page.getByLabel('Telephone for enquiries').fill(phone);
    await Promise.all([page.waitForURL(/\/provider\/profile\?saved=1$/), page.getByRole('button', { name: 'Save and confirm' }).click()]);
    await page.getByText('saved and confirmed').waitFor({ timeout: 5000 });
    await open(page, '/dashboard/provider', javaScript);
    await Promise.all([page.waitForURL(/\/providers\//), page.getByRole('link', { name: 'See your public page' }).click()]);
    await page.getByText(phone).waitFor({ timeout: 5000 });
    assert.deepEqual(errors, []);
    await close();
  });

  test(`anyone can see how a lot ranks its providers and why, ${mode}`, async () => {
    const { page, errors, close } = await newPage(javaScript);
    await open(page, '/', javaScript);
    await Promise.all([page.waitForURL(/\/lots$/), page.getByRole('link', { name: 'How providers are ranked' }).click()]);
    await page.locator('h1', { hasText: 'How providers are ranked' }).waitFor({ timeout: 5000 });
    await assertAccessible(page, 'the list of lots');
    await Promise.all([page.waitForURL(/\/lots\/\d+$/), page.locator('main li a').first().click()]);
    await page.locator('h2', { hasText: 'Ranked providers' }).waitFor({ timeout: 5000 });
    const first = page.locator('tbody tr').first();
    assert.equal((await first.locator('td').first().textContent()).trim(), '1');
    assert.match(await first.locator('.hint').textContent(), /^1st of \d+ on .+: quality \d+, price £[\d,]+\.\d\d /);
    await assertAccessible(page, 'a lot\'s ranked table');
    assert.deepEqual(errors, []);
    await close();
  });
  test(`a commissioner starts a framework and adds a lot to it, ${mode}`, async () => {
    const { page, errors, close } = await newPage(javaScript);
    const name = `Day opportunities ${javaScript ? 'A' : 'B'}${Date.now() % 1000000}`;
    await signIn(page, 'commissioner@demo.test', javaScript);
    await Promise.all([page.waitForURL(/\/frameworks$/), page.getByRole('link', { name: 'Frameworks and lots' }).click()]);
    await page.getByRole('heading', { name: 'Start a framework' }).waitFor({ timeout: 5000 });
    await assertAccessible(page, 'frameworks and lots');
    await page.getByLabel('Name').fill(name);
    await page.getByLabel('Starts on').fill('2027-04-01');
    await page.getByLabel('Ends on').fill('2027-03-01');
    await page.getByRole('button', { name: 'Start framework' }).click();
    const summary = page.locator('.error-summary');
    await summary.waitFor();
    assert.match(await summary.textContent(), /The end date must be after the start date/);
    await assertAccessible(page, 'the framework form with an error');
    await page.getByLabel('Name').fill(name);
    await page.getByLabel('Starts on').fill('2027-04-01');
    await page.getByLabel('Ends on').fill('2031-03-31');
    await Promise.all([page.waitForURL(/created=framework/), page.getByRole('button', { name: 'Start framework' }).click()]);
    await page.getByRole('heading', { name }).waitFor({ timeout: 5000 });
    await page.getByLabel('Framework', { exact: true }).selectOption({ label: name });
    await page.getByLabel('Type of care').selectOption({ label: 'Day opportunities' });
    await page.getByLabel('Area').selectOption({ index: 1 });
    await page.getByLabel('What the price cap is for').selectOption({ label: 'Per day' });
    await page.getByLabel('Price cap in pounds').fill('65.00');
    await Promise.all([page.waitForURL(/\/lots\/\d+$/), page.getByRole('button', { name: 'Add lot' }).click()]);
    await page.getByText('Quality counts for 60% and price for 40%').waitFor({ timeout: 5000 });
    await assertAccessible(page, 'the new lot');
    assert.deepEqual(errors, []);
    await close();
  });

  test(`a commissioner opens every report, changes its filters and downloads its figures, ${mode}`, async () => {
    const { page, errors, close } = await newPage(javaScript);
    await signIn(page, 'commissioner@demo.test', javaScript);
    await Promise.all([page.waitForURL(/\/reports$/), page.getByRole('link', { name: /^Reports/ }).click()]);
    await assertAccessible(page, 'the list of reports');
    const reports = await page.locator('.report-list a').evaluateAll((links) => links.map((a) => a.getAttribute('href')));
    assert.equal(reports.length, 8);
    for (const report of reports) {
      await open(page, report, javaScript);
      await page.locator('table.report-table').waitFor();
      await assertAccessible(page, `report ${report}`);
      await page.getByLabel('First day').fill('2026-01-01');
      if (report === '/reports/placements') await page.getByLabel('Break down').selectOption({ label: 'Type of care' });
      if (report === '/reports/savings') await page.getByLabel(/How much lower unit prices are/).fill('10');
      await Promise.all([page.waitForURL(/from=2026-01-01/), page.getByRole('button', { name: 'Show figures' }).click()]);
      await page.locator('caption', { hasText: '2026-01-01' }).waitFor();
      if (report === '/reports/placements') await page.locator('th[scope=col]', { hasText: 'Type of care' }).waitFor({ state: 'attached' });
      if (report === '/reports/savings') await page.getByText('Unit prices lower than the baseline by 10%').waitFor();
      const rows = await page.locator('table.report-table tbody tr').count();
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download these figures (CSV)' }).click()]);
      const csv = readFileSync(await download.path(), 'utf8').trim().split('\r\n');
      const header = await page.locator('table.report-table th[scope=col]').allTextContents();
      assert.equal(csv[0], header.join(','), `${report}: the CSV has the table's columns`);
      assert.equal(csv.length - 1, rows, `${report}: the CSV has the table's rows`);
    }
    // A bad filter is named, and no figures are shown.
    await open(page, '/reports/placements?from=2026-05-01&to=2026-04-01', javaScript);
    assert.match(await page.locator('.error-summary').textContent(), /The last day must be the same as or after the first day/);
    assert.equal(await page.locator('table.report-table').count(), 0);
    await assertAccessible(page, 'a report with a bad filter');
    assert.deepEqual(errors, []);
    await close();
  });

  test(`a commissioner imports offline placements, all or nothing, ${mode}`, async () => {
    const { page, errors, close } = await newPage(javaScript);
    await signIn(page, 'commissioner@demo.test', javaScript);
    await Promise.all([page.waitForURL(/\/offline-placements$/), page.getByRole('link', { name: 'Placements made outside CareMarket' }).click()]);
    await assertAccessible(page, 'offline placements');
    const header = 'date,type of care,area,weekly value';
    await page.getByLabel('Rows to import').fill(`${header}\n2026-04-01,Home care,,350.00\n2026-04-31,Home care,,350.00`);
    await page.getByRole('button', { name: 'Import placements' }).click();
    const summary = page.locator('.error-summary');
    await summary.waitFor();
    assert.match(await summary.textContent(), /Line 3: Enter the date the placement was made/);
    await assertAccessible(page, 'an import with a bad row');
    const good = `${header}\n2026-04-01,Home care,,350.00\n2026-04-02,Respite and short breaks,,"1,050.00"\n`;
    if (javaScript) {
      // With JavaScript a file can be chosen: its rows go into the box, to be sent as if pasted.
      const chooser = page.getByLabel('Choose the CSV file');
      await chooser.waitFor();
      await chooser.setInputFiles({ name: 'placements.csv', mimeType: 'text/csv', buffer: Buffer.from(good) });
      await page.getByText('placements.csv is in the box below').waitFor();
      assert.equal(await page.getByLabel('Rows to import').inputValue(), good);
    } else {
      assert.equal(await page.getByLabel('Choose the CSV file').isVisible(), false, 'without JavaScript the rows are pasted');
      await page.getByLabel('Rows to import').fill(good);
    }
    await Promise.all([page.waitForURL(/recorded=2/), page.getByRole('button', { name: 'Import placements' }).click()]);
    await page.getByText('2 placements recorded.').waitFor();
    await assertAccessible(page, 'offline placements after an import');
    assert.deepEqual(errors, []);
    await close();
  });

  test(`a commissioner suspends a provider with a reason and reinstates it, ${mode}`, async () => {
    const { page, errors, close } = await newPage(javaScript);
    await signIn(page, 'commissioner@demo.test', javaScript);
    await open(page, '/lots', javaScript);
    await Promise.all([page.waitForURL(/\/lots\/\d+$/), page.locator('main li a').first().click()]);
    await page.locator('h2', { hasText: 'Manage this lot' }).waitFor({ timeout: 5000 });
    await assertAccessible(page, 'a lot with its management forms');
    const leader = (await page.locator('tbody tr').first().locator('th a').textContent()).trim();
    await page.getByLabel('Provider to suspend').selectOption({ label: leader });
    await page.getByRole('button', { name: 'Suspend provider' }).click();
    const summary = page.locator('.error-summary');
    await summary.waitFor();
    assert.match(await summary.textContent(), /Enter why the provider is suspended/);
    await assertAccessible(page, 'the suspension form with an error');
    await page.getByLabel('Provider to suspend').selectOption({ label: leader });
    await page.getByLabel('Reason').fill('Browser test: missed visits under review');
    await page.getByRole('button', { name: 'Suspend provider' }).click();
    // Both the ranked table and the management panel are redrawn: wait for both to settle.
    const firstIs = (name) => document.querySelector('tbody tr th a')?.textContent.trim() === name;
    await page.waitForFunction((name) => document.querySelector('tbody tr th a')?.textContent.trim() !== name, leader, { timeout: 10000 });
    const reinstate = page.getByRole('button', { name: `Reinstate ${leader}` });
    await reinstate.waitFor({ timeout: 10000 });
    assert.match(await page.locator('main').textContent(), /missed visits under review/, 'the reason is shown');
    await page.waitForLoadState('networkidle');
    await reinstate.click();
    await page.waitForFunction(firstIs, leader, { timeout: 15000 });
    assert.deepEqual(errors, []);
    await close();
  });
  test(`search understands a family's words, shows what it read as chips that can be removed, and asks where "near me" is, ${mode}`, async () => {
    const { page, errors, close } = await newPage(javaScript);
    await open(page, '/?q=polish+speaking+carer', javaScript);
    const chip = page.getByRole('link', { name: 'Remove Speaks Polish' });
    await chip.waitFor({ timeout: 5000 });
    assert.ok((await page.locator('.card').count()) > 0, 'Polish-speaking carers are found');
    await assertAccessible(page, 'results with what the words were read as');
    await Promise.all([page.waitForURL(/ignore=language/), chip.click()]);
    await page.locator('#results-heading').waitFor({ timeout: 5000 });
    await page.waitForFunction(() => !document.querySelector('.chips'), null, { timeout: 5000 });
    assert.ok((await page.locator('.card').count()) > 0, 'without the language, carers are still found');
    await open(page, '/?q=someone+to+help+my+mum+get+washed+and+dressed+near+me', javaScript);
    const postcode = page.getByLabel('To see services near you, enter your postcode');
    await postcode.waitFor({ timeout: 5000 });
    assert.ok((await page.locator('.card').count()) > 0, 'care is found in a family member\'s words');
    await assertAccessible(page, 'a search that asks for a postcode');
    await postcode.fill('NE3');
    await Promise.all([page.waitForURL(/postcode=NE3/), page.getByRole('button', { name: 'Show services near me' }).click()]);
    await page.locator('.card').first().waitFor({ timeout: 5000 });
    assert.match(await page.locator('.card').first().textContent(), /km/, 'results say how far away they are');
    assert.deepEqual(errors, []);
    await close();
  });

  test(`"near me" can be where the browser says the person is, if they allow it, ${mode}`, async () => {
    // In Gosforth (NE3), and this profile lets the page know it.
    const { page, errors, close } = await newPage(javaScript, { geolocation: { latitude: 55.005, longitude: -1.62 }, permissions: ['geolocation'] });
    await open(page, '/?q=home+care+near+me', javaScript);
    await page.getByLabel('To see services near you, enter your postcode').waitFor({ timeout: 5000 });
    const useLocation = page.getByRole('button', { name: 'Use my location' });
    if (!javaScript) {
      assert.equal(await useLocation.count(), 0, 'without JavaScript the location cannot be asked for, so no button offers it');
      await close();
      return;
    }
    await assertAccessible(page, 'a search that can use the browser\'s location');
    await Promise.all([page.waitForURL(/postcode=NE3/), useLocation.click()]);
    await page.locator('.card').first().waitFor({ timeout: 5000 });
    assert.match(await page.locator('.card').first().textContent(), /km/, 'results say how far away they are');
    assert.equal(await useLocation.count(), 0, 'the postcode is known now, so it is not asked for');
    assert.deepEqual(errors, []);
    await close();
    // Someone who does not allow it is told, and the postcode field is still there.
    const refused = await newPage(true);
    await open(refused.page, '/?q=home+care+near+me', true);
    await refused.page.getByRole('button', { name: 'Use my location' }).click();
    await refused.page.getByText('Your browser did not let us use your location: enter your postcode instead').waitFor({ timeout: 5000 });
    assert.ok(!refused.page.url().includes('postcode='), 'nothing was searched for');
    assert.deepEqual(refused.errors, []);
    await refused.close();
  });

  test(`search follows typing, filters narrow it and cards explain their framework rank, ${mode}`, async () => {
    const { page, errors, close } = await newPage(javaScript);
    await open(page, '/', javaScript);
    const box = page.getByLabel('Search for care and support');
    const count = page.locator('#results-heading');
    const total = async () => Number((await count.textContent()).match(/^(\d+)/)?.[1] ?? 0);
    const everything = await total();
    if (javaScript) {
      // Typed, not submitted: the results follow, and the cursor stays in the box.
      await box.pressSequentially('home car', { delay: 40 });
      await page.waitForURL(/q=home\+car/);
      await page.waitForFunction((all) => !document.querySelector('#results-heading')?.textContent.startsWith(`${all} `), everything);
      assert.equal(await page.evaluate(() => document.activeElement?.id), 'q', 'focus stays in the search box');
      assert.match(await page.locator('[aria-live="polite"]').textContent(), /services? found/);
    } else {
      await box.fill('home car');
      await Promise.all([page.waitForURL(/q=home\+car/), page.getByRole('button', { name: 'Search', exact: true }).click()]);
    }
    const typed = await total();
    assert.ok(typed > 0 && typed < everything, `"home car" finds ${typed} of ${everything}`);
    await assertAccessible(page, 'search results');
    await page.locator('summary', { hasText: 'Filter and sort' }).click();
    await page.getByLabel('Only services on a council framework').check();
    await page.getByLabel('Sort by').selectOption({ label: 'Lowest price' });
    await Promise.all([page.waitForURL(/framework=yes/), page.getByRole('button', { name: 'Apply' }).click()]);
    await page.locator('.card-rank').first().waitFor({ timeout: 5000 });
    const cards = page.locator('.card');
    assert.equal(await page.locator('.card-rank').count(), await cards.count(), 'every framework card explains its rank');
    assert.match(await page.locator('.card-rank').first().textContent(), /^Council framework: \d+(st|nd|rd|th) of \d+ on /);
    await assertAccessible(page, 'filtered results');
    const rank = (await page.locator('.card-rank').first().textContent()).replace('Council framework: ', '').trim();
    await cards.first().locator('h3 a').click();
    await page.waitForURL(/\/services\//);
    await page.locator('.notice', { hasText: rank }).waitFor({ timeout: 5000 });
    await assertAccessible(page, 'a service page');
    await page.locator('.lead a').click();
    await page.waitForURL(/\/providers\//);
    await page.locator('h2', { hasText: 'Services' }).waitFor({ timeout: 5000 });
    assert.deepEqual(errors, []);
    await close();
  });
  test(`a budget holder books care, checks the cost, confirms and sees it on the statement, ${mode}`, async () => {
    const { page, errors, close } = await newPage(javaScript);
    await signIn(page, 'holder@demo.test', javaScript);
    // Services open on Monday mornings: each has hours to book within.
    await open(page, '/?category=home_care&day=1&time=09:00', javaScript);
    await assertAccessible(page, 'the search for a service');
    await page.locator('.card h3 a').first().click();
    await page.waitForURL(/\/services\//);
    const reference = await bookFromServicePage(page, javaScript, 0, { checkErrors: true });
    await Promise.all([page.waitForURL(/\/budget\/statement/), page.getByRole('link', { name: 'See the budget statement' }).click()]);
    await page.locator('td', { hasText: `Set aside for care booked, booking ${reference}` }).waitFor({ timeout: 5000 });
    await assertAccessible(page, 'the budget statement');
    assert.deepEqual(errors, []);
    await close();
  });

  test(`a planner the person trusts acts for them, books for them, and the person sees it, ${mode}`, async () => {
    const holder = await newPage(javaScript);
    await signIn(holder.page, 'holder@demo.test', javaScript);
    const holderName = (await holder.page.locator('.signed-in-as').textContent()).match(/Signed in as (.+) \(/)[1];
    await open(holder.page, '/budget/helpers', javaScript);
    await holder.page.locator('h1', { hasText: 'People who can help you' }).waitFor({ timeout: 5000 });
    await assertAccessible(holder.page, 'the helpers page');
    await holder.page.getByLabel('Their email address').fill('planner@demo.test');
    await holder.page.getByLabel('Book and cancel care for me').check();
    await Promise.all([holder.page.waitForURL(/asked=1/), holder.page.getByRole('button', { name: 'Ask them to help' }).click()]);
    await holder.page.locator('.notice', { hasText: 'We have asked them' }).waitFor({ timeout: 5000 });
    await assertAccessible(holder.page, 'a request to help, waiting for an answer');

    // Nothing works until the planner accepts.
    const planner = await newPage(javaScript);
    await signIn(planner.page, 'planner@demo.test', javaScript);
    await planner.page.locator('h2', { hasText: 'People asking for your help' }).waitFor({ timeout: 5000 });
    await assertAccessible(planner.page, 'a request to help');
    await Promise.all([planner.page.waitForURL(/accepted=1/), planner.page.getByRole('button', { name: `Accept: help ${holderName}` }).click()]);
    await planner.page.getByRole('button', { name: `Act for ${holderName}` }).waitFor({ timeout: 5000 });
    await assertAccessible(planner.page, 'the caseload');
    await Promise.all([planner.page.waitForURL(`${BASE}/`), planner.page.getByRole('button', { name: `Act for ${holderName}` }).click()]);
    await planner.page.locator('.acting-for', { hasText: `You are acting for ${holderName}` }).waitFor({ timeout: 5000 });
    await assertAccessible(planner.page, 'search while acting for someone');
    await open(planner.page, '/?category=home_care&day=1&time=09:00', javaScript);
    await assertAccessible(planner.page, 'the search for a service, for someone');
    await planner.page.locator('.card h3 a').nth(1).click();
    await planner.page.waitForURL(/\/services\//);
    const reference = await bookFromServicePage(planner.page, javaScript, 2, { person: holderName });

    await open(holder.page, '/budget/helpers', javaScript);
    await holder.page.locator('td', { hasText: `Asked for care (booking ${reference})` }).waitFor({ timeout: 5000 });
    await assertAccessible(holder.page, 'done on your behalf');
    await Promise.all([holder.page.waitForURL(/removed=1/), holder.page.getByRole('button', { name: /^Stop .* acting for you$/ }).first().click()]);
    await open(planner.page, '/', javaScript);
    assert.equal(await planner.page.locator('.acting-for').count(), 0, 'the banner goes once permission is taken back');
    assert.deepEqual([...holder.errors, ...planner.errors], []);
    await holder.close();
    await planner.close();
  });

  test(`a commissioner opens a budget with its care plan and a helper's account, the person sets up their account and asks the helper, ${mode}`, async () => {
    const tag = javaScript ? 'js' : 'nojs';
    const person = { name: `Amira Shah ${tag}`, email: `amira.${tag}@example.org`, password: 'a long new password' };
    const helper = { name: `Rosa Diaz ${tag}`, email: `rosa.${tag}@family.example`, password: 'a long family password' };
    const codeShown = async (page) => (await page.locator('.panel p strong').nth(1).textContent()).trim();
    const setUp = async (page, who, code) => {
      await open(page, '/account/set-up', javaScript);
      await assertAccessible(page, 'setting up an account');
      await page.getByLabel('Email address').fill(who.email);
      await page.getByLabel('Your code').fill(code);
      await page.getByLabel('Choose a password').fill(who.password);
      await Promise.all([page.waitForURL((url) => url.pathname.startsWith('/dashboard/')), page.getByRole('button', { name: 'Set up my account' }).click()]);
    };

    const council = await newPage(javaScript);
    await signIn(council.page, 'commissioner@demo.test', javaScript);
    await open(council.page, '/budgets', javaScript);
    await assertAccessible(council.page, 'personal budgets');
    await council.page.getByLabel("The person's full name").fill(person.name);
    await council.page.getByLabel('Their email address').fill(person.email);
    await council.page.getByLabel('Direct payment: any listed provider').check();
    await council.page.getByLabel('Paid in every 4 weeks, in pounds').fill('840.00');
    await council.page.getByLabel('Start date').fill(new Date().toISOString().slice(0, 10));
    await council.page.getByLabel(/Shortest home care visit in the care plan, in minutes \(optional\)/).fill('15');
    await Promise.all([council.page.waitForURL(/code=/), council.page.getByRole('button', { name: 'Open the budget' }).click()]);
    await council.page.locator('.panel h2', { hasText: 'Budget opened' }).waitFor();
    const personCode = await codeShown(council.page);
    const row = council.page.locator('tr', { hasText: person.name });
    await row.getByText('Care plan: home care visits of at least 15 minutes').waitFor();
    await assertAccessible(council.page, 'a budget just opened, with its code');
    // The care plan changes: visits of at least 20 minutes.
    await row.getByText('Change the shortest visit').click();
    await row.getByLabel('Shortest home care visit in the care plan, in minutes').fill('20');
    await Promise.all([council.page.waitForURL(/shortest=1/), row.getByRole('button', { name: `Save ${person.name}'s shortest visit` }).click()]);
    await council.page.locator('tr', { hasText: person.name }).getByText('Care plan: home care visits of at least 20 minutes').waitFor();

    // The helper's account: the council opens it and hands over its code.
    await council.page.getByLabel("The helper's full name").fill(helper.name);
    await council.page.getByLabel("The helper's email address").fill(helper.email);
    await Promise.all([council.page.waitForURL(/helper_code=/), council.page.getByRole('button', { name: "Open the helper's account" }).click()]);
    await council.page.locator('.panel h2', { hasText: "Helper's account opened" }).waitFor();
    const helperCode = await codeShown(council.page);
    await assertAccessible(council.page, "a helper's account just opened, with its code");

    const holder = await newPage(javaScript);
    await setUp(holder.page, person, personCode);
    await open(holder.page, '/budget/helpers', javaScript);
    await holder.page.getByLabel('Their email address').fill(helper.email);
    await holder.page.getByLabel('Book and cancel care for me').check();
    await Promise.all([holder.page.waitForURL(/asked=1/), holder.page.getByRole('button', { name: 'Ask them to help' }).click()]);

    const family = await newPage(javaScript);
    await setUp(family.page, helper, helperCode);
    await Promise.all([family.page.waitForURL(/accepted=1/), family.page.getByRole('button', { name: `Accept: help ${person.name}` }).click()]);
    await family.page.getByRole('button', { name: `Act for ${person.name}` }).waitFor();
    assert.equal(await family.page.getByRole('button', { name: /^Act for / }).count(), 1, 'only the person who asked');
    await assertAccessible(family.page, "a family member's caseload");
    assert.deepEqual([...council.errors, ...holder.errors, ...family.errors], []);
    await council.close();
    await holder.close();
    await family.close();
  });

  test(`a provider answers a request and a commissioner sees what is owed, ${mode}`, async () => {
    const provider = await newPage(javaScript);
    await signIn(provider.page, 'provider@demo.test', javaScript);
    const publicPage = await provider.page.getByRole('link', { name: 'See your public page' }).getAttribute('href');
    const holder = await newPage(javaScript);
    await signIn(holder.page, 'holder@demo.test', javaScript);
    await open(holder.page, publicPage, javaScript);
    await holder.page.locator('.card h3 a').first().click();
    await holder.page.waitForURL(/\/services\//);
    const reference = await bookFromServicePage(holder.page, javaScript, 4, {});

    await Promise.all([provider.page.waitForURL(/\/provider\/bookings/), provider.page.getByRole('link', { name: 'Booking requests and visits' }).click()]);
    const request = provider.page.locator('li.card', { hasText: `Reference ${reference}` });
    await request.waitFor({ timeout: 5000 });
    await assertAccessible(provider.page, 'booking requests');
    await Promise.all([provider.page.waitForURL(/done=1/), request.getByRole('button', { name: /^Accept:/ }).click()]);
    await provider.page.locator('.notice', { hasText: 'Done' }).waitFor({ timeout: 5000 });
    assert.equal(await provider.page.locator('li.card', { hasText: `Reference ${reference}` }).getByRole('button', { name: /^Accept:/ }).count(), 0, 'no longer waiting');
    await open(holder.page, `/bookings/${reference}`, javaScript);
    await holder.page.locator('dd', { hasText: 'Confirmed' }).waitFor({ timeout: 5000 });

    const commissioner = await newPage(javaScript);
    await signIn(commissioner.page, 'commissioner@demo.test', javaScript);
    await Promise.all([commissioner.page.waitForURL(/\/payments/), commissioner.page.getByRole('link', { name: 'Paying providers' }).click()]);
    await commissioner.page.locator('h1', { hasText: 'Paying providers' }).waitFor({ timeout: 5000 });
    await assertAccessible(commissioner.page, 'paying providers');
    assert.deepEqual([...provider.errors, ...holder.errors, ...commissioner.errors], []);
    for (const context of [provider, holder, commissioner]) await context.close();
  });
}

for (const javaScript of [true, false]) {
  const mode = javaScript ? 'with JavaScript' : 'without JavaScript';

  test(`a budget holder tops up their budget by card and sees the money arrive, ${mode}`, { skip: !STRIPE && 'CAREMARKET_STRIPE_URL not set' }, async () => {
    const { page, errors, close } = await newPage(javaScript);
    await signIn(page, 'holder@demo.test', javaScript);
    await open(page, '/budget/statement', javaScript);
    await Promise.all([page.waitForURL(/\/budget\/pay$/), page.getByRole('link', { name: 'Pay your contribution or a top-up by card' }).click()]);
    await assertAccessible(page, 'the pay by card form');
    await page.getByLabel('Amount, in pounds').fill('');
    await page.getByRole('button', { name: 'Continue to card details' }).click();
    const summary = page.locator('.error-summary');
    await summary.waitFor({ timeout: 5000 });
    assert.match(await summary.textContent(), /Choose whether this is your contribution or a top-up/);
    await page.getByLabel('A top-up to my budget').check();
    await page.getByLabel('Amount, in pounds').fill('12.34');
    await Promise.all([page.waitForURL(/\/budget\/pay\/\d+$/), page.getByRole('button', { name: 'Continue to card details' }).click()]);
    await payOnCardPage(page, javaScript, '£12.34');
    await Promise.all([page.waitForURL(/\/budget\/statement/), page.getByRole('link', { name: 'See the budget statement' }).click()]);
    await page.locator('td', { hasText: 'Top-up by card' }).first().waitFor({ timeout: 5000 });
    assert.deepEqual(errors, []);
    await close();
  });

  test(`someone paying for their own care opens an account, pays for a visit by card and books it, ${mode}`, { skip: !STRIPE && 'CAREMARKET_STRIPE_URL not set' }, async () => {
    const { page, errors, close } = await newPage(javaScript);
    await open(page, '/sign-in', javaScript);
    await Promise.all([page.waitForURL(/\/register\/person$/), page.getByRole('link', { name: 'open an account' }).click()]);
    await assertAccessible(page, 'opening an account');
    await page.getByLabel('Your full name').fill('Sam Okafor');
    await page.getByLabel('Email address').fill(`sam-${Date.now()}-${javaScript ? 'js' : 'nojs'}@example.test`);
    await page.getByLabel('Create a password').fill('a long enough password');
    await Promise.all([page.waitForURL(/\/dashboard\//), page.getByRole('button', { name: 'Open my account' }).click()]);
    await open(page, '/?category=home_care&day=1&time=09:00', javaScript);
    await page.locator('.card h3 a').first().click();
    await page.waitForURL(/\/services\//);
    await bookFromServicePage(page, javaScript, 2, { payByCard: true });
    // What was paid is set aside for the visit now: it cannot go back to the card.
    await open(page, '/budget/pay', javaScript);
    await assertAccessible(page, 'card payments, with a refund button');
    await page.getByRole('button', { name: /^Refund £[\d.,]+ to my card/ }).click();
    const summary = page.locator('.error-summary');
    await summary.waitFor({ timeout: 5000 });
    assert.match(await summary.textContent(), /less than this payment of £[\d.,]+: cancel care you no longer need first/);
    assert.deepEqual(errors, []);
    await close();
  });
}

/**
 * On a card payment's page: Stripe's card form shows (or, without JavaScript, why it needs it);
 * the card is paid as Stripe.js would, and the page, opened again, shows the money arrived
 * (Stripe's webhook to the server).
 */
async function payOnCardPage(page, javaScript, amount) {
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
async function bookFromServicePage(page, javaScript, slot, { checkErrors = false, person = null, payByCard = false }) {
  const firstHours = page.locator('table tbody tr').first();
  await firstHours.waitFor({ timeout: 5000 });
  await assertAccessible(page, 'the service page');
  const day = (await firstHours.locator('th').textContent()).trim();
  const opens = (await firstHours.locator('td').first().textContent()).trim();
  const shortest = page.locator('.summary-list div', { hasText: 'Shortest visit' }).locator('dd');
  const minutes = Math.max(30, (await shortest.count()) ? Number((await shortest.textContent()).match(/\d+/)[0]) : 0);
  const weekdays = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
  const date = new Date(Date.now() + 2 * 86400000);
  while (weekdays[date.getUTCDay()] !== day) date.setUTCDate(date.getUTCDate() + 1);
  date.setUTCDate(date.getUTCDate() + 7 * ((Math.floor(Date.now() / 60000) % 7) * 6 + slot + (javaScript ? 0 : 1)));
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
  await page.getByLabel('Start time').fill(opens);
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
  return reference;
}
