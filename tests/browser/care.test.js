// Browser tests, with JavaScript on and off and an axe scan of every page visited. Booking and paying:
// a budget holder, a planner acting for them, card top-ups, someone paying for their own care.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, STRIPE, MAIL_DIR, newPage, assertAccessible, open, signIn, payOnCardPage, bookFromServicePage, openOwnAccount } from './support.js';

for (const javaScript of [true, false]) {
  const mode = javaScript ? 'with JavaScript' : 'without JavaScript';

  test(`a budget holder books care, checks the cost, confirms and sees it on the statement, ${mode}`, async () => {
    const { page, errors, close } = await newPage(javaScript);
    await signIn(page, 'holder@demo.test', javaScript);
    // Services open on Monday mornings: each has hours to book within.
    await open(page, '/?category=home_care&day=1&time=09:00', javaScript);
    await assertAccessible(page, 'the search for a service');
    await page.locator('.card h3 a').first().click();
    await page.waitForURL(/\/services\//);
    const { reference } = await bookFromServicePage(page, javaScript, 0, { checkErrors: true });
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
    const { reference } = await bookFromServicePage(planner.page, javaScript, 2, { person: holderName });

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

  test(`someone paying for their own care opens an account, pays for a visit by card and books it, ${mode}`, { skip: (!STRIPE || !MAIL_DIR) && 'CAREMARKET_STRIPE_URL or CAREMARKET_MAIL_DIR not set' }, async () => {
    const { page, errors, close } = await newPage(javaScript);
    await open(page, '/sign-in', javaScript);
    await Promise.all([page.waitForURL(/\/register\/person$/), page.getByRole('link', { name: 'open an account' }).click()]);
    await assertAccessible(page, 'opening an account');
    const address = `sam-${Date.now()}-${javaScript ? 'js' : 'nojs'}@example.test`;
    await openOwnAccount(page, javaScript, { name: 'Sam Okafor', address, password: 'a long enough password' });
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
