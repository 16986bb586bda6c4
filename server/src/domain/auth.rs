//! Passwords, sessions and sign-in throttling.
//!
//! * Passwords are hashed with argon2id at OWASP's parameters (19 MiB, 2 passes, 1 lane).
//! * A session is a random 256-bit token in an HttpOnly cookie; only its hash is stored.
//! * Sign-in is throttled per account and address pair, per account from anywhere, and per
//!   client address; each attempt is counted before its password is checked, so attempts
//!   sent all at once are counted too. It fails the same way (and takes about as long)
//!   whether or not the account exists.
//! * Hashing is slow on purpose, so it waits in a bounded queue: past 64 waiting, requests that
//!   need one are refused at once (503) instead of piling up.
use crate::entities::{session, sign_in_attempt, sign_in_place, user};
use crate::error::{AppError, AppResult};
use app::{Role, SignedInUser};
use argon2::password_hash::{Output, ParamsString, PasswordHash, PasswordVerifier, SaltString, rand_core::OsRng};
use argon2::{ARGON2ID_IDENT, Algorithm, Argon2, Block, Params, Version};
use blake2::{Blake2b, Digest, digest::consts::U32};
use chrono::{DateTime, Duration, Utc};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, mpsc};

/// Failed sign-ins allowed for one account from one address in `THROTTLE_WINDOW_MINUTES`: a
/// stranger guessing a password locks out only themself, not the account's owner.
pub const PAIR_ATTEMPTS: u64 = 5;
/// Failed sign-ins allowed from one address, whatever the accounts, in the same window.
pub const ADDRESS_ATTEMPTS: u64 = 20;
pub const THROTTLE_WINDOW_MINUTES: i64 = 15;
/// Failed sign-ins allowed for one account from anywhere in an hour: a slow attack spread
/// over many addresses.
pub const ACCOUNT_ATTEMPTS_PER_HOUR: u64 = 50;
/// Passwords waiting to be hashed before more are refused.
pub const MOST_WAITING_HASHES: usize = 64;

fn hasher() -> Argon2<'static> {
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params())
}

/// OWASP Password Storage Cheat Sheet: argon2id, m = 19 MiB, t = 2, p = 1.
fn params() -> Params {
    Params::new(19 * 1024, 2, 1, None).unwrap_or_default()
}

/// Argon2's working memory, 19 MiB. Each password thread allocates it once and reuses it:
/// allocating it per hash made the C allocator keep every copy (RSS grew 19 MiB a sign-in).
fn working_memory() -> Vec<Block> {
    vec![Block::default(); params().block_count()]
}

/// Hashes a password with a fresh random salt. Slow on purpose: call from a blocking thread.
pub fn hash_password(password: &str) -> AppResult<String> {
    hash_with_salt(password, &SaltString::generate(&mut OsRng))
}

/// Hashes with a given salt: only the seed loader uses this, so seeded data is reproducible.
pub fn hash_with_salt(password: &str, salt: &SaltString) -> AppResult<String> {
    hash_in(password, salt, &mut working_memory())
}

fn hash_in(password: &str, salt: &SaltString, memory: &mut [Block]) -> AppResult<String> {
    let failed = |error: String| AppError::internal(format!("hashing a password failed: {error}"));
    let hasher = hasher();
    let mut salt_buffer = [0u8; 64];
    let salt_bytes = salt.as_salt().decode_b64(&mut salt_buffer).map_err(|e| failed(e.to_string()))?;
    let output = Output::init_with(Params::DEFAULT_OUTPUT_LEN, |out| {
        hasher.hash_password_into_with_memory(password.as_bytes(), salt_bytes, out, &mut *memory).map_err(Into::into)
    })
    .map_err(|e| failed(e.to_string()))?;
    let phc = PasswordHash {
        algorithm: ARGON2ID_IDENT,
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(&params()).map_err(|e| failed(e.to_string()))?,
        salt: Some(salt.as_salt()),
        hash: Some(output),
    };
    Ok(phc.to_string())
}

