// Browser tests, with JavaScript on and off and an axe scan of every page visited. Signing in and out,
// and forms that say what is wrong against each field.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, PEOPLE, MAIL_DIR, newPage, assertAccessible, open, heading, signIn, linkMailedTo, openOwnAccount } from './support.js';

for (const javaScript of [true, false]) {
  const mode = javaScript ? 'with JavaScript' : 'without JavaScript';

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
      // The sign-out's own answer awaited too: a failure then says whether it was sent and what came back.
      const [signedOut] = await Promise.all([
        page.waitForResponse((response) => new URL(response.url()).pathname === '/api/sign-out'),
        page.waitForURL(`${BASE}/`),
        page.getByRole('button', { name: /Sign out/ }).click(),
      ]);
      assert.ok(signedOut.status() < 400, `signing out answered ${signedOut.status()}`);
      await page.getByRole('link', { name: 'Sign in', exact: true }).waitFor({ timeout: 5000 });
      const session = (await page.context().cookies()).find((cookie) => /session/.test(cookie.name));
      assert.equal(session, undefined, 'signed out: no session cookie is kept');
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
}

for (const javaScript of [true, false]) {
  const mode = javaScript ? 'with JavaScript' : 'without JavaScript';

  test(`someone opens an account from the link mailed to them, forgets their password, gets a link by email, chooses a new one and what is emailed, ${mode}`, { skip: !MAIL_DIR && 'CAREMARKET_MAIL_DIR not set' }, async () => {
    const { page, errors, close } = await newPage(javaScript);
    const address = `forgetful-${Date.now()}-${javaScript ? 'js' : 'nojs'}@example.test`;
    await open(page, '/register/person', javaScript);
    await openOwnAccount(page, javaScript, { name: 'Pat Forgetful', address, password: 'the first long password' });
    await Promise.all([page.waitForURL(`${BASE}/`), page.getByRole('button', { name: /Sign out/ }).click()]);

    await open(page, '/sign-in', javaScript);
    await Promise.all([page.waitForURL(/\/account\/forgot-password$/), page.getByRole('link', { name: 'Forgotten your password?' }).click()]);
    await assertAccessible(page, 'asking for a new password');
    await page.getByLabel('Email address').fill(address);
    await Promise.all([page.waitForURL(/sent=1/), page.getByRole('button', { name: 'Send me a link' }).click()]);
    await page.getByText('If there is an account with that email address').waitFor({ timeout: 5000 });
    await assertAccessible(page, 'the link is on its way');

    const link = await linkMailedTo(address, /http:\/\/[^\s"<>]+\/account\/set-up\?reset=1&code=[A-Z0-9-]+/);
    await open(page, new URL(link).pathname + new URL(link).search, javaScript);
    assert.equal(await heading(page), 'Choose a new password');
    await assertAccessible(page, 'choosing a new password');
    await page.getByLabel('Email address').fill(address);
    await page.getByLabel('Choose a password').fill('the second long password');
    await Promise.all([page.waitForURL(/\/dashboard\//), page.getByRole('button', { name: 'Save my new password' }).click()]);
    await Promise.all([page.waitForURL(`${BASE}/`), page.getByRole('button', { name: /Sign out/ }).click()]);

    // The link worked once; the new password works, the old one does not.
    await open(page, new URL(link).pathname + new URL(link).search, javaScript);
    await page.getByLabel('Email address').fill(address);
    await page.getByLabel('Choose a password').fill('a third long password');
    await page.getByRole('button', { name: 'Save my new password' }).click();
    await page.locator('.error-summary').waitFor({ timeout: 5000 });
    await open(page, '/sign-in', javaScript);
    await page.getByLabel('Email address').fill(address);
    await page.getByLabel('Password').fill('the second long password');
    await Promise.all([page.waitForURL(/\/dashboard\//), page.getByRole('button', { name: 'Sign in' }).click()]);

    // They choose what is emailed: messages about bookings on the dashboard only.
    await Promise.all([page.waitForURL(/\/account\/notifications/), page.getByRole('link', { name: 'Choose what we email you' }).click()]);
    await assertAccessible(page, 'choosing what is emailed');
    await page.getByRole('group', { name: 'Messages about a booking' }).getByLabel('Dashboard only').check();
    await Promise.all([page.waitForURL(/saved=1/), page.getByRole('button', { name: 'Save' }).click()]);
    assert.ok(await page.getByRole('group', { name: 'Messages about a booking' }).getByLabel('Dashboard only').isChecked(), 'the choice is kept');
    assert.ok(await page.getByRole('group', { name: /^Bookings/ }).getByLabel('Email and dashboard').isChecked(), 'the others are unchanged');
    assert.deepEqual(errors, []);
    await close();
  });
}
