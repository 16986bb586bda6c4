// Browser tests, with JavaScript on and off and an axe scan of every page visited. Providers: their
// services, their details, and answering a request.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newPage, assertAccessible, open, signIn, bookFromServicePage } from './support.js';

for (const javaScript of [true, false]) {
  const mode = javaScript ? 'with JavaScript' : 'without JavaScript';

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

  test(`a provider answers a request and a commissioner sees what is owed, ${mode}`, async () => {
    const provider = await newPage(javaScript);
    await signIn(provider.page, 'provider@demo.test', javaScript);
    const publicPage = await provider.page.getByRole('link', { name: 'See your public page' }).getAttribute('href');
    const holder = await newPage(javaScript);
    await signIn(holder.page, 'holder@demo.test', javaScript);
    await open(holder.page, publicPage, javaScript);
    await holder.page.locator('.card h3 a').first().click();
    await holder.page.waitForURL(/\/services\//);
    const { reference } = await bookFromServicePage(holder.page, javaScript, 4, {});

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