/// Checks a password against a stored PHC string, with the parameters stored in it.
fn verify_in(password: &str, stored_hash: &str, memory: &mut [Block]) -> bool {
    let Ok(stored) = PasswordHash::new(stored_hash) else { return false };
    let (Some(expected), Some(salt)) = (stored.hash, stored.salt) else { return false };
    let Ok(stored_params) = Params::try_from(&stored) else { return false };
    if stored.algorithm != ARGON2ID_IDENT || stored_params.block_count() > memory.len() {
        // Not ours, or made with more memory than today's: let argon2 allocate for it.
        return hasher().verify_password(password.as_bytes(), &stored).is_ok();
    }
    let version = stored.version.map_or(Ok(Version::V0x13), Version::try_from).unwrap_or(Version::V0x13);
    let argon2 = Argon2::new(Algorithm::Argon2id, version, stored_params);
    let mut salt_buffer = [0u8; 64];
    let Ok(salt_bytes) = salt.decode_b64(&mut salt_buffer) else { return false };
    Output::init_with(expected.len(), |out| argon2.hash_password_into_with_memory(password.as_bytes(), salt_bytes, out, &mut *memory).map_err(Into::into))
        // `Output`'s comparison takes the same time wherever the bytes differ.
        .is_ok_and(|computed| computed == expected)
}

/// A hash of nothing anyone knows, verified when the account does not exist so that a
/// wrong email takes as long as a wrong password.
static DECOY_HASH: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| hash_password("decoy password that matches no account").unwrap_or_default());

/// Runs argon2 on a few dedicated threads (one per core), off the async ones. Each hash takes
/// 19 MiB and a core for a moment: a burst of sign-ins queues instead of exhausting memory, and
/// each thread reuses one working buffer, so memory stays at 19 MiB a thread.
#[derive(Clone)]
pub struct Passwords {
    jobs: mpsc::Sender<Job>,
    /// Jobs sent and not yet started, and how many may be.
    waiting: Arc<AtomicUsize>,
    most_waiting: usize,
    /// Jobs done since start (hashes made and checked).
    done: Arc<AtomicU64>,
}

type Job = Box<dyn FnOnce(&mut [Block]) + Send>;

impl Passwords {
    pub fn new(threads: usize) -> Self {
        Self::with_limit(threads, MOST_WAITING_HASHES)
    }

    /// `threads` hashing at once and at most `most_waiting` queued behind them.
    pub fn with_limit(threads: usize, most_waiting: usize) -> Self {
        let (jobs, queue) = mpsc::channel::<Job>();
        let queue = Arc::new(Mutex::new(queue));
        for _ in 0..threads.max(1) {
            let queue = queue.clone();
            // Each worker ends when the last `Passwords` handle is dropped.
            std::thread::spawn(move || {
                let mut memory = Vec::new();
                while let Ok(job) = queue.lock().map_err(drop).and_then(|queue| queue.recv().map_err(drop)) {
                    if memory.is_empty() {
                        memory = working_memory();
                    }
                    job(&mut memory);
                }
            });
        }
        Self { jobs, waiting: Arc::new(AtomicUsize::new(0)), most_waiting, done: Arc::new(AtomicU64::new(0)) }
    }

    /// How many passwords have been hashed or checked since start.
    pub fn hashed(&self) -> u64 {
        self.done.load(Ordering::SeqCst)
    }

    pub async fn hash(&self, password: String) -> AppResult<String> {
        self.run(move |memory| hash_in(&password, &SaltString::generate(&mut OsRng), memory)).await?
    }

    /// Checks a password; with no account, checks a decoy so the answer takes as long.
    pub(crate) async fn verify(&self, password: String, stored_hash: Option<String>) -> AppResult<bool> {
        self.run(move |memory| match stored_hash {
            Some(hash) => verify_in(&password, &hash, memory),
            None => {
                verify_in(&password, &DECOY_HASH, memory);
                false
            }
        })
        .await
    }

