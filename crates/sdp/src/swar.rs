//! Word-at-a-time (SWAR) and SSE2 helpers shared by the line loop
//! (`parse`) and the attribute readers (`attributes`): byte masks and the
//! white-space mask of a short value.

/// One in every byte.
pub(crate) const LO: u64 = 0x0101_0101_0101_0101;
/// The high bit of every byte.
pub(crate) const HI: u64 = 0x8080_8080_8080_8080;

/// Space or tab, the field separators (one compare for most bytes).
#[inline(always)]
pub(crate) fn is_ws(b: u8) -> bool {
    b <= b' ' && (b == b' ' || b == b'\t')
}

/// High bit set in each byte of `x` that is zero. Exact up to the first zero
/// byte; above it a byte may be flagged falsely (a borrow from below).
#[inline(always)]
pub(crate) fn zero_bytes(x: u64) -> u64 {
    x.wrapping_sub(LO) & !x & HI
}

/// Exact: 0x80 in each byte of `w` equal to `c`, 0 in the others.
#[inline(always)]
pub(crate) fn eq_bytes(w: u64, c: u8) -> u64 {
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    let x = w ^ (LO * u64::from(c));
    !((x & LOW7).wrapping_add(LOW7) | x | LOW7)
}

/// [`ws_mask`] of the first `len` (at most 64) bytes of `block`, from one
/// SSE2 pass over the whole block (no length-dependent steps).
#[inline(always)]
pub(crate) fn ws_mask_block(block: &[u8; 64], len: usize) -> u64 {
    #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
    let ws = {
        // SAFETY: the build enables SSE2 (the cfg above), the only
        // requirement of `ws_mask_sse2`.
        unsafe { ws_mask_sse2(block) }
    };
    #[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
    let ws = ws_mask_words(block);
    if len < 64 { ws | (!0u64 << len) } else { ws }
}

/// For `b` of at most 64 bytes: bit `k` set when `b[k]` is a space or a
/// tab, and every bit from `b.len()` up set; 16 bytes at a time with SSE2
/// from 16 bytes on, else eight at a time ([`ws_mask_words`]).
#[inline(always)]
pub(crate) fn ws_mask(b: &[u8]) -> u64 {
    #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
    if (16..=64).contains(&b.len()) {
        // SAFETY: the build enables SSE2 (the cfg above), the only
        // requirement of `ws_mask_sse2`.
        return unsafe { ws_mask_sse2(b) };
    }
    ws_mask_words(b)
}

/// [`ws_mask`] with SSE2, for `b` of 16 to 64 bytes: whole 16-byte blocks,
/// then the 16 bytes that end `b` for the bytes after the last whole block
/// (the vectors are built from two `u64` loads: no raw pointers).
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
#[target_feature(enable = "sse2")]
#[inline]
fn ws_mask_sse2(b: &[u8]) -> u64 {
    let len = b.len();
    let full = len / 16;
    let mut mask = 0u64;
    for k in 0..full.min(4) {
        mask |= ws16_sse2(b, 16 * k) << (16 * k);
    }
    let rem = len % 16;
    if rem != 0 && len >= 16 {
        // Of the 16 bytes that end `b`, the last `rem` are the ones left.
        mask |= (ws16_sse2(b, len - 16) >> (16 - rem)) << ((16 * full) & 63);
    }
    if len < 64 {
        mask |= !0u64 << len;
    }
    mask
}

/// Bit `k` set when byte `at + k` of `b` is a space or a tab, for the 16
/// bytes from `at` (0 for bytes past the end of `b`, never asked for).
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
#[target_feature(enable = "sse2")]
#[inline]
fn ws16_sse2(b: &[u8], at: usize) -> u64 {
    use std::arch::x86_64::{
        _mm_cmpeq_epi8, _mm_movemask_epi8, _mm_or_si128, _mm_set_epi64x, _mm_set1_epi8,
    };
    let word = |i: usize| {
        let mut w = [0u8; 8];
        if let Some(src) = b.get(at + i..at + i + 8) {
            w.copy_from_slice(src);
        }
        i64::from_le_bytes(w)
    };
    let v = _mm_set_epi64x(word(8), word(0));
    let ws = _mm_or_si128(
        _mm_cmpeq_epi8(v, _mm_set1_epi8(b' ' as i8)),
        _mm_cmpeq_epi8(v, _mm_set1_epi8(b'\t' as i8)),
    );
    u64::from(_mm_movemask_epi8(ws) as u16)
}

