/// SplitMix64: tiny, fast and fully specified, so the same seed gives the same data on every
/// machine and every version of every dependency (a library RNG may change its stream).
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    /// An independent stream for one part of the data set, so adding data to one part does not
    /// shift every value generated after it.
    pub fn fork(&self, stream: u64) -> Self {
        let mut forked = Self(self.0 ^ stream.wrapping_mul(0xA076_1D64_78BD_642F));
        forked.next_u64();
        forked
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A whole number in `low..=high`.
    pub fn between(&mut self, low: i64, high: i64) -> i64 {
        debug_assert!(low <= high);
        let span = (high - low) as u64 + 1;
        low + (self.next_u64() % span) as i64
    }

    /// True with the given chance in percent.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.next_u64() % 100 < percent
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[(self.next_u64() % items.len() as u64) as usize]
    }

    /// Picks by weight: `items` are (value, weight) pairs.
    pub fn weighted<'a, T>(&mut self, items: &'a [(T, u64)]) -> &'a T {
        let total: u64 = items.iter().map(|(_, weight)| weight).sum();
        let mut roll = self.next_u64() % total;
        for (item, weight) in items {
            if roll < *weight {
                return item;
            }
            roll -= weight;
        }
        &items[items.len() - 1].0
    }

    /// A random (version 4 layout) UUID, as text.
    pub fn uuid(&mut self) -> String {
        let high = self.next_u64();
        let low = self.next_u64();
        let time_low = high >> 32;
        let time_mid = (high >> 16) & 0xFFFF;
        let version_and_high = (high & 0x0FFF) | 0x4000;
        let variant = ((low >> 48) & 0x3FFF) | 0x8000;
        let node = low & 0xFFFF_FFFF_FFFF;
        format!("{time_low:08x}-{time_mid:04x}-{version_and_high:04x}-{variant:04x}-{node:012x}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_stream() {
        let a: Vec<u64> = (0..5).scan(Rng::new(7), |rng, _| Some(rng.next_u64())).collect();
        let b: Vec<u64> = (0..5).scan(Rng::new(7), |rng, _| Some(rng.next_u64())).collect();
        assert_eq!(a, b);
        assert_ne!(a, (0..5).scan(Rng::new(8), |rng, _| Some(rng.next_u64())).collect::<Vec<_>>());
    }

    #[test]
    fn between_stays_inside_its_bounds() {
        let mut rng = Rng::new(1);
        for _ in 0..10_000 {
            let value = rng.between(-3, 3);
            assert!((-3..=3).contains(&value));
        }
    }

    #[test]
    fn uuids_have_the_version_4_layout() {
        let id = Rng::new(3).uuid();
        assert_eq!(id.len(), 36);
        assert_eq!(&id[14..15], "4");
        assert!(matches!(&id[19..20], "8" | "9" | "a" | "b"));
    }
}
