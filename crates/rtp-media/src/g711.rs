//! G.711 µ-law and A-law (ITU-T G.711), bit-exact with the ITU-T G.191
//! software tool library algorithm.
//!
//! Three layers, each tested against the one above:
//!
//! * [`reference`](mod@reference): per-sample functions that follow the G.191 algorithm
//!   step by step (one's complement of negative inputs, segment search by
//!   shifting). They are the oracle: tests compare every other path against
//!   them for all 65,536 encoder inputs and all 256 decoder inputs.
//! * [`scalar`]: the fast portable path (bit-length instead of the segment
//!   loop, 256-entry decode tables). It is also the *scalar twin* of every
//!   SIMD kernel.
//! * SIMD kernels (`std::arch`): SSE2 and AVX2 on x86_64, NEON on
//!   aarch64, selected at run time by [`Kernel::detect`]. Every kernel is a
//!   small `unsafe fn` with a `// SAFETY:` note; exhaustive and property
//!   tests prove it writes the same bytes as [`scalar`] for all inputs and
//!   random lengths and alignments. Other targets use the scalar path.
//!
//! The AVX2 decoder writes each sample as a sum of two byte products,
//! `a0[lo]·b0[hi] + a1[lo]·b1[hi]`, over the code's nibbles
//! ([`scalar::SplitTables`]): three `vpshufb` lookups and one
//! `vpmaddubsw` per 16 samples, with the sign and the µ-law bias folded
//! into the tables.
//!
//! Encoding uses the exponent of an IEEE single as the segment number
//! (for µ-law the biased magnitude `a` lies in 33..8191, so `float(a)` is
//! exact; its exponent is `seg + 4` and its top four mantissa bits are the
//! G.711 mantissa `(a >> seg) & 15`).

/// The G.191 algorithm, sample by sample (the test oracle).
pub mod reference {
    /// µ-law compression of one 16-bit sample (G.191 `ulaw_compress`
    /// algorithm: 14-bit magnitude in one's complement, bias 33, segment by
    /// shifting, bits inverted).
    pub fn ulaw_compress(x: i16) -> u8 {
        let x = i32::from(x);
        let mut absno = if x < 0 {
            ((!x) >> 2) + 33
        } else {
            (x >> 2) + 33
        };
        if absno > 0x1FFF {
            absno = 0x1FFF;
        }
        let mut i = absno >> 6;
        let mut segno = 1;
        while i != 0 {
            segno += 1;
            i >>= 1;
        }
        let high_nibble = 0x0008 - segno;
        let low_nibble = 0x000F - ((absno >> segno) & 0x000F);
        let mut out = (high_nibble << 4) | low_nibble;
        if x >= 0 {
            out |= 0x0080;
        }
        out as u8
    }

    /// µ-law expansion (G.191 `ulaw_expand` algorithm).
    pub fn ulaw_expand(code: u8) -> i16 {
        let sign: i32 = if code < 0x80 { -1 } else { 1 };
        let mantissa = !i32::from(code);
        let exponent = (mantissa >> 4) & 0x0007;
        let segment = exponent + 1;
        let mantissa = mantissa & 0x000F;
        let step = 4 << segment;
        (sign * ((0x0080 << exponent) + step * mantissa + step / 2 - 4 * 33)) as i16
    }

    /// A-law compression (G.191 `alaw_compress` algorithm: 12-bit
    /// magnitude in one's complement, exponent by shifting, even bits
    /// inverted).
    pub fn alaw_compress(x: i16) -> u8 {
        let x = i32::from(x);
        let mut ix = if x < 0 { (!x) >> 4 } else { x >> 4 };
        if ix > 15 {
            let mut iexp = 1;
            while ix > 16 + 15 {
                ix >>= 1;
                iexp += 1;
            }
            ix -= 16;
            ix += iexp << 4;
        }
        if x >= 0 {
            ix |= 0x0080;
        }
        (ix ^ 0x0055) as u8
    }

    /// A-law expansion (G.191 `alaw_expand` algorithm).
    pub fn alaw_expand(code: u8) -> i16 {
        let ix = (i32::from(code) ^ 0x0055) & 0x007F;
        let iexp = ix >> 4;
        let mut mant = ix & 0x000F;
        if iexp > 0 {
            mant += 16;
        }
        mant = (mant << 4) + 0x0008;
        if iexp > 1 {
            mant <<= iexp - 1;
        }
        (if code > 127 { mant } else { -mant }) as i16
    }
}

/// The portable fast path, and the scalar twin of every SIMD kernel.
pub mod scalar {
    const fn build_ulaw() -> [i16; 256] {
        let mut t = [0i16; 256];
        let mut c = 0;
        while c < 256 {
            let n = !(c as i32) & 0xFF;
            let e = (n >> 4) & 7;
            let m = n & 15;
            let mag = (((m << 3) + 0x84) << e) - 0x84;
            t[c] = if c < 0x80 { -mag as i16 } else { mag as i16 };
            c += 1;
        }
        t
    }
    const fn build_alaw() -> [i16; 256] {
        let mut t = [0i16; 256];
        let mut c = 0;
        while c < 256 {
            let ix = (c as i32 ^ 0x55) & 0x7F;
            let e = ix >> 4;
            let m = ix & 15;
            let mag = if e == 0 {
                (m << 4) + 8
            } else {
                (((m + 16) << 4) + 8) << (e - 1)
            };
            t[c] = if c > 127 { mag as i16 } else { -mag as i16 };
            c += 1;
        }
        t
    }
    /// µ-law decode table (equal to [`super::reference::ulaw_expand`]).
    pub static ULAW_TO_LINEAR: [i16; 256] = build_ulaw();
    /// A-law decode table (equal to [`super::reference::alaw_expand`]).
    pub static ALAW_TO_LINEAR: [i16; 256] = build_alaw();

