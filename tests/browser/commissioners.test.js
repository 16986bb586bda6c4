// Browser tests, with JavaScript on and off and an axe scan of every page visited. Commissioners:
// frameworks and lots, reports, offline placements, suspensions, opening budgets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { newPage, assertAccessible, open, signIn, setClock, linkMailedTo } from './support.js';

for (const javaScript of [true, false]) {
  const mode = javaScript ? 'with JavaScript' : 'without JavaScript';

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

  test(`a commissioner opens a budget with its care plan and a helper's account, the person sets up their account and asks the helper, and the council ends and closes the budget, ${mode}`, async () => {
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
    await open(holder.page, '/budget/helpers', javaScript);
    await Promise.all([holder.page.waitForURL(/let=1/), holder.page.getByRole('button', { name: `Let ${helper.name} help me` }).click()]);
    await open(family.page, '/dashboard/planner', javaScript);
    await family.page.getByRole('button', { name: `Act for ${person.name}` }).waitFor();
    assert.equal(await family.page.getByRole('button', { name: /^Act for / }).count(), 1, 'only the person who asked');
    await assertAccessible(family.page, "a family member's caseload");

    // The care ends: the council finds the person among its budgets, sets the budget's end date,
    // then closes it; its money goes back.
    await open(council.page, '/budgets', javaScript);
    assert.equal(await council.page.locator('tr', { hasText: person.name }).count(), 0, 'a newer budget is on a later page');
    await council.page.getByLabel("Find a person's budget").fill(person.name.toUpperCase());
    await Promise.all([council.page.waitForURL(/find=/), council.page.getByRole('button', { name: 'Find', exact: true }).click()]);
    await council.page.getByText('1 budget found.').waitFor();
    const ending = council.page.locator('tr', { hasText: person.name });
    await ending.getByText('End date, or close the budget').click();
    const lastDay = new Date(Date.now() + 30 * 86400000).toISOString().slice(0, 10);
    await ending.getByLabel('End date').fill(lastDay);
    await Promise.all([council.page.waitForURL(/ends=1/), ending.getByRole('button', { name: `Save ${person.name}'s end date` }).click()]);
    await council.page.locator('tr', { hasText: person.name }).getByText(`Ends on ${lastDay}`).waitFor();
    const closing = council.page.locator('tr', { hasText: person.name });
    await closing.getByText('End date, or close the budget').click();
    await closing.getByLabel('Why the budget is closing').fill('Care is now arranged by the NHS');
    await Promise.all([council.page.waitForURL(/closed=/), closing.getByRole('button', { name: `Close ${person.name}'s budget` }).click()]);
    await council.page.getByText('The budget is closed: its bookings have ended and £840.00 went back to the council.').waitFor();
    await council.page.locator('tr', { hasText: person.name }).getByText(/^Closed on /).waitFor();
    await assertAccessible(council.page, 'a budget just closed');
    await open(holder.page, '/budget/statement', javaScript);
    await holder.page.locator('td', { hasText: 'Returned to the council when the budget closed' }).waitFor();
    assert.deepEqual([...council.errors, ...holder.errors, ...family.errors], []);
    await council.close();
    await holder.close();
    await family.close();
  });

  test(`a commissioner proposes to recover unspent money, the person replies, and the council recovers it, ${mode}`, async () => {
    const council = await newPage(javaScript);
    await signIn(council.page, 'commissioner@demo.test', javaScript);
    await open(council.page, '/budgets', javaScript);
    // The council's own thresholds for the flags (here the usual ones).
    await council.page.getByLabel(/Card top-ups in 12 weeks/).fill('4');
    await Promise.all([council.page.waitForURL(/thresholds=1/), council.page.getByRole('button', { name: 'Save the thresholds' }).click()]);
    await council.page.getByText('The thresholds are saved. The flags follow them.').waitFor({ timeout: 5000 });
    await assertAccessible(council.page, 'budgets with their flags and thresholds');
    const budgetId = await council.page.locator('tr', { hasText: 'holder@demo.test' }).locator('input[name="budget_id"]').first().getAttribute('value');
    await open(council.page, `/recoveries?budget=${budgetId}`, javaScript);
    await assertAccessible(council.page, 'proposing to recover money');
    // Keep all but £1: other journeys book from this budget too.
    const available = (await council.page.locator('.summary-list div', { hasText: 'Available to spend' }).locator('dd').textContent()).replace(/[£,]/g, '');
    const keep = (Math.round(Number(available) * 100) - 100) / 100;
    await council.page.getByLabel(/Leave this much available/).fill(keep.toFixed(2));
    await council.page.getByLabel(/Why/).fill('More than 8 weeks of your budget is unspent');
    await Promise.all([council.page.waitForURL(/\/recoveries\/RC-.*proposed=1/), council.page.getByRole('button', { name: 'Propose to recover the money' }).click()]);
    const reference = council.page.url().match(/RC-[A-Z2-9-]+/)[0];
    await council.page.getByText('Proposed: waiting for a decision').waitFor({ timeout: 5000 });
    assert.equal(await council.page.getByRole('button', { name: /^Recover the money/ }).count(), 0, 'not before the person replies or 14 days pass');
    await assertAccessible(council.page, 'a proposal to recover money');

    const holder = await newPage(javaScript);
    await signIn(holder.page, 'holder@demo.test', javaScript);
    await open(holder.page, `/recoveries/${reference}`, javaScript);
    await holder.page.getByLabel('Your reply to the council').fill('That is fine, I do not need it');
    await assertAccessible(holder.page, 'replying to a proposal to recover money');
    await Promise.all([holder.page.waitForURL(/replied=1/), holder.page.getByRole('button', { name: 'Send my reply' }).click()]);
    await holder.page.getByText('That is fine, I do not need it').waitFor({ timeout: 5000 });

    await open(council.page, `/recoveries/${reference}`, javaScript);
    await Promise.all([council.page.waitForURL(/decided=1/), council.page.getByRole('button', { name: `Recover the money (${reference})` }).click()]);
    const recovered = council.page.locator('.summary-list div').filter({ has: council.page.locator('dt', { hasText: /^Recovered$/ }) }).locator('dd');
    assert.equal((await recovered.textContent()).trim(), '£1.00');
    await assertAccessible(council.page, 'money recovered');
    await open(holder.page, '/budget/statement', javaScript);
    await holder.page.locator('td', { hasText: 'Taken back by the council' }).first().waitFor({ timeout: 5000 });
    assert.deepEqual([...council.errors, ...holder.errors], []);
    await council.close();
    await holder.close();
  });

  test(`a commissioner draws the month's audit sample and asks a question, the person answers, and the outcome is reported, ${mode}`, async () => {
    // One sample a month: each run audits a month of its own, the server's clock moved on.
    const month = new Date(Date.now() + (javaScript ? 40 : 80) * 86400000);
    await setClock(month);
    try {
      const council = await newPage(javaScript);
      await signIn(council.page, 'commissioner@demo.test', javaScript);
      await open(council.page, '/budgets', javaScript);
      const budgetId = await council.page.locator('tr', { hasText: 'holder@demo.test' }).locator('input[name="budget_id"]').first().getAttribute('value');
      await open(council.page, '/audits', javaScript);
      await assertAccessible(council.page, 'budget audits');
      await council.page.getByLabel('No money used for weeks').check();
      await council.page.getByLabel(/And this share of the other budgets/).fill('100');
      await Promise.all([council.page.waitForURL(/\/audits\/AS-.*drawn=1/), council.page.getByRole('button', { name: 'Draw the sample' }).click()]);
      await council.page.getByText('Drawing again from this seed gives exactly these cases.').waitFor({ timeout: 5000 });
      await assertAccessible(council.page, 'an audit sample');
      const reference = (await council.page.locator('tr', { hasText: `(budget ${budgetId})` }).getByRole('link').textContent()).trim();
      await open(council.page, `/audits/cases/${reference}`, javaScript);
      await council.page.getByLabel(/Your question/).fill('Your budget has built up. What are you keeping it for?');
      const due = new Date(month.getTime() + 14 * 86400000).toISOString().slice(0, 10);
      await council.page.getByLabel('Answer due by').fill(due);
      await assertAccessible(council.page, 'an audit case, to ask');
      await Promise.all([council.page.waitForURL(/asked=1/), council.page.getByRole('button', { name: 'Ask', exact: true }).click()]);
      await council.page.getByText('Asked: answer due').waitFor({ timeout: 5000 });
      await linkMailedTo('holder@demo.test', new RegExp(`http://[^\\s"<>]+/audits/cases/${reference}`), 'A question from the council');

      // The person finds the question on their dashboard and answers it.
      const holder = await newPage(javaScript);
      await signIn(holder.page, 'holder@demo.test', javaScript);
      await Promise.all([holder.page.waitForURL(new RegExp(`/audits/cases/${reference}`)), holder.page.getByRole('link', { name: /^Read the question and answer it by/ }).click()]);
      await holder.page.getByLabel('Your answer to the council').fill('I am keeping it for a week of respite in the spring.');
      await assertAccessible(holder.page, 'answering the council');
      await Promise.all([holder.page.waitForURL(/answered=1/), holder.page.getByRole('button', { name: 'Send my answer' }).click()]);
      await holder.page.locator('dd', { hasText: 'I am keeping it for a week of respite in the spring.' }).waitFor({ timeout: 5000 });

      // The outcome, and the month's report.
      await open(council.page, `/audits/cases/${reference}`, javaScript);
      await council.page.getByLabel('Advice given').check();
      await council.page.getByLabel('What was done').fill('Agreed the respite plan; explained the 8-week guide.');
      await Promise.all([council.page.waitForURL(/decided=1/), council.page.getByRole('button', { name: 'Record the outcome' }).click()]);
      await council.page.locator('dd', { hasText: 'Agreed the respite plan' }).waitFor({ timeout: 5000 });
      await open(council.page, '/audits', javaScript);
      const label = month.toLocaleString('en-GB', { month: 'long', year: 'numeric', timeZone: 'Europe/London' });
      const row = council.page.locator('tr', { has: council.page.locator('th', { hasText: label }) }).first();
      assert.equal((await row.locator('td[data-label="Advice given"]').textContent()).trim(), '1');
      await assertAccessible(council.page, 'the audit report');
      assert.deepEqual([...council.errors, ...holder.errors], []);
      await council.close();
      await holder.close();
    } finally {
      await setClock(null);
    }
  });

  test(`a commissioner imports CQC ratings, and the lot re-ranks and says what changed, ${mode}`, async () => {
    const { page, errors, close } = await newPage(javaScript);
    await signIn(page, 'commissioner@demo.test', javaScript);
    await open(page, '/lots', javaScript);
    await Promise.all([page.waitForURL(/\/lots\/\d+$/), page.locator('main li a').first().click()]);
    const lotPath = new URL(page.url()).pathname;
    const provider = page.locator('tbody tr').first().locator('a').first();
    const name = (await provider.textContent()).trim();
    await Promise.all([page.waitForURL(/\/providers\//), provider.click()]);
    const field = async (label) => (await page.locator('.summary-list div', { hasText: label }).locator('dd').first().textContent()).trim();
    const [rating, location] = [await field('CQC rating'), await field('CQC registration')];
    assert.ok(['Outstanding', 'Good', 'Requires improvement', 'Inadequate'].includes(rating), `a rated provider: ${rating}`);
    const other = rating === 'Good' ? 'Requires improvement' : 'Good';
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London' }).format(new Date());
    await open(page, '/dashboard/commissioner', javaScript);
    await Promise.all([page.waitForURL(/\/ratings$/), page.getByRole('link', { name: 'CQC ratings' }).click()]);
    await assertAccessible(page, 'importing CQC ratings');
    // Changed, then back as it was (other journeys rank this lot too).
    for (const [to, from] of [[other, rating], [rating, other]]) {
      await page.getByLabel('Locations to import').fill(`location id,rating,date\n${location},${to},${today}\n1-999999999,Good,${today}\n`);
      await Promise.all([page.waitForURL(/changed=1/), page.getByRole('button', { name: 'Import ratings' }).click()]);
      await page.getByText("1 of your providers' ratings changed and 0 stayed the same; 1 locations are not your providers on CareMarket.").waitFor({ timeout: 5000 });
      await open(page, lotPath, javaScript);
      await page.locator('tbody tr', { hasText: name }).locator('.hint', { hasText: `CQC rating changed from ${from} to ${to}` }).waitFor({ timeout: 5000 });
      await open(page, '/ratings', javaScript);
    }
    await assertAccessible(page, 'the latest ratings recorded');
    assert.deepEqual(errors, []);
    await close();
  });

  test(`a commissioner sets the finance system's codes and a supplier number, and downloads the money for a period, ${mode}`, async () => {
    const { page, errors, close } = await newPage(javaScript);
    await signIn(page, 'commissioner@demo.test', javaScript);
    await Promise.all([page.waitForURL(/\/finance$/), page.getByRole('link', { name: 'Finance export' }).click()]);
    await assertAccessible(page, 'the finance export');
    await page.getByRole('group', { name: 'Payments to providers' }).getByLabel('Account code').fill('');
    await page.getByRole('button', { name: 'Save the codes' }).click();
    await page.locator('.error-summary').waitFor({ timeout: 5000 });
    assert.match(await page.locator('.error-summary').textContent(), /Enter the account code for payments to providers/);
    await assertAccessible(page, 'the finance codes with errors');
    for (const [group, centre, account] of [['Payments to providers', 'ASC 100', '5101'], ['Allocations to personal budgets', 'ASC 200', '5102'], ['Money recovered from budgets', 'ASC 200', '9101']]) {
      await page.getByRole('group', { name: group }).getByLabel('Cost centre').fill(centre);
      await page.getByRole('group', { name: group }).getByLabel('Account code').fill(account);
    }
    await Promise.all([page.waitForURL(/saved=codes/), page.getByRole('button', { name: 'Save the codes' }).click()]);
    const supplier = page.getByLabel(/supplier number$/).first();
    await supplier.fill('SUP-0042');
    await Promise.all([page.waitForURL(/saved=supplier/), page.getByRole('button', { name: /^Save .* supplier number$/ }).first().click()]);
    assert.equal(await page.getByLabel(/supplier number$/).first().inputValue(), 'SUP-0042');
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London' }).format(new Date());
    await page.getByLabel('From').fill('2020-01-01');
    await page.getByLabel('To (including this day)').fill(today);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download (CSV)' }).click()]);
    const csv = readFileSync(await download.path(), 'utf8').trim().split('\r\n');
    assert.equal(csv[0], 'Date,Kind,Cost centre,Account code,Amount (GBP),Reference,Supplier number,Payee');
    assert.ok(csv.slice(1).some((line) => line.includes(',allocation,ASC 200,5102,')), 'the demo budgets\' allocations are there');
    assert.deepEqual(errors, []);
    await close();
  });
}