    async fn run<T: Send + 'static>(&self, work: impl FnOnce(&mut [Block]) -> T + Send + 'static) -> AppResult<T> {
        if self.waiting.fetch_add(1, Ordering::SeqCst) >= self.most_waiting {
            self.waiting.fetch_sub(1, Ordering::SeqCst);
            return Err(AppError::Busy);
        }
        let (reply, answer) = tokio::sync::oneshot::channel();
        let (waiting, done) = (self.waiting.clone(), self.done.clone());
        let job: Job = Box::new(move |memory| {
            waiting.fetch_sub(1, Ordering::SeqCst);
            let result = work(memory);
            done.fetch_add(1, Ordering::SeqCst);
            drop(reply.send(result));
        });
        self.jobs.send(job).map_err(|_| AppError::internal("the password threads have stopped"))?;
        answer.await.map_err(|_| AppError::internal("password hashing did not finish"))
    }
}

/// The stored password of an account opened by the council until its holder sets one:
/// never the output of a hash, so no password matches it.
pub const NO_PASSWORD_YET: &str = "!not-set-up";

/// A hex-encoded hash, used for session tokens and throttling keys.
pub fn digest(text: &str) -> String {
    let hash = Blake2b::<U32>::digest(text.as_bytes());
    hash.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// A new random token (256 bits, hex).
pub fn random_token() -> AppResult<String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|error| AppError::internal(format!("no randomness: {error}")))?;
    Ok(bytes.iter().map(|byte| format!("{byte:02x}")).collect())
}

/// Random letters for people to read out and type: groups of four joined by dashes
/// ("K7QX-3M9P"), 5 bits each, with no 0/O or 1/I to confuse.
pub fn readable_code(groups: usize) -> AppResult<String> {
    const LETTERS: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut bytes = vec![0u8; groups * 4];
    getrandom::fill(&mut bytes).map_err(|error| AppError::internal(format!("no randomness: {error}")))?;
    // 32 letters divide 256 evenly, so every letter is as likely.
    let letters: Vec<char> = bytes.iter().map(|byte| char::from(LETTERS[usize::from(*byte) % LETTERS.len()])).collect();
    Ok(letters.chunks(4).map(|group| group.iter().collect::<String>()).collect::<Vec<_>>().join("-"))
}

/// Whether any of the well-known demo sign-ins (whose password is published) would let someone
/// in here: such a database must not be served where others can reach it.
pub async fn demo_logins_present(db: &impl ConnectionTrait) -> AppResult<bool> {
    let emails = seeds::DEMO_LOGINS.iter().map(|(_, email)| *email);
    let accounts = user::Entity::find().filter(user::Column::Email.is_in(emails)).filter(user::Column::DisabledAt.is_null()).all(db).await?;
    let hashes: Vec<String> = accounts.into_iter().map(|account| account.password_hash).collect();
    tokio::task::spawn_blocking(move || {
        let memory = &mut working_memory();
        hashes.iter().any(|hash| verify_in(seeds::DEMO_PASSWORD, hash, memory))
    })
    .await
    .map_err(|error| AppError::internal(format!("checking the demo sign-ins failed: {error}")))
}

/// The council a commissioner works for; anyone else is refused.
pub fn commissioners_council(user: &SignedInUser) -> AppResult<i64> {
    if user.role == app::Role::Commissioner { Ok(user.council_id) } else { Err(AppError::Forbidden) }
}

/// The organisation of a provider's staff member; anyone else is refused.
pub fn providers_organisation(user: &SignedInUser) -> AppResult<i64> {
    user.provider_id.filter(|_| user.role == app::Role::Provider).ok_or(AppError::Forbidden)
}

pub fn signed_in_user(user: &user::Model) -> AppResult<SignedInUser> {
    let role = Role::from_code(&user.role).ok_or_else(|| AppError::internal(format!("unknown role {}", user.role)))?;
    Ok(SignedInUser { user_id: user.id, display_name: user.display_name.clone(), role, council_id: user.council_id, provider_id: user.provider_id })
}

/// A session that has just been created.
#[derive(Debug, Clone)]
pub struct NewSession {
    pub token: String,
    pub expires_at: DateTime<Utc>,
    pub user: SignedInUser,
}