    /// Nibble tables of the product-sum form of the decoders, used by the
    /// AVX2 kernel (`vpshufb` + `vpmaddubsw`).
    ///
    /// Every decoded sample is `a0[lo]*b0[hi] + a1[lo]*b1[hi]` with `lo`
    /// and `hi` the low and high nibble of the code, `a0`/`a1` unsigned
    /// and `b0`/`b1` signed bytes (`a1[lo] = a0[lo] + a1_minus_a0`). With
    /// `m` the mantissa, `e` the exponent and `s` the sign:
    ///
    /// * µ-law: `8m·s + (8m + 132)·s(2^e − 1) = s((8m + 132)·2^e − 132)`;
    /// * A-law, `e ≥ 1`: `(8m + 130 + 8m + 134)·s·2^(e−1) = s(16m + 264)·2^(e−1)`;
    ///   `e = 0`: `65(8m + 130) − 63(8m + 134) = 16m + 8` (times `s`).
    ///
    /// Products fit in 16 bits and the sums never saturate (at most
    /// 32,256 in magnitude). [`split_decode`] is the scalar model, tested
    /// against the decode tables for all 256 codes.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub struct SplitTables {
        /// First unsigned factor, by low nibble.
        pub a0: [u8; 16],
        /// `a1[lo] - a0[lo]` (the same for every nibble).
        pub a1_minus_a0: u8,
        /// First signed factor, by high nibble (sign bit included).
        pub b0: [i8; 16],
        /// Second signed factor, by high nibble.
        pub b1: [i8; 16],
    }

    const fn build_split(alaw: bool) -> SplitTables {
        let mut t = SplitTables {
            a0: [0; 16],
            a1_minus_a0: if alaw { 4 } else { 132 },
            b0: [0; 16],
            b1: [0; 16],
        };
        let mut n = 0;
        while n < 16 {
            let s: i32 = if n >= 8 { 1 } else { -1 };
            if alaw {
                let m = (n as i32) ^ 5;
                t.a0[n] = (8 * m + 130) as u8;
                let e = (n as i32 ^ 5) & 7;
                let (x, y) = if e == 0 {
                    (65, -63)
                } else {
                    (1 << (e - 1), 1 << (e - 1))
                };
                t.b0[n] = (s * x) as i8;
                t.b1[n] = (s * y) as i8;
            } else {
                let m = 15 - n as i32;
                t.a0[n] = (8 * m) as u8;
                let e = 7 - (n as i32 & 7);
                t.b0[n] = s as i8;
                t.b1[n] = (s * ((1 << e) - 1)) as i8;
            }
            n += 1;
        }
        t
    }
    /// µ-law product-sum tables.
    pub static ULAW_SPLIT: SplitTables = build_split(false);
    /// A-law product-sum tables.
    pub static ALAW_SPLIT: SplitTables = build_split(true);

    /// One code decoded through the product-sum form (the scalar model of
    /// the AVX2 decoder; equal to the decode tables for every code).
    pub fn split_decode(t: &SplitTables, code: u8) -> i16 {
        let (lo, hi) = ((code & 15) as usize, (code >> 4) as usize);
        let a0 = i32::from(t.a0[lo]);
        let a1 = a0 + i32::from(t.a1_minus_a0);
        (a0 * i32::from(t.b0[hi]) + a1 * i32::from(t.b1[hi])) as i16
    }

    /// µ-law encode of one sample.
    #[inline(always)]
    pub fn ulaw(x: i16) -> u8 {
        let m = x >> 15;
        let a = (((x ^ m) >> 2) as i32 + 33).min(0x1FFF) as u32;
        let seg = 32 - (a >> 5).leading_zeros(); // 1..=8
        let v = ((seg - 1) << 4) | ((a >> seg) & 15);
        (0x7F - v) as u8 | (!(m as u8) & 0x80)
    }

    /// A-law encode of one sample.
    #[inline(always)]
    pub fn alaw(x: i16) -> u8 {
        let m = x >> 15;
        let ix = ((x ^ m) >> 4) as u32; // 0..=2047
        let v = if ix < 16 {
            ix
        } else {
            let k = 31 - ix.leading_zeros(); // 4..=10
            ((k - 3) << 4) | ((ix >> (k - 4)) & 15)
        };
        (v as u8 | (!(m as u8) & 0x80)) ^ 0x55
    }

    /// µ-law encode a buffer.
    pub fn ulaw_encode(input: &[i16], out: &mut [u8]) {
        for (o, &x) in out.iter_mut().zip(input) {
            *o = ulaw(x);
        }
    }
    /// A-law encode a buffer.
    pub fn alaw_encode(input: &[i16], out: &mut [u8]) {
        for (o, &x) in out.iter_mut().zip(input) {
            *o = alaw(x);
        }
    }
    /// µ-law decode a buffer.
    pub fn ulaw_decode(input: &[u8], out: &mut [i16]) {
        for (o, &c) in out.iter_mut().zip(input) {
            *o = ULAW_TO_LINEAR[c as usize];
        }
    }
    /// A-law decode a buffer.
    pub fn alaw_decode(input: &[u8], out: &mut [i16]) {
        for (o, &c) in out.iter_mut().zip(input) {
            *o = ALAW_TO_LINEAR[c as usize];
        }
    }
}

/// Which implementation a buffer call uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kernel {
    /// Portable scalar code.
    Scalar,
    /// x86_64 SSE2 (always present on x86_64).
    Sse2,
    /// x86_64 AVX2.
    Avx2,
    /// aarch64 NEON (Advanced SIMD).
    Neon,
}

impl Kernel {
    /// The best kernel this CPU supports (run-time detection).
    pub fn detect() -> Self {
        #[cfg(target_arch = "x86_64")]
        {
            if std::arch::is_x86_feature_detected!("avx2") {
                return Kernel::Avx2;
            }
            Kernel::Sse2
        }
        #[cfg(target_arch = "aarch64")]
        {
            if std::arch::is_aarch64_feature_detected!("neon") {
                return Kernel::Neon;
            }
            Kernel::Scalar
        }
        #[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
        {
            Kernel::Scalar
        }
    }