/// [`ws_mask`] eight bytes at a time (the scalar twin of
/// [`ws_mask_sse2`], and the form for fewer than 16 bytes).
#[inline(always)]
pub(crate) fn ws_mask_words(b: &[u8]) -> u64 {
    let eq = eq_bytes;
    let mut mask = if b.len() < 64 { !0u64 << b.len() } else { 0 };
    // Whole words (a copy of a shorter last chunk into a padded word was a
    // call to `memcpy` for each chunk), then the last bytes one by one.
    let mut chunks = b.chunks_exact(8);
    let mut shift = 0;
    for chunk in &mut chunks {
        let Some(word) = chunk.first_chunk::<8>() else {
            break;
        };
        let w = u64::from_le_bytes(*word);
        let z = eq(w, b' ') | eq(w, b'\t');
        // Gather the eight flags into eight bits (byte k to bit k).
        mask |= ((z >> 7).wrapping_mul(0x0102_0408_1020_4080) >> 56) << (shift & 63);
        shift += 8;
    }
    let rest = chunks.remainder();
    match b.last_chunk::<8>() {
        // The eight bytes that end `b`, of which the last `rest.len()` are
        // the ones left.
        Some(last) if !rest.is_empty() => {
            let w = u64::from_le_bytes(*last);
            let z = eq(w, b' ') | eq(w, b'\t');
            let bits = (z >> 7).wrapping_mul(0x0102_0408_1020_4080) >> 56;
            mask |= (bits >> (8 - rest.len())) << (shift & 63);
        }
        _ => {
            for (k, &c) in rest.iter().enumerate() {
                mask |= u64::from(is_ws(c)) << ((shift + k) & 63);
            }
        }
    }
    mask
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ws_mask_match_a_plain_scan() {
        let mut text: Vec<u8> = (0u8..=255).collect();
        text.extend(b" IN\tIP4  1.2.3.4 \t x");
        text.extend((0u8..=255).rev());
        for i in 0..text.len() {
            for len in 0..=64.min(text.len() - i) {
                let b = &text[i..i + len];
                let mut plain = if len < 64 { !0u64 << len } else { 0 };
                for (k, &c) in b.iter().enumerate() {
                    plain |= u64::from(c == b' ' || c == b'\t') << k;
                }
                assert_eq!(ws_mask(b), plain, "{b:?}");
                assert_eq!(ws_mask_words(b), plain, "{b:?}");
            }
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]
        /// The SSE2 white-space mask equals its scalar twin on random
        /// bytes (white space likely), every length it takes (16 to 64)
        /// and every alignment (a random start in a larger buffer).
        #[test]
        fn ws_mask_sse2_matches_the_words(
            bytes in proptest::collection::vec(
                proptest::prop_oneof![
                    proptest::prelude::Just(b' '),
                    proptest::prelude::Just(b'\t'),
                    proptest::prelude::any::<u8>(),
                ],
                16..96,
            ),
            start in 0usize..32,
            len in 16usize..=64,
        ) {
            let start = start.min(bytes.len() - 16);
            let len = len.min(bytes.len() - start);
            let b = &bytes[start..start + len];
            #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
            {
                // SAFETY: the build enables SSE2 (the cfg above).
                let simd = unsafe { ws_mask_sse2(b) };
                proptest::prop_assert_eq!(simd, ws_mask_words(b), "{:?}", b);
            }
            proptest::prop_assert_eq!(ws_mask(b), ws_mask_words(b), "{:?}", b);
        }
    }

    #[test]
    fn ws_mask_block_matches_ws_mask_words() {
        let mut text: Vec<u8> = (0u8..=255).collect();
        text.extend(b"o=- 1 1 IN\tIP4  1.2.3.4 \t\r\n");
        text.extend((0u8..=255).rev());
        text.extend(std::iter::repeat_n(b' ', 70));
        for start in 0..text.len() {
            let Some(block) = text.get(start..).and_then(|t| t.first_chunk::<64>()) else {
                break;
            };
            for len in 0..=64 {
                assert_eq!(
                    ws_mask_block(block, len),
                    ws_mask_words(&block[..len]),
                    "{block:?} {len}"
                );
            }
        }
    }
}
