//! Small numerical toolkit shared by the models: special functions, a
//! Nelder–Mead minimiser and a deterministic PRNG. Kept in-crate so the
//! models stay dependency-light and bit-for-bit reproducible.

pub mod nelder_mead;
pub mod rng;
pub mod special;