    /// Whether this CPU can run the kernel.
    pub fn is_available(self) -> bool {
        match self {
            Kernel::Scalar => true,
            #[cfg(target_arch = "x86_64")]
            Kernel::Sse2 => true,
            #[cfg(target_arch = "x86_64")]
            Kernel::Avx2 => std::arch::is_x86_feature_detected!("avx2"),
            #[cfg(target_arch = "aarch64")]
            Kernel::Neon => std::arch::is_aarch64_feature_detected!("neon"),
            #[allow(unreachable_patterns)]
            _ => false,
        }
    }

    /// All kernels this CPU can run.
    pub fn available() -> Vec<Kernel> {
        [Kernel::Scalar, Kernel::Sse2, Kernel::Avx2, Kernel::Neon]
            .into_iter()
            .filter(|k| k.is_available())
            .collect()
    }
}

/// The companding law.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Law {
    /// µ-law (PCMU, RTP payload type 0).
    Ulaw,
    /// A-law (PCMA, RTP payload type 8).
    Alaw,
}

/// Encodes `min(input.len(), out.len())` samples with `kernel`; returns
/// that count. Falls back to scalar if the CPU lacks the kernel.
pub fn encode_with(kernel: Kernel, law: Law, input: &[i16], out: &mut [u8]) -> usize {
    let n = input.len().min(out.len());
    let (input, out) = (&input[..n], &mut out[..n]);
    match (kernel, law) {
        #[cfg(target_arch = "x86_64")]
        (Kernel::Avx2, _) if kernel.is_available() => {
            // SAFETY: AVX2 availability was checked at run time just above.
            unsafe { x86::encode_avx2(law, input, out) }
        }
        #[cfg(target_arch = "x86_64")]
        (Kernel::Sse2, _) => {
            // SAFETY: SSE2 is part of the x86_64 baseline.
            unsafe { x86::encode_sse2(law, input, out) }
        }
        #[cfg(target_arch = "aarch64")]
        (Kernel::Neon, _) if kernel.is_available() => {
            // SAFETY: NEON availability was checked at run time just above.
            unsafe { arm::encode_neon(law, input, out) }
        }
        (_, Law::Ulaw) => scalar::ulaw_encode(input, out),
        (_, Law::Alaw) => scalar::alaw_encode(input, out),
    }
    n
}

/// Decodes `min(input.len(), out.len())` codes with `kernel`; returns that
/// count.
pub fn decode_with(kernel: Kernel, law: Law, input: &[u8], out: &mut [i16]) -> usize {
    let n = input.len().min(out.len());
    let (input, out) = (&input[..n], &mut out[..n]);
    match (kernel, law) {
        #[cfg(target_arch = "x86_64")]
        (Kernel::Avx2, _) if kernel.is_available() => {
            // SAFETY: AVX2 availability was checked at run time just above.
            unsafe { x86::decode_avx2(law, input, out) }
        }
        #[cfg(target_arch = "x86_64")]
        (Kernel::Sse2, _) => {
            // SAFETY: SSE2 is part of the x86_64 baseline.
            unsafe { x86::decode_sse2(law, input, out) }
        }
        #[cfg(target_arch = "aarch64")]
        (Kernel::Neon, _) if kernel.is_available() => {
            // SAFETY: NEON availability was checked at run time just above.
            unsafe { arm::decode_neon(law, input, out) }
        }
        (_, Law::Ulaw) => scalar::ulaw_decode(input, out),
        (_, Law::Alaw) => scalar::alaw_decode(input, out),
    }
    n
}

/// Encodes with the best kernel of this CPU.
pub fn encode(law: Law, input: &[i16], out: &mut [u8]) -> usize {
    encode_with(Kernel::detect(), law, input, out)
}