/// Starts a session for a user. Any session the browser already had is ended first, so a
/// session id planted before sign-in is worthless afterwards (session fixation).
pub async fn start_session(
    db: &impl ConnectionTrait,
    user: &user::Model,
    previous_token: Option<&str>,
    hours: i64,
    now: DateTime<Utc>,
) -> AppResult<NewSession> {
    if let Some(previous) = previous_token {
        end_session(db, previous).await?;
    }
    let token = random_token()?;
    let expires_at = now + Duration::hours(hours);
    session::Entity::insert(session::ActiveModel { token_hash: Set(digest(&token)), user_id: Set(user.id), created_at: Set(now), expires_at: Set(expires_at) })
        .exec(db)
        .await?;
    Ok(NewSession { token, expires_at, user: signed_in_user(user)? })
}

pub async fn end_session(db: &impl ConnectionTrait, token: &str) -> AppResult<()> {
    session::Entity::delete_many().filter(session::Column::TokenHash.eq(digest(token))).exec(db).await?;
    Ok(())
}

/// The user a session token belongs to, if the session is live and the account enabled.
pub async fn user_for_session(db: &impl ConnectionTrait, token: &str, now: DateTime<Utc>) -> AppResult<Option<user::Model>> {
    // The session and its user in one query: every signed-in request asks this.
    let Some((session, user)) = session::Entity::find_by_id(digest(token)).find_also_related(user::Entity).one(db).await? else {
        return Ok(None);
    };
    if session.expires_at <= now {
        session::Entity::delete_by_id(session.token_hash).exec(db).await?;
        return Ok(None);
    }
    Ok(user.filter(|user| user.disabled_at.is_none()))
}

fn account_key(email: &str) -> String {
    digest(&format!("account:{}", email.trim().to_lowercase()))
}

pub fn address_key(address: &str) -> String {
    digest(&format!("address:{address}"))
}

/// Counts an attempt at something that ends in hashing a password (setting up an account,
/// registering), kept apart from sign-ins by `purpose`, before the hashing starts.
pub async fn reserve_hashing(
    db: &impl ConnectionTrait,
    purpose: &str,
    email: &str,
    client_address: &str,
    limits: &[(Throttle, u64, i64)],
    now: DateTime<Utc>,
) -> AppResult<Attempt> {
    let account = digest(&format!("{purpose}:{}", email.trim().to_lowercase()));
    let address = digest(&format!("{purpose}-address:{client_address}"));
    Attempt::reserve(db, &account, &address, limits, now).await
}

/// Failed attempts matching `keys` (column, key) since `since`.
async fn failures_since(db: &impl ConnectionTrait, keys: &[(sign_in_attempt::Column, &str)], since: DateTime<Utc>) -> AppResult<u64> {
    let mut query = sign_in_attempt::Entity::find().filter(sign_in_attempt::Column::Succeeded.eq(false)).filter(sign_in_attempt::Column::AttemptedAt.gt(since));
    for (column, key) in keys {
        query = query.filter(column.eq(*key));
    }
    Ok(query.count(db).await?)
}

/// An attempt counted before the slow work it guards: `reserve` records it as failed, and
/// refuses (taking it back) if that makes too many; `succeeded` marks it otherwise.
pub struct Attempt(i64);

impl Attempt {
    /// `limits` are (what is counted, how many, over how many minutes).
    pub async fn reserve(
        db: &impl ConnectionTrait,
        account_key: &str,
        address_key: &str,
        limits: &[(Throttle, u64, i64)],
        now: DateTime<Utc>,
    ) -> AppResult<Self> {
        let reserved = sign_in_attempt::Entity::insert(sign_in_attempt::ActiveModel {
            account_key: Set(account_key.to_string()),
            address_key: Set(address_key.to_string()),
            succeeded: Set(false),
            attempted_at: Set(now),
            ..Default::default()
        })
        .exec(db)
        .await?
        .last_insert_id;
        for (throttle, most, minutes) in limits {
            let keys: &[(sign_in_attempt::Column, &str)] = match throttle {
                Throttle::Pair => &[(sign_in_attempt::Column::AccountKey, account_key), (sign_in_attempt::Column::AddressKey, address_key)],
                Throttle::Account => &[(sign_in_attempt::Column::AccountKey, account_key)],
                Throttle::Address => &[(sign_in_attempt::Column::AddressKey, address_key)],
            };
            // This attempt is counted: of attempts sent at once, only the first few pass.
            if failures_since(db, keys, now - Duration::minutes(*minutes)).await? > *most {
                sign_in_attempt::Entity::delete_by_id(reserved).exec(db).await?;
                return Err(AppError::Throttled { minutes: u32::try_from(*minutes).unwrap_or(60) });
            }
        }
        Ok(Self(reserved))
    }

