-- pgbench: the statements one booking executes (as logged by PostgreSQL during the booking
-- benchmark), with random people, budgets and services from the bench data set, so that
-- `.ci/bench-bookings` can compare the application's rate with the database's own.
\set budget random(1, 50000)
\set listing random(1, 19000)
\set key random(1, 2000000000)
-- Run with `-M prepared`, as the application's statements are. (A colon inside a string would
-- read as a variable in that mode, hence chr(58).)
-- Who is asking (outside the transaction, as the request's middleware does): the session and its user.
SELECT * FROM sessions LEFT JOIN users ON sessions.user_id = users.id WHERE sessions.token_hash = md5(:key::bigint::text);
BEGIN;
-- The checks, in the booking's transaction (one connection): the service with its provider,
-- the budget with its two ledger accounts (what is free to spend; the budget locked: one
-- booking at a time for it), the service's hours. The
-- person is the budget's holder, the one asking.
SELECT listings.id AS listing_id, listings.provider_id, listings.price_pence, providers.status FROM listings
  LEFT JOIN providers ON listings.provider_id = providers.id WHERE listings.id >= :listing AND listings.status = 'published' ORDER BY listings.id LIMIT 1 \gset
SELECT budgets.holder_id AS person, budgets.council_id, ledger_accounts.id AS account_id, ledger_accounts.code, ledger_accounts.balance_pence FROM budgets LEFT JOIN ledger_accounts ON budgets.id = ledger_accounts.budget_id
  WHERE budgets.id = :budget ORDER BY budgets.id FOR UPDATE OF budgets \aset
SELECT * FROM listing_availability WHERE listing_id = :listing_id;
-- Already booked then? The person's live visits around that time, and their weekly bookings
-- with the last visit of each scheduled so far (the ones after are not rows yet): one query.
SELECT bookings.reference, bookings.status, visits.scheduled_start AS start, visits.scheduled_minutes AS minutes, NULL AS weekdays, NULL AS last_visit
  FROM visits JOIN bookings ON bookings.id = visits.booking_id WHERE visits.person_id = :person
  AND visits.scheduled_start > now() + interval '6 days' AND visits.scheduled_start + make_interval(mins => visits.scheduled_minutes) > now() + interval '7 days'
  AND visits.status IN ('scheduled', 'in_progress') AND bookings.status IN ('requested', 'confirmed', 'in_progress')
  AND visits.scheduled_start < now() + interval '7 days 30 minutes'
UNION ALL (SELECT reference, status, starts_at AS start, duration_minutes AS minutes, weekdays,
  (SELECT MAX(visits.scheduled_start) FROM visits WHERE visits.booking_id = bookings.id) AS last_visit
  FROM bookings WHERE person_id = :person AND schedule = 'weekly');
-- The booking, its visit, the money set aside, the audit line.
INSERT INTO bookings (reference, listing_id, provider_id, person_id, budget_id, placed_by, channel, status, schedule, starts_at,
    duration_minutes, unit_price_pence, unit, committed_pence, paid_by, requested_at, respond_by, request_key, best_value)
  VALUES ('PB-' || substr(md5(random()::text), 1, 16), :listing_id, :provider_id, :person, :budget, :person, 'self', 'requested', 'one_off',
    now() + interval '7 days', 30, :price_pence, 'hour', 1, 'budget', now(), now() + interval '1 day', md5(random()::text), false)
  RETURNING id AS booking_id \gset
INSERT INTO visits (booking_id, person_id, scheduled_start, scheduled_minutes, status) VALUES (:booking_id, :person, now() + interval '7 days', 30, 'scheduled')
  RETURNING id AS visit_id \gset
INSERT INTO ledger_transfers (idempotency_key, debit_account_id, credit_account_id, amount_pence, kind, booking_id, visit_id, actor_id, created_at)
  VALUES (concat_ws(chr(58), 'commit', 'visit', :visit_id::bigint), 2 * :budget, 2 * :budget + 1, 1, 'commitment', :booking_id, :visit_id, :person, now())
  ON CONFLICT (idempotency_key) DO NOTHING RETURNING id;
UPDATE ledger_accounts SET balance_pence = balance_pence + CASE WHEN id = 2 * :budget THEN -1 ELSE 1 END
  WHERE id IN (2 * :budget, 2 * :budget + 1) AND (id <> 2 * :budget OR balance_pence >= 1);
INSERT INTO audit_log (at, actor_id, subject_id, action, detail) VALUES (now(), :person, :person, 'booking_requested', '{}') RETURNING id;
COMMIT;
