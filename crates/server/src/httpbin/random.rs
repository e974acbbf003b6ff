//! A small seeded pseudo-random generator (splitmix64) for `/bytes`, `/status` lists and tests.
//!
//! Not for secrets: it only has to be fast, repeatable from a seed (`/bytes/{n}?seed=N`, and
//! `Config::random_seed` so tests can fix the outcomes of `/status/200,500`) and good enough
//! that bytes look random.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};

/// Sebastiano Vigna's splitmix64: one 64-bit state, one output per step.
#[derive(Clone, Debug)]
pub(crate) struct SplitMix64(u64);

impl SplitMix64 {
    pub(crate) fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `[0, 1)` with 53 random bits.
    pub(crate) fn next_unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Fills `buffer` with random bytes.
    pub(crate) fn fill(&mut self, buffer: &mut [u8]) {
        for chunk in buffer.chunks_mut(8) {
            let word = self.next_u64().to_le_bytes();
            chunk.copy_from_slice(&word[..chunk.len()]);
        }
    }
}

/// A seed that differs between runs, from the OS-seeded keys of std's `RandomState`.
pub(crate) fn seed_from_os() -> u64 {
    RandomState::new().build_hasher().finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_reference_sequence() {
        // First outputs of splitmix64 seeded with 0 (from the reference C implementation).
        let mut rng = SplitMix64::new(0);
        assert_eq!(rng.next_u64(), 0xE220_A839_7B1D_CDAF);
        assert_eq!(rng.next_u64(), 0x6E78_9E6A_A1B9_65F4);
    }

    #[test]
    fn same_seed_same_bytes_and_units_in_range() {
        let (mut a, mut b) = (vec![0; 13], vec![0; 13]);
        SplitMix64::new(7).fill(&mut a);
        SplitMix64::new(7).fill(&mut b);
        assert_eq!(a, b);
        let mut rng = SplitMix64::new(1);
        assert!((0..1000).map(|_| rng.next_unit()).all(|x| (0.0..1.0).contains(&x)));
    }
}