    pub async fn succeeded(self, db: &impl ConnectionTrait) -> AppResult<()> {
        sign_in_attempt::Entity::update_many()
            .col_expr(sign_in_attempt::Column::Succeeded, sea_orm::sea_query::Expr::value(true))
            .filter(sign_in_attempt::Column::Id.eq(self.0))
            .exec(db)
            .await?;
        Ok(())
    }
}

/// What an attempt's count is kept by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Throttle {
    /// This account from this address.
    Pair,
    /// This account from anywhere.
    Account,
    /// This address, whatever the account.
    Address,
}

/// The sign-in limits: see the constants.
const SIGN_IN_LIMITS: [(Throttle, u64, i64); 3] = [
    (Throttle::Pair, PAIR_ATTEMPTS, THROTTLE_WINDOW_MINUTES),
    (Throttle::Address, ADDRESS_ATTEMPTS, THROTTLE_WINDOW_MINUTES),
    (Throttle::Account, ACCOUNT_ATTEMPTS_PER_HOUR, 60),
];

/// What someone typed into the sign-in form.
pub struct Credentials<'a> {
    pub email: &'a str,
    pub password: &'a str,
}

/// Checks an email and password and starts a session. Every failure looks the same.
pub async fn sign_in(
    db: &impl ConnectionTrait,
    passwords: &Passwords,
    Credentials { email, password }: Credentials<'_>,
    client_address: &str,
    previous_token: Option<&str>,
    session_hours: i64,
    now: DateTime<Utc>,
) -> AppResult<NewSession> {
    let attempt = Attempt::reserve(db, &account_key(email), &address_key(client_address), &SIGN_IN_LIMITS, now).await?;
    let normalised = email.trim().to_lowercase();
    let account = if normalised.is_empty() { None } else { user::Entity::find().filter(user::Column::Email.eq(normalised)).one(db).await? };
    // An account not yet set up (no password chosen) answers exactly as no account would.
    let stored_hash =
        account.as_ref().filter(|user| user.disabled_at.is_none() && user.password_hash != NO_PASSWORD_YET).map(|user| user.password_hash.clone());
    let matches = passwords.verify(password.to_string(), stored_hash).await?;
    match account {
        Some(user) if matches => {
            attempt.succeeded(db).await?;
            let session = start_session(db, &user, previous_token, session_hours, now).await?;
            tell_if_new_place(db, &user, client_address, now).await?;
            Ok(session)
        }
        _ => Err(AppError::SignInFailed),
    }
}

