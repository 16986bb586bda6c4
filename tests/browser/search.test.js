// Browser tests, with JavaScript on and off and an axe scan of every page visited. Finding care: the
// home page and search in people's own words, the lots and how they rank.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, newPage, assertAccessible, open, heading } from './support.js';

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
    assert.match(await first.locator('.hint').textContent(), /^1st of \d+ on .+: quality \d+ \((no reviews yet|\d+ reviews? averaging \d\.\d stars)\), price £[\d,]+\.\d\d /);
    await assertAccessible(page, 'a lot\'s ranked table');
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
}

test('the bundle is kept by browsers for a year, at an address that names its contents', async () => {
  const html = await (await fetch(`${BASE}/`)).text();
  const address = html.match(/\/pkg\/([0-9a-f]{16})\/caremarket\.wasm/);
  assert.ok(address, 'the page loads the wasm from a hashed address');
  for (const file of ['caremarket.wasm', 'caremarket.js', 'caremarket.css']) {
    assert.ok(html.includes(`/pkg/${address[1]}/${file}`), `the page names ${file} at the same address`);
    const served = await fetch(`${BASE}/pkg/${address[1]}/${file}`, { headers: { 'Accept-Encoding': 'br' } });
    assert.equal(served.status, 200, file);
    assert.equal(served.headers.get('cache-control'), 'public, max-age=31536000, immutable', file);
  }
  assert.equal((await fetch(`${BASE}/pkg/0000000000000000/caremarket.wasm`)).status, 404, 'another build\'s address is not served');
});