/// Decodes with the best kernel of this CPU.
pub fn decode(law: Law, input: &[u8], out: &mut [i16]) -> usize {
    decode_with(Kernel::detect(), law, input, out)
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    //! SSE2 and AVX2 kernels. Each processes whole blocks and hands the
    //! tail to the scalar twin.
    use super::{Law, scalar};
    use std::arch::x86_64::*;

    // ---- encode, 8 samples in 32-bit lanes (SSE2) ----

    /// Codes (0..=255 in i32 lanes) for 8 samples given as i32 lanes.
    #[inline(always)]
    unsafe fn enc8_sse2(law: Law, x: __m128i) -> __m128i {
        // SAFETY: SSE2 register arithmetic only; no memory access.
        unsafe {
            let m = _mm_srai_epi32(x, 31);
            let pos = _mm_andnot_si128(m, _mm_set1_epi32(0x80));
            match law {
                Law::Ulaw => {
                    let a =
                        _mm_add_epi32(_mm_srai_epi32(_mm_xor_si128(x, m), 2), _mm_set1_epi32(33));
                    // min(a, 0x1FFF) with SSE2 compares
                    let big = _mm_cmpgt_epi32(a, _mm_set1_epi32(0x1FFF));
                    let a = _mm_or_si128(
                        _mm_andnot_si128(big, a),
                        _mm_and_si128(big, _mm_set1_epi32(0x1FFF)),
                    );
                    let f = _mm_castps_si128(_mm_cvtepi32_ps(a));
                    let v = _mm_sub_epi32(_mm_srli_epi32(f, 19), _mm_set1_epi32(0x840));
                    _mm_or_si128(_mm_sub_epi32(_mm_set1_epi32(0x7F), v), pos)
                }
                Law::Alaw => {
                    let ix = _mm_srai_epi32(_mm_xor_si128(x, m), 4);
                    let f = _mm_castps_si128(_mm_cvtepi32_ps(ix));
                    let v = _mm_sub_epi32(_mm_srli_epi32(f, 19), _mm_set1_epi32(0x820));
                    let small = _mm_cmplt_epi32(ix, _mm_set1_epi32(16));
                    let v = _mm_or_si128(_mm_and_si128(small, ix), _mm_andnot_si128(small, v));
                    _mm_xor_si128(_mm_or_si128(v, pos), _mm_set1_epi32(0x55))
                }
            }
        }
    }

    /// SSE2 encoder, 16 samples per iteration.
    ///
    /// # Safety
    /// The CPU must support SSE2 (baseline on x86_64); `out.len() == input.len()`.
    #[target_feature(enable = "sse2")]
    pub(super) unsafe fn encode_sse2(law: Law, input: &[i16], out: &mut [u8]) {
        let blocks = input.len() / 16;
        for b in 0..blocks {
            // SAFETY: b*16+16 <= len for both slices (equal lengths); the
            // loads and store are unaligned variants.
            unsafe {
                let p = input.as_ptr().add(b * 16) as *const __m128i;
                let v0 = _mm_loadu_si128(p);
                let v1 = _mm_loadu_si128(p.add(1));
                let lo0 = _mm_srai_epi32(_mm_unpacklo_epi16(v0, v0), 16);
                let hi0 = _mm_srai_epi32(_mm_unpackhi_epi16(v0, v0), 16);
                let lo1 = _mm_srai_epi32(_mm_unpacklo_epi16(v1, v1), 16);
                let hi1 = _mm_srai_epi32(_mm_unpackhi_epi16(v1, v1), 16);
                let w0 = _mm_packs_epi32(enc8_sse2(law, lo0), enc8_sse2(law, hi0));
                let w1 = _mm_packs_epi32(enc8_sse2(law, lo1), enc8_sse2(law, hi1));
                _mm_storeu_si128(
                    out.as_mut_ptr().add(b * 16) as *mut __m128i,
                    _mm_packus_epi16(w0, w1),
                );
            }
        }
        let done = blocks * 16;
        tail_encode(law, &input[done..], &mut out[done..]);
    }

    fn tail_encode(law: Law, input: &[i16], out: &mut [u8]) {
        match law {
            Law::Ulaw => scalar::ulaw_encode(input, out),
            Law::Alaw => scalar::alaw_encode(input, out),
        }
    }
    fn tail_decode(law: Law, input: &[u8], out: &mut [i16]) {
        match law {
            Law::Ulaw => scalar::ulaw_decode(input, out),
            Law::Alaw => scalar::alaw_decode(input, out),
        }
    }

    // ---- encode, AVX2 ----

    #[inline(always)]
    unsafe fn enc8_avx2(law: Law, x: __m256i) -> __m256i {
        // SAFETY: AVX2 register arithmetic only (callers are AVX2 functions).
        unsafe {
            let m = _mm256_srai_epi32(x, 31);
            let pos = _mm256_andnot_si256(m, _mm256_set1_epi32(0x80));
            match law {
                Law::Ulaw => {
                    let a = _mm256_add_epi32(
                        _mm256_srai_epi32(_mm256_xor_si256(x, m), 2),
                        _mm256_set1_epi32(33),
                    );
                    let a = _mm256_min_epi32(a, _mm256_set1_epi32(0x1FFF));
                    let f = _mm256_castps_si256(_mm256_cvtepi32_ps(a));
                    let v =
                        _mm256_sub_epi32(_mm256_set1_epi32(0x7F + 0x840), _mm256_srli_epi32(f, 19));
                    _mm256_or_si256(v, pos)
                }
                Law::Alaw => {
                    let ix = _mm256_srai_epi32(_mm256_xor_si256(x, m), 4);
                    let f = _mm256_castps_si256(_mm256_cvtepi32_ps(ix));
                    let v = _mm256_sub_epi32(_mm256_srli_epi32(f, 19), _mm256_set1_epi32(0x820));
                    let small = _mm256_cmpgt_epi32(_mm256_set1_epi32(16), ix);
                    let v = _mm256_blendv_epi8(v, ix, small);
                    _mm256_xor_si256(_mm256_or_si256(v, pos), _mm256_set1_epi32(0x55))
                }
            }
        }
    }

    /// AVX2 encoder, 32 samples per iteration.
    ///
    /// # Safety
    /// The CPU must support AVX2; `out.len() == input.len()`.
    #[target_feature(enable = "avx2")]
    pub(super) unsafe fn encode_avx2(law: Law, input: &[i16], out: &mut [u8]) {
        let blocks = input.len() / 32;
        for b in 0..blocks {
            // SAFETY: b*32+32 <= len for both slices; unaligned loads/stores.
            unsafe {
                let p = input.as_ptr().add(b * 32) as *const __m128i;
                let c0 = enc8_avx2(law, _mm256_cvtepi16_epi32(_mm_loadu_si128(p)));
                let c1 = enc8_avx2(law, _mm256_cvtepi16_epi32(_mm_loadu_si128(p.add(1))));
                let c2 = enc8_avx2(law, _mm256_cvtepi16_epi32(_mm_loadu_si128(p.add(2))));
                let c3 = enc8_avx2(law, _mm256_cvtepi16_epi32(_mm_loadu_si128(p.add(3))));
                // packs interleaves 128-bit lanes: [c0a c1a c0b c1b] ...
                let w01 = _mm256_packs_epi32(c0, c1);
                let w23 = _mm256_packs_epi32(c2, c3);
                let bytes = _mm256_packus_epi16(w01, w23);
                // lanes now hold [c0a c1a c2a c3a | c0b c1b c2b c3b] (4-byte groups)
                let fixed =
                    _mm256_permutevar8x32_epi32(bytes, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
                _mm256_storeu_si256(out.as_mut_ptr().add(b * 32) as *mut __m256i, fixed);
            }
        }
        let done = blocks * 32;
        tail_encode(law, &input[done..], &mut out[done..]);
    }

    // ---- decode ----

    /// Magnitude base and exponent (16-bit lanes) for 8 or 16 codes; the
    /// result is `base << exp` with the sign applied by the caller.
    #[inline(always)]
    unsafe fn dec_parts_sse2(law: Law, c: __m128i) -> (__m128i, __m128i, __m128i) {
        // SAFETY: SSE2 register arithmetic only.
        unsafe {
            match law {
                Law::Ulaw => {
                    let n = _mm_xor_si128(c, _mm_set1_epi16(0xFF));
                    let e = _mm_and_si128(_mm_srli_epi16(n, 4), _mm_set1_epi16(7));
                    let m = _mm_and_si128(n, _mm_set1_epi16(15));
                    let base = _mm_add_epi16(_mm_slli_epi16(m, 3), _mm_set1_epi16(0x84));
                    let neg = _mm_cmplt_epi16(c, _mm_set1_epi16(0x80));
                    (base, e, neg)
                }
                Law::Alaw => {
                    let ix =
                        _mm_and_si128(_mm_xor_si128(c, _mm_set1_epi16(0x55)), _mm_set1_epi16(0x7F));
                    let e = _mm_srli_epi16(ix, 4);
                    let m = _mm_and_si128(ix, _mm_set1_epi16(15));
                    let nz =
                        _mm_and_si128(_mm_cmpgt_epi16(e, _mm_setzero_si128()), _mm_set1_epi16(256));
                    let base =
                        _mm_add_epi16(_mm_add_epi16(_mm_slli_epi16(m, 4), _mm_set1_epi16(8)), nz);
                    let neg = _mm_cmplt_epi16(c, _mm_set1_epi16(0x80));
                    (base, _mm_subs_epu16(e, _mm_set1_epi16(1)), neg)
                }
            }
        }
    }

    /// 2^e for e in 0..=7 (16-bit lanes) with SSE2 multiplies only.
    #[inline(always)]
    unsafe fn pow2_sse2(e: __m128i) -> __m128i {
        // SAFETY: SSE2 register arithmetic only.
        unsafe {
            let one = _mm_set1_epi16(1);
            let b0 = _mm_and_si128(e, one);
            let b1 = _mm_and_si128(e, _mm_set1_epi16(2));
            let b2 = _mm_and_si128(e, _mm_set1_epi16(4));
            let f1 = _mm_add_epi16(b0, one); // 1 or 2
            let f2 = _mm_add_epi16(_mm_add_epi16(b1, _mm_srli_epi16(b1, 1)), one); // 1 or 4
            let f4 = _mm_add_epi16(
                _mm_sub_epi16(_mm_slli_epi16(b2, 2), _mm_srli_epi16(b2, 2)),
                one,
            ); // 1 or 16
            _mm_mullo_epi16(_mm_mullo_epi16(f1, f2), f4)
        }
    }

    /// SSE2 decoder, 16 codes per iteration.
    ///
    /// # Safety
    /// The CPU must support SSE2; `out.len() == input.len()`.
    #[target_feature(enable = "sse2")]
    pub(super) unsafe fn decode_sse2(law: Law, input: &[u8], out: &mut [i16]) {
        let blocks = input.len() / 16;
        let bias = match law {
            Law::Ulaw => 0x84,
            Law::Alaw => 0,
        };
        for b in 0..blocks {
            // SAFETY: b*16+16 <= len for both slices; unaligned loads/stores.
            unsafe {
                let raw = _mm_loadu_si128(input.as_ptr().add(b * 16) as *const __m128i);
                let z = _mm_setzero_si128();
                for (half, c) in [_mm_unpacklo_epi8(raw, z), _mm_unpackhi_epi8(raw, z)]
                    .into_iter()
                    .enumerate()
                {
                    let (base, e, neg) = dec_parts_sse2(law, c);
                    let mag =
                        _mm_sub_epi16(_mm_mullo_epi16(base, pow2_sse2(e)), _mm_set1_epi16(bias));
                    let v = _mm_sub_epi16(_mm_xor_si128(mag, neg), neg);
                    _mm_storeu_si128(out.as_mut_ptr().add(b * 16 + half * 8) as *mut __m128i, v);
                }
            }
        }
        let done = blocks * 16;
        tail_decode(law, &input[done..], &mut out[done..]);
    }

    /// Decode constants for [`dec32_avx2`]: the nibble tables of
    /// [`scalar::SplitTables`] broadcast to both 128-bit lanes.
    #[derive(Clone, Copy)]
    struct DecConsts {
        a0: __m256i,
        a1_minus_a0: __m256i,
        b0: __m256i,
        b1: __m256i,
        nibble: __m256i,
    }

    /// # Safety
    /// The CPU must support AVX2.
    #[target_feature(enable = "avx2")]
    unsafe fn dec_consts(law: Law) -> DecConsts {
        let t = match law {
            Law::Ulaw => &scalar::ULAW_SPLIT,
            Law::Alaw => &scalar::ALAW_SPLIT,
        };
        // SAFETY: each load reads exactly the 16 bytes of a `[u8; 16]` or
        // `[i8; 16]` (unaligned load); the rest is AVX2 register arithmetic.
        unsafe {
            DecConsts {
                a0: _mm256_broadcastsi128_si256(_mm_loadu_si128(t.a0.as_ptr() as *const __m128i)),
                a1_minus_a0: _mm256_set1_epi8(t.a1_minus_a0 as i8),
                b0: _mm256_broadcastsi128_si256(_mm_loadu_si128(t.b0.as_ptr() as *const __m128i)),
                b1: _mm256_broadcastsi128_si256(_mm_loadu_si128(t.b1.as_ptr() as *const __m128i)),
                nibble: _mm256_set1_epi8(0x0F),
            }
        }
    }

    /// 32 codes to 32 samples (two vectors of 16), in the product-sum form
    /// of [`scalar::SplitTables`]: three `vpshufb` nibble lookups (the
    /// fourth factor is an add) and one `vpmaddubsw` per 16 samples; no
    /// 2^e multiply, bias or sign step. 14 vector operations per 32
    /// samples (the previous formulation needed 29).
    #[inline(always)]
    unsafe fn dec32_avx2(k: &DecConsts, raw: __m256i) -> (__m256i, __m256i) {
        // SAFETY: AVX2 register arithmetic only (callers are AVX2 functions).
        unsafe {
            // qwords [0 2 1 3]: the in-lane unpacks below then yield codes
            // 0..16 and 16..32 in order
            let raw = _mm256_permute4x64_epi64::<0b11_01_10_00>(raw);
            let lo = _mm256_and_si256(raw, k.nibble);
            let hi = _mm256_and_si256(_mm256_srli_epi16::<4>(raw), k.nibble);
            let a0 = _mm256_shuffle_epi8(k.a0, lo);
            let a1 = _mm256_add_epi8(a0, k.a1_minus_a0);
            let b0 = _mm256_shuffle_epi8(k.b0, hi);
            let b1 = _mm256_shuffle_epi8(k.b1, hi);
            (
                _mm256_maddubs_epi16(_mm256_unpacklo_epi8(a0, a1), _mm256_unpacklo_epi8(b0, b1)),
                _mm256_maddubs_epi16(_mm256_unpackhi_epi8(a0, a1), _mm256_unpackhi_epi8(b0, b1)),
            )
        }
    }

    /// Outputs at least this long (samples) use non-temporal stores. Below
    /// it the buffers stay in cache between calls and streaming is slower
    /// (1 Mi samples: 10 against 13-16 Gsample/s on the benchmark machine,
    /// 32 MiB L3); at 8 and 16 Mi samples streaming was faster in every
    /// timing (3.1-8.3 against 2.1-5.6 Gsample/s); 4 Mi samples was a tie.
    pub(super) const STREAM_MIN: usize = 1 << 22;

    /// AVX2 decoder, 32 codes per iteration (see [`dec32_avx2`]).
    ///
    /// # Safety
    /// The CPU must support AVX2; `out.len() == input.len()`.
    #[target_feature(enable = "avx2")]
    pub(super) unsafe fn decode_avx2(law: Law, input: &[u8], out: &mut [i16]) {
        // SAFETY: forwarded caller contract.
        unsafe { decode_avx2_with(law, input, out, out.len() >= STREAM_MIN) }
    }

    /// [`decode_avx2`] with the store kind chosen by the caller (tests use
    /// it to run the streaming path on small buffers).
    ///
    /// # Safety
    /// The CPU must support AVX2; `out.len() == input.len()`.
    #[target_feature(enable = "avx2")]
    pub(super) unsafe fn decode_avx2_with(law: Law, input: &[u8], out: &mut [i16], stream: bool) {
        // SAFETY: AVX2 is enabled in this function.
        let k = unsafe { dec_consts(law) };
        // Streaming: a scalar prologue up to a 32-byte boundary, then
        // aligned streaming stores (possible because i16 alignment makes
        // the buffer address even).
        let mut start = 0;
        if stream {
            let mis = (out.as_ptr() as usize % 32) / 2;
            start = ((16 - mis) % 16).min(out.len());
            tail_decode(law, &input[..start], &mut out[..start]);
        }
        let blocks = (input.len() - start) / 32;
        for b in 0..blocks {
            // SAFETY: start+b*32+32 <= len for both slices; loads are
            // unaligned; when `stream`, `out[start..]` starts on a 32-byte
            // boundary (prologue above), so the 32-byte streaming stores are
            // aligned.
            unsafe {
                let i = start + b * 32;
                let raw = _mm256_loadu_si256(input.as_ptr().add(i) as *const __m256i);
                let (lo, hi) = dec32_avx2(&k, raw);
                let o = out.as_mut_ptr().add(i) as *mut __m256i;
                if stream {
                    _mm256_stream_si256(o, lo);
                    _mm256_stream_si256(o.add(1), hi);
                } else {
                    _mm256_storeu_si256(o, lo);
                    _mm256_storeu_si256(o.add(1), hi);
                }
            }
        }
        if stream {
            // orders the streaming stores before any later store, as the
            // Rust memory model expects (safe: SSE is enabled here)
            _mm_sfence();
        }
        let done = start + blocks * 32;
        tail_decode(law, &input[done..], &mut out[done..]);
    }
}

#[cfg(target_arch = "aarch64")]
mod arm {
    //! NEON kernels, 16 samples per iteration, with the scalar twin for
    //! the tail. NEON has per-lane variable shifts and count-leading-zeros,
    //! so the segment is computed directly: `e = bitlen(t)` and the
    //! mantissa is `(v >> max(e - 1, 0)) & 15` (A-law on `t = ix >> 4`,
    //! µ-law on the biased magnitude).
    use super::{Law, scalar};
    use std::arch::aarch64::*;

    /// Codes for 8 samples (u16 lanes holding 0..=255).
    #[inline(always)]
    unsafe fn enc8(law: Law, x: int16x8_t) -> uint16x8_t {
        // SAFETY: register arithmetic only; callers enable NEON.
        unsafe {
            let m = vshrq_n_s16::<15>(x);
            let pos = vbicq_u16(vdupq_n_u16(0x80), vreinterpretq_u16_s16(m));
            let mag = vreinterpretq_u16_s16(veorq_s16(x, m));
            match law {
                Law::Ulaw => {
                    // a = min((mag >> 2) + 33, 0x1FFF); seg = bitlen(a >> 5) in 1..=8
                    let a = vminq_u16(
                        vaddq_u16(vshrq_n_u16::<2>(mag), vdupq_n_u16(33)),
                        vdupq_n_u16(0x1FFF),
                    );
                    let seg = vsubq_u16(vdupq_n_u16(16), vclzq_u16(vshrq_n_u16::<5>(a)));
                    let neg_seg = vnegq_s16(vreinterpretq_s16_u16(seg));
                    let mant = vandq_u16(vshlq_u16(a, neg_seg), vdupq_n_u16(15));
                    let v = vorrq_u16(vshlq_n_u16::<4>(vsubq_u16(seg, vdupq_n_u16(1))), mant);
                    vorrq_u16(vsubq_u16(vdupq_n_u16(0x7F), v), pos)
                }
                Law::Alaw => {
                    // ix = mag >> 4 (0..=2047); e = bitlen(ix >> 4) in 0..=7
                    let ix = vshrq_n_u16::<4>(mag);
                    let e = vsubq_u16(vdupq_n_u16(16), vclzq_u16(vshrq_n_u16::<4>(ix)));
                    let sh = vnegq_s16(vreinterpretq_s16_u16(vqsubq_u16(e, vdupq_n_u16(1))));
                    let mant = vandq_u16(vshlq_u16(ix, sh), vdupq_n_u16(15));
                    let v = vorrq_u16(vshlq_n_u16::<4>(e), mant);
                    veorq_u16(vorrq_u16(v, pos), vdupq_n_u16(0x55))
                }
            }
        }
    }

    /// NEON encoder.
    ///
    /// # Safety
    /// The CPU must support NEON; `out.len() == input.len()`.
    #[target_feature(enable = "neon")]
    pub(super) unsafe fn encode_neon(law: Law, input: &[i16], out: &mut [u8]) {
        let blocks = input.len() / 16;
        for b in 0..blocks {
            // SAFETY: b*16+16 <= len for both slices; NEON loads/stores have
            // no alignment requirement.
            unsafe {
                let p = input.as_ptr().add(b * 16);
                let c0 = enc8(law, vld1q_s16(p));
                let c1 = enc8(law, vld1q_s16(p.add(8)));
                let bytes = vcombine_u8(vmovn_u16(c0), vmovn_u16(c1));
                vst1q_u8(out.as_mut_ptr().add(b * 16), bytes);
            }
        }
        let done = blocks * 16;
        match law {
            Law::Ulaw => scalar::ulaw_encode(&input[done..], &mut out[done..]),
            Law::Alaw => scalar::alaw_encode(&input[done..], &mut out[done..]),
        }
    }

    #[inline(always)]
    unsafe fn dec8(law: Law, c: uint16x8_t) -> int16x8_t {
        // SAFETY: register arithmetic only; callers enable NEON.
        unsafe {
            let neg = vcltq_u16(c, vdupq_n_u16(0x80));
            let mag = match law {
                Law::Ulaw => {
                    let n = veorq_u16(c, vdupq_n_u16(0xFF));
                    let e = vandq_u16(vshrq_n_u16::<4>(n), vdupq_n_u16(7));
                    let m = vandq_u16(n, vdupq_n_u16(15));
                    let base = vaddq_u16(vshlq_n_u16::<3>(m), vdupq_n_u16(0x84));
                    vsubq_u16(vshlq_u16(base, vreinterpretq_s16_u16(e)), vdupq_n_u16(0x84))
                }
                Law::Alaw => {
                    let ix = vandq_u16(veorq_u16(c, vdupq_n_u16(0x55)), vdupq_n_u16(0x7F));
                    let e = vshrq_n_u16::<4>(ix);
                    let m = vandq_u16(ix, vdupq_n_u16(15));
                    let nz = vandq_u16(vcgtq_u16(e, vdupq_n_u16(0)), vdupq_n_u16(256));
                    let base = vaddq_u16(vaddq_u16(vshlq_n_u16::<4>(m), vdupq_n_u16(8)), nz);
                    vshlq_u16(base, vreinterpretq_s16_u16(vqsubq_u16(e, vdupq_n_u16(1))))
                }
            };
            let mag = vreinterpretq_s16_u16(mag);
            vbslq_s16(neg, vnegq_s16(mag), mag)
        }
    }

    /// NEON decoder.
    ///
    /// # Safety
    /// The CPU must support NEON; `out.len() == input.len()`.
    #[target_feature(enable = "neon")]
    pub(super) unsafe fn decode_neon(law: Law, input: &[u8], out: &mut [i16]) {
        let blocks = input.len() / 16;
        for b in 0..blocks {
            // SAFETY: b*16+16 <= len for both slices; unaligned NEON access.
            unsafe {
                let raw = vld1q_u8(input.as_ptr().add(b * 16));
                let lo = dec8(law, vmovl_u8(vget_low_u8(raw)));
                let hi = dec8(law, vmovl_u8(vget_high_u8(raw)));
                let o = out.as_mut_ptr().add(b * 16);
                vst1q_s16(o, lo);
                vst1q_s16(o.add(8), hi);
            }
        }
        let done = blocks * 16;
        match law {
            Law::Ulaw => scalar::ulaw_decode(&input[done..], &mut out[done..]),
            Law::Alaw => scalar::alaw_decode(&input[done..], &mut out[done..]),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn all_inputs() -> Vec<i16> {
        (i16::MIN..=i16::MAX).collect()
    }

    #[test]
    fn scalar_matches_g191_exhaustively() {
        for x in i16::MIN..=i16::MAX {
            assert_eq!(scalar::ulaw(x), reference::ulaw_compress(x), "ulaw {x}");
            assert_eq!(scalar::alaw(x), reference::alaw_compress(x), "alaw {x}");
        }
        for c in 0..=255u8 {
            assert_eq!(
                scalar::ULAW_TO_LINEAR[c as usize],
                reference::ulaw_expand(c),
                "ulaw code {c}"
            );
            assert_eq!(
                scalar::ALAW_TO_LINEAR[c as usize],
                reference::alaw_expand(c),
                "alaw code {c}"
            );
        }
    }

    #[test]
    fn g191_known_values() {
        // G.711 Tables 2a/2b: zero and full-scale codes.
        assert_eq!(reference::ulaw_compress(0), 0xFF);
        assert_eq!(reference::ulaw_compress(-1), 0x7F);
        assert_eq!(reference::ulaw_compress(i16::MAX), 0x80);
        assert_eq!(reference::ulaw_compress(i16::MIN), 0x00);
        assert_eq!(reference::ulaw_expand(0x80), 32124);
        assert_eq!(reference::alaw_compress(0), 0xD5);
        assert_eq!(reference::alaw_compress(-1), 0x55);
        assert_eq!(reference::alaw_expand(0xAA), 32256);
        assert_eq!(reference::alaw_expand(0xD5), 8);
        // decode then encode is the identity on codes (except µ-law's two zeros)
        for c in 0..=255u8 {
            assert_eq!(reference::alaw_compress(reference::alaw_expand(c)), c);
            if c != 0x7F {
                assert_eq!(reference::ulaw_compress(reference::ulaw_expand(c)), c);
            }
        }
    }

    #[test]
    fn split_model_matches_tables_exhaustively() {
        for c in 0..=255u8 {
            assert_eq!(
                scalar::split_decode(&scalar::ULAW_SPLIT, c),
                scalar::ULAW_TO_LINEAR[c as usize],
                "ulaw code {c}"
            );
            assert_eq!(
                scalar::split_decode(&scalar::ALAW_SPLIT, c),
                scalar::ALAW_TO_LINEAR[c as usize],
                "alaw code {c}"
            );
        }
        // the kernel's byte arithmetic: a1 = a0 + delta never wraps
        for t in [&scalar::ULAW_SPLIT, &scalar::ALAW_SPLIT] {
            assert!(t.a0.iter().all(|&a| a.checked_add(t.a1_minus_a0).is_some()));
        }
    }

    #[cfg(target_arch = "x86_64")]
    #[test]
    fn avx2_streaming_and_plain_stores_match_scalar() {
        if !Kernel::Avx2.is_available() {
            return;
        }
        let n = 4096 + 45;
        let codes: Vec<u8> = (0..n).map(|i| (i * 73 % 256) as u8).collect();
        for law in [Law::Ulaw, Law::Alaw] {
            for off in 0..16 {
                for len in [0, 1, 15, 31, 32, 33, 100, n - 16] {
                    let mut want = vec![0i16; n + 16];
                    decode_with(
                        Kernel::Scalar,
                        law,
                        &codes[..len],
                        &mut want[off..off + len],
                    );
                    for stream in [false, true] {
                        let mut got = vec![0i16; n + 16];
                        // SAFETY: AVX2 checked above; equal lengths.
                        unsafe {
                            x86::decode_avx2_with(
                                law,
                                &codes[..len],
                                &mut got[off..off + len],
                                stream,
                            )
                        };
                        assert!(got == want, "{law:?} off {off} len {len} stream {stream}");
                    }
                }
            }
        }
    }

    #[test]
    fn simd_kernel_detected_on_simd_targets() {
        let k = Kernel::available();
        eprintln!(
            "G.711 kernels on this CPU: {k:?}, best {:?}",
            Kernel::detect()
        );
        #[cfg(target_arch = "x86_64")]
        assert!(k.contains(&Kernel::Sse2));
        #[cfg(target_arch = "aarch64")]
        assert!(k.contains(&Kernel::Neon));
        assert!(k.contains(&Kernel::detect()));
    }

    #[test]
    fn every_kernel_matches_scalar_exhaustively() {
        let xs = all_inputs();
        let codes: Vec<u8> = (0..=255u8).cycle().take(4096 + 7).collect();
        for law in [Law::Ulaw, Law::Alaw] {
            let mut want = vec![0u8; xs.len()];
            encode_with(Kernel::Scalar, law, &xs, &mut want);
            let mut want_d = vec![0i16; codes.len()];
            decode_with(Kernel::Scalar, law, &codes, &mut want_d);
            for k in Kernel::available() {
                let mut got = vec![0u8; xs.len()];
                assert_eq!(encode_with(k, law, &xs, &mut got), xs.len());
                assert!(got == want, "{k:?} {law:?} encode differs");
                let mut got_d = vec![0i16; codes.len()];
                decode_with(k, law, &codes, &mut got_d);
                assert!(got_d == want_d, "{k:?} {law:?} decode differs");
            }
        }
    }

    #[test]
    fn large_buffers_at_every_alignment_match_scalar() {
        // large enough for several pages and every tail length
        let n = (1 << 17) + 77;
        let codes: Vec<u8> = (0..n + 16).map(|i| (i * 31 % 256) as u8).collect();
        let pcm: Vec<i16> = (0..n + 16).map(|i| (i as i32 * 7919) as i16).collect();
        for law in [Law::Ulaw, Law::Alaw] {
            for off in 0..16 {
                let mut want = vec![0i16; n + 16];
                decode_with(Kernel::Scalar, law, &codes[..n], &mut want[off..off + n]);
                let mut want_e = vec![0u8; n];
                encode_with(Kernel::Scalar, law, &pcm[off..off + n], &mut want_e);
                for k in Kernel::available() {
                    let mut got = vec![0i16; n + 16];
                    decode_with(k, law, &codes[..n], &mut got[off..off + n]);
                    assert!(got == want, "{k:?} {law:?} offset {off}");
                    let mut got_e = vec![0u8; n];
                    encode_with(k, law, &pcm[off..off + n], &mut got_e);
                    assert!(got_e == want_e, "{k:?} {law:?} encode offset {off}");
                }
            }
        }
    }

    proptest! {
        #[test]
        fn simd_equals_scalar_any_length_and_alignment(
            data in proptest::collection::vec(any::<i16>(), 0..400),
            skip in 0usize..32,
            ulaw: bool,
        ) {
            let law = if ulaw { Law::Ulaw } else { Law::Alaw };
            let skip = skip.min(data.len());
            let input = &data[skip..];
            let mut want = vec![0u8; input.len() + 1];
            encode_with(Kernel::Scalar, law, input, &mut want[1..]);
            let mut want_d = vec![0i16; input.len() + 1];
            decode_with(Kernel::Scalar, law, &want[1..], &mut want_d[1..]);
            for k in Kernel::available() {
                // write at an odd offset to exercise unaligned stores
                let mut got = vec![0u8; input.len() + 1];
                encode_with(k, law, input, &mut got[1..]);
                prop_assert_eq!(&got, &want);
                let mut got_d = vec![0i16; input.len() + 1];
                decode_with(k, law, &got[1..], &mut got_d[1..]);
                prop_assert_eq!(&got_d, &want_d);
            }
        }
    }
}