/// Remembers where (a digest of the network) an account signed in from; the first sign-in from
/// a new place after the account's first ever is emailed to its owner, whatever they chose to
/// have emailed: someone else may have their password.
async fn tell_if_new_place(db: &impl ConnectionTrait, user: &user::Model, client_address: &str, now: DateTime<Utc>) -> AppResult<()> {
    let place = digest(&format!("place:{}:{client_address}", user.id));
    let known = sign_in_place::Entity::find().filter(sign_in_place::Column::UserId.eq(user.id)).all(db).await?;
    if known.iter().any(|seen| seen.place_hash == place) {
        return Ok(());
    }
    let row = sign_in_place::ActiveModel { user_id: Set(user.id), place_hash: Set(place.clone()), first_seen_at: Set(now), ..Default::default() };
    sign_in_place::Entity::insert(row).on_conflict_do_nothing_on([sign_in_place::Column::UserId, sign_in_place::Column::PlaceHash]).exec(db).await?;
    if known.is_empty() {
        return Ok(());
    }
    let local = super::uk_time::to_local(now);
    let body = format!(
        "Someone signed in to your CareMarket account at {} on {}, from a network you have not signed in from before. If it was you, there is nothing to do. If not, choose a new password now: it also signs everyone else out.",
        local.format("%H:%M"),
        super::uk_time::long_date(local.date())
    );
    let letter = super::mail::Letter {
        key: format!("sign_in:{}:{}", user.id, &place[..16]),
        subject: "A new sign-in to your CareMarket account",
        body: &body,
        link_path: "/account/forgot-password",
        link_text: "Choose a new password",
    };
    super::mail::queue_account_message(db, user, letter, now).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_verifies_against_its_own_hash_only() {
        let memory = &mut working_memory();
        let hash = hash_password("correct horse battery staple").unwrap();
        assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(verify_in("correct horse battery staple", &hash, memory));
        assert!(!verify_in("correct horse battery stapler", &hash, memory));
        assert!(!verify_in("anything", "not a hash", memory));
    }

    #[test]
    fn hashes_are_standard_phc_strings_both_ways() {
        let memory = &mut working_memory();
        // Ours verify with the argon2 crate's own verifier...
        let ours = hash_in("a long pass phrase", &SaltString::generate(&mut OsRng), memory).unwrap();
        let parsed = PasswordHash::new(&ours).unwrap();
        assert!(hasher().verify_password(b"a long pass phrase", &parsed).is_ok());
        // ...and hashes made elsewhere, with lighter or heavier settings, verify with ours.
        for (m, t) in [(8 * 1024, 3), (32 * 1024, 1)] {
            let other = Argon2::new(Algorithm::Argon2id, Version::V0x13, Params::new(m, t, 1, None).unwrap());
            let theirs = argon2::PasswordHasher::hash_password(&other, b"another phrase", &SaltString::generate(&mut OsRng)).unwrap().to_string();
            assert!(verify_in("another phrase", &theirs, memory), "m={m} t={t}");
            assert!(!verify_in("another phrase!", &theirs, memory), "m={m} t={t}");
        }
    }

    #[tokio::test]
    async fn past_its_limit_the_hashing_queue_refuses_at_once() {
        // One thread hashing, two waiting: of eight asked at once, the rest are refused.
        let passwords = Passwords::with_limit(1, 2);
        let asked: Vec<_> = (0..8).map(|n| passwords.hash(format!("password number {n}"))).collect();
        let answers = futures_join(asked).await;
        let refused = answers.iter().filter(|answer| matches!(answer, Err(AppError::Busy))).count();
        let hashed = answers.iter().filter(|answer| answer.is_ok()).count();
        assert!((5..=6).contains(&refused) && refused + hashed == 8, "refused {refused}, hashed {hashed}");
        assert_eq!(passwords.hashed(), hashed as u64);
        // Once the queue has room again, hashing goes on.
        assert!(passwords.hash("another password".into()).await.is_ok());
    }

    /// Polls every future to completion at once (each asks its question before any waits).
    async fn futures_join<T>(futures: Vec<impl std::future::Future<Output = T>>) -> Vec<T> {
        let mut handles = Vec::new();
        for future in futures {
            handles.push(Box::pin(future));
        }
        let mut results: Vec<Option<T>> = handles.iter().map(|_| None).collect();
        std::future::poll_fn(|cx| {
            for (handle, result) in handles.iter_mut().zip(results.iter_mut()) {
                if result.is_none()
                    && let std::task::Poll::Ready(value) = handle.as_mut().poll(cx)
                {
                    *result = Some(value);
                }
            }
            if results.iter().all(Option::is_some) { std::task::Poll::Ready(()) } else { std::task::Poll::Pending }
        })
        .await;
        results.into_iter().flatten().collect()
    }

    #[test]
    fn tokens_are_random_and_long() {
        let (a, b) = (random_token().unwrap(), random_token().unwrap());
        assert_eq!(a.len(), 64);
        assert_ne!(a, b);
        assert_eq!(digest(&a), digest(&a));
        assert_ne!(digest(&a), a);
    }
}
