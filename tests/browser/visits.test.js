// Browser tests, with JavaScript on and off and an axe scan of every page visited. Care delivered
// and confirmed: the provider is mailed a request, accepts it, checks in when the visit is due and
// out an hour later with a note (the server's clock is moved there); the person confirms the visit
// through the link mailed to them, without signing in, and reviews the provider, who replies; or
// queries it, the provider corrects it, and the council decides; and the two write to each other.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAIL_DIR, CLOCK_FILE, newPage, assertAccessible, open, signIn, bookFromServicePage, linkMailedTo, setClock } from './support.js';

const NOTE = 'Helped with a shower and made lunch';
const needs = !MAIL_DIR ? 'CAREMARKET_MAIL_DIR not set' : !CLOCK_FILE ? 'CAREMARKET_CLOCK_FILE not set' : false;

/** The holder books the demo provider's first service, soon; the provider accepts. Returns both
 * people's pages, the booking's reference and when its visit starts. */
async function acceptedVisit(javaScript, slot) {
  const provider = await newPage(javaScript);
  await signIn(provider.page, 'provider@demo.test', javaScript);
  const publicPage = await provider.page.getByRole('link', { name: 'See your public page' }).getAttribute('href');
  const holder = await newPage(javaScript);
  await signIn(holder.page, 'holder@demo.test', javaScript);
  await open(holder.page, publicPage, javaScript);
  await Promise.all([holder.page.waitForURL(/\/services\//), holder.page.locator('.card h3 a').first().click()]);
  const { reference, start } = await bookFromServicePage(holder.page, javaScript, slot, { soon: true });

  // The provider's staff are mailed the request at once.
  await linkMailedTo('provider@demo.test', new RegExp(`reference ${reference}`));
  await open(provider.page, '/provider/bookings', javaScript);
  const request = provider.page.locator('li.card', { hasText: `Reference ${reference}` });
  await Promise.all([provider.page.waitForURL(/done=1/), request.getByRole('button', { name: /^Accept:/ }).click()]);
  return { provider, holder, reference, start, publicPage };
}

/** As `acceptedVisit`, then the provider checks in when the visit is due and out an hour later
 * with a note. */
async function deliveredVisit(javaScript, slot) {
  const { provider, holder, reference, start, publicPage } = await acceptedVisit(javaScript, slot);
  // The visit is due: staff arrive, and leave an hour later with a note.
  await setClock(new Date(start.getTime() - 5 * 60000));
  await open(provider.page, '/provider/bookings', javaScript);
  const visit = provider.page.locator('tr', { hasText: reference });
  await Promise.all([provider.page.waitForURL(/done=1/), visit.getByRole('button', { name: /^Check in:/ }).click()]);
  await setClock(new Date(start.getTime() + 60 * 60000));
  await open(provider.page, '/provider/bookings', javaScript);
  await visit.getByLabel(/What was done/).fill(NOTE);
  await assertAccessible(provider.page, 'a visit to check out of, with its note');
  await Promise.all([provider.page.waitForURL(/done=1/), visit.getByRole('button', { name: /^Check out:/ }).click()]);
  return { provider, holder, reference, publicPage };
}

for (const javaScript of [true, false]) {
  const mode = javaScript ? 'with JavaScript' : 'without JavaScript';

  test(`care is delivered and noted, the person confirms it by the link in their email and reviews the provider, ${mode}`, { skip: needs }, async () => {
    try {
      const { provider, holder, reference, publicPage } = await deliveredVisit(javaScript, javaScript ? 0 : 1);
      const link = await linkMailedTo('holder@demo.test', /http:\/\/[^\s"<>]+\/visits\/confirm\?token=[0-9a-f]{64}/, reference);
      // Whoever opens the link needs no sign-in: the token does this one thing.
      const visitor = await newPage(javaScript);
      await open(visitor.page, new URL(link).pathname + new URL(link).search, javaScript);
      await visitor.page.locator('h1', { hasText: 'Confirm your visit' }).waitFor({ timeout: 5000 });
      assert.ok((await visitor.page.locator('main').textContent()).includes(NOTE), 'the care worker\'s note is shown');
      await assertAccessible(visitor.page, 'confirming a visit from an email');
      await Promise.all([visitor.page.waitForURL(/done=confirm/), visitor.page.getByRole('button', { name: 'Confirm', exact: true }).click()]);
      await visitor.page.locator('h1', { hasText: 'the visit is confirmed' }).waitFor({ timeout: 5000 });
      await assertAccessible(visitor.page, 'a visit confirmed');
      // Once only: the link now says so.
      await open(visitor.page, new URL(link).pathname + new URL(link).search, javaScript);
      await visitor.page.getByText('This link has been used already or has run out').waitFor({ timeout: 5000 });

      await open(holder.page, `/bookings/${reference}`, javaScript);
      const delivered = holder.page.locator('li.card', { hasText: NOTE });
      await delivered.locator('dd', { hasText: 'Confirmed' }).waitFor({ timeout: 5000 });
      await assertAccessible(holder.page, 'a booking with a confirmed visit');

      // A confirmed visit: the person may review the provider, once.
      const words = `Kind and careful, and on time (${reference})`;
      await holder.page.getByLabel('4 stars: good').check();
      await holder.page.getByLabel(/What would you tell someone choosing care/).fill(words);
      await assertAccessible(holder.page, 'reviewing a provider');
      await Promise.all([holder.page.waitForURL(/reviewed=1/), holder.page.getByRole('button', { name: 'Send your review' }).click()]);
      await holder.page.locator('h2', { hasText: 'Your review' }).waitFor({ timeout: 5000 });
      assert.equal(await holder.page.getByRole('button', { name: 'Send your review' }).count(), 0, 'once per booking');

      // The provider replies once, and the public page shows both, verified and without a name.
      await open(provider.page, '/provider/reviews', javaScript);
      const review = provider.page.locator('li.card', { hasText: words });
      await review.waitFor({ timeout: 5000 });
      await assertAccessible(provider.page, 'reviews to reply to');
      await review.getByLabel('Your reply').fill('Thank you: we will tell the team');
      await Promise.all([provider.page.waitForURL(/replied=1/), review.getByRole('button', { name: 'Publish your reply' }).click()]);
      await open(holder.page, publicPage, javaScript);
      const shown = holder.page.locator('li.card', { hasText: words });
      await shown.getByText('Verified: from someone who booked through CareMarket').waitFor({ timeout: 5000 });
      await shown.getByText('The provider replied: Thank you: we will tell the team').waitFor({ timeout: 5000 });
      await assertAccessible(holder.page, 'a provider page with reviews');
      assert.deepEqual([...provider.errors, ...holder.errors, ...visitor.errors], []);
      for (const context of [provider, holder, visitor]) await context.close();
    } finally {
      await setClock(null);
    }
  });

  test(`the person queries a visit, the provider corrects it, the council decides, and the two write to each other, ${mode}`, { skip: needs }, async () => {
    try {
      const { provider, holder, reference } = await deliveredVisit(javaScript, javaScript ? 2 : 3);
      // On the booking's page: something was wrong.
      await open(holder.page, `/bookings/${reference}`, javaScript);
      const delivered = holder.page.locator('li.card', { hasText: NOTE });
      await delivered.getByText('Something was wrong').click();
      await delivered.getByLabel('What was wrong?').fill('The carer left after a quarter of an hour');
      await assertAccessible(holder.page, 'saying what was wrong with a visit');
      await Promise.all([holder.page.waitForURL(/answered=query/), delivered.getByRole('button', { name: /^Send:/ }).click()]);
      await holder.page.locator('.notice', { hasText: 'We have told the provider' }).waitFor({ timeout: 5000 });

      // The provider corrects the minutes and explains.
      await open(provider.page, '/provider/bookings', javaScript);
      const query = provider.page.locator('li.card', { hasText: `reference ${reference}` });
      await query.waitFor({ timeout: 5000 });
      await assertAccessible(provider.page, 'a query to answer');
      await query.getByLabel('Correct the minutes (optional)').fill('20');
      await query.getByLabel('Your answer', { exact: true }).fill('Our log shows 20 minutes; we are sorry');
      await Promise.all([provider.page.waitForURL(/done=1/), query.getByRole('button', { name: /^Send your answer:/ }).click()]);

      // The person still disagrees: it goes to the council.
      await open(holder.page, `/bookings/${reference}`, javaScript);
      const answered = holder.page.locator('li.card', { hasText: 'Our log shows 20 minutes' });
      await answered.getByText('Ask the council to decide').click();
      await answered.getByLabel('Why you still disagree').fill('It was 15 minutes, not 20');
      await assertAccessible(holder.page, 'taking a query to the council');
      await Promise.all([holder.page.waitForURL(/answered=query/), answered.getByRole('button', { name: /^Send:/ }).click()]);

      const commissioner = await newPage(javaScript);
      await signIn(commissioner.page, 'commissioner@demo.test', javaScript);
      await Promise.all([commissioner.page.waitForURL(/\/visit-queries/), commissioner.page.getByRole('link', { name: 'Queries about visits to decide' }).click()]);
      const waiting = commissioner.page.locator('li.card', { hasText: `booking ${reference}` });
      await waiting.waitFor({ timeout: 5000 });
      await assertAccessible(commissioner.page, 'queries about visits to decide');
      await waiting.getByLabel('Minutes to pay for').fill('15');
      await waiting.getByLabel('Why', { exact: true }).fill('The rota shows 15 minutes');
      await Promise.all([commissioner.page.waitForURL(/decided=1/), waiting.getByRole('button', { name: /^Decide:/ }).click()]);
      await commissioner.page.locator('.notice', { hasText: 'Decided' }).waitFor({ timeout: 5000 });

      await open(holder.page, `/bookings/${reference}`, javaScript);
      const decided = holder.page.locator('li.card', { hasText: 'The rota shows 15 minutes' });
      await decided.locator('dd', { hasText: /^15 minutes, / }).waitFor({ timeout: 5000 });
      await decided.locator('dd', { hasText: 'Confirmed' }).waitFor({ timeout: 5000 });
      await assertAccessible(holder.page, 'a visit the council decided');

      // The person and the provider write to each other about the booking.
      await holder.page.getByLabel('Write a message').fill('Could the carer stay the full time next week?');
      await Promise.all([holder.page.waitForURL(/sent=1/), holder.page.getByRole('button', { name: 'Send the message' }).click()]);
      await holder.page.locator('.message', { hasText: 'Could the carer stay the full time next week?' }).waitFor({ timeout: 5000 });
      await assertAccessible(holder.page, 'a booking\'s messages');
      await open(provider.page, `/bookings/${reference}`, javaScript);
      await provider.page.locator('.message', { hasText: 'Could the carer stay the full time next week?' }).waitFor({ timeout: 5000 });
      await provider.page.getByLabel('Write a message').fill('Yes: we have changed the rota');
      await Promise.all([provider.page.waitForURL(/sent=1/), provider.page.getByRole('button', { name: 'Send the message' }).click()]);
      await open(holder.page, `/bookings/${reference}`, javaScript);
      await holder.page.locator('.message', { hasText: 'Yes: we have changed the rota' }).waitFor({ timeout: 5000 });
      assert.deepEqual([...provider.errors, ...holder.errors, ...commissioner.errors], []);
      for (const context of [provider, holder, commissioner]) await context.close();
    } finally {
      await setClock(null);
    }
  });

  test(`a provider's call-monitoring file settles the visit once, and its money shows on the payments page, ${mode}`, { skip: needs }, async () => {
    try {
      const { provider, holder, reference, start } = await acceptedVisit(javaScript, javaScript ? 4 : 5);
      await setClock(new Date(start.getTime() + 2 * 60 * 60000));
      const uk = (instant) => new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', dateStyle: 'short', timeStyle: 'short' }).format(instant).replace(',', '');
      const csv = `visit,checked in,checked out\n${reference},${uk(new Date(start.getTime() + 2 * 60000))},${uk(new Date(start.getTime() + 61 * 60000))}\nCM-NONE-NONE,${uk(start)},${uk(new Date(start.getTime() + 30 * 60000))}\n`;
      await open(provider.page, '/provider/call-monitoring', javaScript);
      await assertAccessible(provider.page, 'uploading call monitoring');
      for (const [settled, already] of [['1 visit', '0 visits'], ['0 visits', '1 visit']]) {
        await provider.page.getByLabel('Lines to upload').fill(csv);
        await Promise.all([provider.page.waitForURL(/upload=\d+/), provider.page.getByRole('button', { name: 'Upload and settle visits' }).click()]);
        await provider.page.getByText(`${settled} settled now; ${already} settled already.`).waitFor({ timeout: 5000 });
        await provider.page.getByText('Line 3: no booking "CM-NONE-NONE" of your organisation').waitFor({ timeout: 5000 });
      }
      await assertAccessible(provider.page, 'what came of each line');
      // The council uploads the same file for the provider: settled once, and each line named.
      const council = await newPage(javaScript);
      await signIn(council.page, 'commissioner@demo.test', javaScript);
      await open(council.page, '/call-monitoring', javaScript);
      const name = (await council.page.locator('td[data-label="Provider"]').first().textContent()).trim();
      await council.page.getByLabel('Whose visits these are').selectOption({ label: name });
      await council.page.getByLabel('Lines to upload').fill(csv);
      await assertAccessible(council.page, "uploading call monitoring for a provider");
      await Promise.all([council.page.waitForURL(/\/call-monitoring\?upload=\d+/), council.page.getByRole('button', { name: 'Upload and settle visits' }).click()]);
      await council.page.getByText('0 visits settled now; 1 visit settled already.').waitFor({ timeout: 5000 });
      await council.page.getByText(`Line 3: no booking "CM-NONE-NONE" of ${name}`).waitFor({ timeout: 5000 });
      assert.deepEqual(council.errors, []);
      await council.close();
      // Its money waits for the person to confirm, as after checking out by hand.
      await open(provider.page, '/dashboard/provider', javaScript);
      await Promise.all([provider.page.waitForURL(/\/provider\/payments$/), provider.page.getByRole('link', { name: 'Payments to you' }).click()]);
      const waiting = provider.page.locator('.summary-list div', { hasText: 'Waiting for people to confirm' }).first();
      assert.match(await waiting.locator('dd').textContent(), /£[1-9][\d,]*\.\d\d \([1-9]\d* visits?\)/);
      await assertAccessible(provider.page, 'payments to the provider');
      await open(holder.page, `/bookings/${reference}`, javaScript);
      await holder.page.getByRole('button', { name: /Confirm this visit/ }).first().waitFor({ timeout: 5000 });
      assert.deepEqual([...provider.errors, ...holder.errors], []);
      await provider.close();
      await holder.close();
    } finally {
      await setClock(null);
    }
  });
}
