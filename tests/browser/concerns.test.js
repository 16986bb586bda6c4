// Browser tests, with JavaScript on and off and an axe scan of every page visited. Concerns:
// anyone, signed in or not, raises a safeguarding concern from a service's page (which first
// says to call 999 if someone is in danger now), and the council acknowledges, notes and closes it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newPage, assertAccessible, open, signIn } from './support.js';

for (const javaScript of [true, false]) {
  const mode = javaScript ? 'with JavaScript' : 'without JavaScript';

  test(`anyone raises a safeguarding concern from a service's page, and the council handles it, ${mode}`, async () => {
    const visitor = await newPage(javaScript);
    await open(visitor.page, '/?category=home_care', javaScript);
    await Promise.all([visitor.page.waitForURL(/\/services\//), visitor.page.locator('.card h3 a').first().click()]);
    await visitor.page.getByText('If someone is in danger now, call 999').first().waitFor({ timeout: 5000 });
    await Promise.all([visitor.page.waitForURL(/\/concerns\/new\?provider=/), visitor.page.getByRole('link', { name: /^Raise a concern/ }).click()]);
    await assertAccessible(visitor.page, 'raising a concern');
    // Nothing written: the form says what it needs.
    await visitor.page.getByRole('button', { name: 'Send to the council' }).click();
    const summary = visitor.page.locator('.error-summary');
    await summary.waitFor({ timeout: 5000 });
    assert.match(await summary.textContent(), /Say what happened, or what worries you/);
    await assertAccessible(visitor.page, 'a concern with nothing written');
    const words = `No one has visited my neighbour for three days (${Date.now()}, ${mode})`;
    await visitor.page.getByLabel('What happened, or what worries you?').fill(words);
    await visitor.page.getByLabel(/How can the council reach you/).fill('07700 900123');
    await Promise.all([visitor.page.waitForURL(/raised=CN-/), visitor.page.getByRole('button', { name: 'Send to the council' }).click()]);
    const reference = new URL(visitor.page.url()).searchParams.get('raised');
    await visitor.page.getByText(reference).waitFor({ timeout: 5000 });
    await assertAccessible(visitor.page, 'a concern passed on');

    const council = await newPage(javaScript);
    await signIn(council.page, 'commissioner@demo.test', javaScript);
    await Promise.all([council.page.waitForURL(/\/concerns$/), council.page.getByRole('link', { name: 'Concerns and complaints' }).click()]);
    await assertAccessible(council.page, 'the council\'s queue of concerns');
    await Promise.all([council.page.waitForURL(new RegExp(`/concerns/${reference}$`)), council.page.getByRole('link', { name: reference }).click()]);
    await council.page.getByText(words).waitFor({ timeout: 5000 });
    await council.page.getByText('07700 900123').waitFor({ timeout: 5000 });
    await assertAccessible(council.page, 'a concern, for the council');
    await Promise.all([council.page.waitForURL(/done=acknowledge/), council.page.getByRole('button', { name: 'Acknowledge it' }).click()]);
    await council.page.getByLabel(/Add a note/).fill('Rang the provider; a visit is booked for today');
    await Promise.all([council.page.waitForURL(/done=note/), council.page.getByRole('button', { name: 'Add the note' }).click()]);
    await council.page.getByText('Rang the provider; a visit is booked for today').waitFor({ timeout: 5000 });
    await council.page.getByLabel(/Passed to the right people/).check();
    await council.page.getByLabel(/What the council found/).fill('Passed to the safeguarding team, who visited the same day');
    await Promise.all([council.page.waitForURL(/done=close/), council.page.getByRole('button', { name: 'Close the concern' }).click()]);
    await council.page.locator('dd', { hasText: 'Closed' }).waitFor({ timeout: 5000 });
    await assertAccessible(council.page, 'a closed concern');
    assert.deepEqual([...visitor.errors, ...council.errors], []);
    for (const context of [visitor, council]) await context.close();
  });
}
