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
-- Before the transaction: the budget, the service with its provider (one query), its hours.
-- The person is the one asking.
SELECT holder_id AS person, council_id FROM budgets WHERE id = :budget \gset
SELECT listings.id AS listing_id, listings.provider_id, listings.price_pence, providers.status FROM listings
  LEFT JOIN providers ON listings.provider_id = providers.id WHERE listings.id >= :listing AND listings.status = 'published' ORDER BY listings.id LIMIT 1 \gset
SELECT * FROM listing_availability WHERE listing_id = :listing_id;
BEGIN;
-- One booking at a time for the budget.
SELECT * FROM budgets WHERE id = :budget FOR UPDATE;
-- The person's live visits around that time (already booked?).
SELECT visits.* FROM visits JOIN bookings ON bookings.id = visits.booking_id WHERE visits.person_id = :person
  AND visits.scheduled_start >= now() + interval '6 days' AND visits.scheduled_start <= now() + interval '7 days 30 minutes'
  AND visits.status IN ('scheduled', 'in_progress') AND bookings.status IN ('requested', 'confirmed', 'in_progress');
-- Their live weekly bookings, whose visits after the 4 weeks scheduled so far are not rows yet.
SELECT * FROM bookings WHERE person_id = :person AND schedule = 'weekly';
-- The booking, its visit, the money set aside, the audit line.
INSERT INTO bookings (reference, listing_id, provider_id, person_id, budget_id, placed_by, channel, status, schedule, starts_at,
    duration_minutes, unit_price_pence, unit, committed_pence, paid_by, requested_at, respond_by, request_key, best_value)
  VALUES ('PB-' || substr(md5(random()::text), 1, 16), :listing_id, :provider_id, :person, :budget, :person, 'self', 'requested', 'one_off',
    now() + interval '7 days', 30, :price_pence, 'hour', 1, 'budget', now(), now() + interval '1 day', md5(random()::text), false)
  RETURNING id AS booking_id \gset
INSERT INTO visits (booking_id, person_id, scheduled_start, scheduled_minutes, status) VALUES (:booking_id, :person, now() + interval '7 days', 30, 'scheduled')
  RETURNING id AS visit_id \gset
SELECT * FROM ledger_accounts WHERE code IN (concat_ws(chr(58), 'budget', :budget::bigint, 'available'), concat_ws(chr(58), 'budget', :budget::bigint, 'committed'));
INSERT INTO ledger_transfers (idempotency_key, debit_account_id, credit_account_id, amount_pence, kind, booking_id, visit_id, actor_id, created_at)
  VALUES (concat_ws(chr(58), 'commit', 'visit', :visit_id::bigint), 2 * :budget, 2 * :budget + 1, 1, 'commitment', :booking_id, :visit_id, :person, now())
  ON CONFLICT (idempotency_key) DO NOTHING RETURNING id;
UPDATE ledger_accounts SET balance_pence = balance_pence + CASE WHEN id = 2 * :budget THEN -1 ELSE 1 END
  WHERE id IN (2 * :budget, 2 * :budget + 1) AND (id <> 2 * :budget OR balance_pence >= 1);
INSERT INTO audit_log (at, actor_id, subject_id, action, detail) VALUES (now(), :person, :person, 'booking_requested', '{}') RETURNING id;
COMMIT;
