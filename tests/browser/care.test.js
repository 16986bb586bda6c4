// Browser tests, with JavaScript on and off and an axe scan of every page visited. Booking and paying:
// a budget holder, a helper they asked acting for them, card top-ups, someone paying for their own care.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, STRIPE, MAIL_DIR, newPage, assertAccessible, open, signIn, payOnCardPage, bookFromServicePage, openOwnAccount, linkMailedTo } from './support.js';

for (const javaScript of [true, false]) {
  const mode = javaScript ? 'with JavaScript' : 'without JavaScript';

  test(`a budget holder books care, checks the cost, confirms and sees it on the statement and last month's, ${mode}`, async () => {
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
    // Last month's clean-account statement, made when the server started: printable, with its concerns.
    const lastMonth = new Date(new Date().getFullYear(), new Date().getMonth() - 1, 1).toLocaleString('en-GB', { month: 'long', year: 'numeric' });
    await Promise.all([page.waitForURL(/\/budget\/statements\/\d{4}-\d{2}/), page.getByRole('link', { name: `Statement for ${lastMonth}` }).click()]);
    await page.locator('h1', { hasText: `Statement for ${lastMonth}` }).waitFor();
    await page.getByRole('heading', { name: 'Concerns' }).waitFor();
    await assertAccessible(page, 'a monthly statement');
    assert.deepEqual(errors, []);
    await close();
  });

  test(`someone the person trusts opens a helper's account from the emailed request, accepts, is let help, books for them, and the person sees it, ${mode}`, { skip: !MAIL_DIR && 'CAREMARKET_MAIL_DIR not set' }, async () => {
    const holder = await newPage(javaScript);
    await signIn(holder.page, 'holder@demo.test', javaScript);
    const holderName = (await holder.page.locator('.signed-in-as').textContent()).match(/Signed in as (.+) \(/)[1];
    await open(holder.page, '/budget/helpers', javaScript);
    await holder.page.locator('h1', { hasText: 'People who can help you' }).waitFor({ timeout: 5000 });
    await assertAccessible(holder.page, 'the helpers page');
    const address = `niece-${Date.now()}-${javaScript ? 'js' : 'nojs'}@family.test`;
    await holder.page.getByLabel('Their email address').fill(address);
    await holder.page.getByLabel('Book and cancel care for me').check();
    await holder.page.getByLabel('Pay by card for me').check();
    await Promise.all([holder.page.waitForURL(/asked=1/), holder.page.getByRole('button', { name: 'Ask them to help' }).click()]);
    await holder.page.locator('.notice', { hasText: 'We have emailed them' }).waitFor({ timeout: 5000 });
    await assertAccessible(holder.page, 'a request to help, waiting for an answer');

    // The email's link (never a code) lets her open a helper's account with that address.
    const planner = await newPage(javaScript);
    const link = new URL(await linkMailedTo(address, /http:\/\/[^\s"<>]+\/helping\?token=[0-9a-f]{64}/));
    await open(planner.page, link.pathname + link.search, javaScript);
    await planner.page.locator('h1', { hasText: `${holderName} asked you to help them` }).waitFor({ timeout: 5000 });
    await assertAccessible(planner.page, 'a request to help, opened from its email');
    await planner.page.getByLabel('Your full name').fill('Nia Niece');
    await planner.page.getByLabel('Create a password').fill('a long niece password');
    await Promise.all([planner.page.waitForURL(/joined=1/), planner.page.getByRole('button', { name: "Open my helper's account" }).click()]);
    await planner.page.locator('h2', { hasText: 'People asking for your help' }).waitFor({ timeout: 5000 });
    await assertAccessible(planner.page, 'a request to help');
    // She accepts booking for them, not paying by card.
    await planner.page.getByLabel('Pay by card for them').uncheck();
    await Promise.all([planner.page.waitForURL(/accepted=1/), planner.page.getByRole('button', { name: `Accept: help ${holderName}` }).click()]);
    assert.equal(await planner.page.getByRole('button', { name: `Act for ${holderName}` }).count(), 0, 'nothing works until the person lets her');

    // The person sees who accepted, and what, and lets her help.
    await open(holder.page, '/budget/helpers', javaScript);
    const accepted = holder.page.locator('li', { hasText: `Nia Niece (${address}) accepted on` });
    await accepted.getByText('They would see your budget and book and cancel care').waitFor({ timeout: 5000 });
    await assertAccessible(holder.page, 'a helper who accepted, to let help');
    await Promise.all([holder.page.waitForURL(/let=1/), accepted.getByRole('button', { name: 'Let Nia Niece help me' }).click()]);
    await holder.page.getByText('Can see your budget and book and cancel care').waitFor({ timeout: 5000 });

    await open(planner.page, '/dashboard/planner', javaScript);
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
