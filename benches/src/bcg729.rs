//! bcg729 (Belledonne Communications' G.729A C library, Debian
//! `libbcg729-dev`), the peer of the `g729` benchmark group, behind a safe
//! wrapper. Present only when `build.rs` found the library (`cfg(bcg729)`);
//! [`AVAILABLE`] says whether it is, and [`MISSING`] what to do otherwise.
//!
//! All the `unsafe` of the benches is in this module: the five C functions
//! of `<bcg729/encoder.h>` and `<bcg729/decoder.h>` (1.1.1), each called
//! with a live context and arrays of the sizes the library reads and
//! writes (80 samples, 10 octets).

/// Whether bcg729 was found at build time.
pub const AVAILABLE: bool = cfg!(bcg729);

/// Why the bcg729 benchmarks are absent, for the benches to print.
pub const MISSING: &str = "bcg729 not found at build time (apt-get install libbcg729-dev, or set BCG729_LIB_DIR, then rebuild): measuring our codec only";

#[cfg(bcg729)]
mod ffi {
    use std::marker::{PhantomData, PhantomPinned};

    /// `bcg729EncoderChannelContextStruct` (opaque).
    #[repr(C)]
    pub struct EncoderCtx {
        _data: [u8; 0],
        _marker: PhantomData<(*mut u8, PhantomPinned)>,
    }

    /// `bcg729DecoderChannelContextStruct` (opaque).
    #[repr(C)]
    pub struct DecoderCtx {
        _data: [u8; 0],
        _marker: PhantomData<(*mut u8, PhantomPinned)>,
    }

    unsafe extern "C" {
        pub fn initBcg729EncoderChannel(enable_vad: u8) -> *mut EncoderCtx;
        pub fn closeBcg729EncoderChannel(ctx: *mut EncoderCtx);
        pub fn bcg729Encoder(
            ctx: *mut EncoderCtx,
            input_frame: *const i16,
            bit_stream: *mut u8,
            bit_stream_length: *mut u8,
        );
        pub fn initBcg729DecoderChannel() -> *mut DecoderCtx;
        pub fn closeBcg729DecoderChannel(ctx: *mut DecoderCtx);
        pub fn bcg729Decoder(
            ctx: *mut DecoderCtx,
            bit_stream: *const u8,
            bit_stream_length: u8,
            frame_erasure_flag: u8,
            sid_frame_flag: u8,
            rfc3389_payload_flag: u8,
            signal: *mut i16,
        );
    }
}

#[cfg(bcg729)]
pub use imp::{Decoder, Encoder};

#[cfg(bcg729)]
mod imp {
    use super::ffi;
    use std::ptr::NonNull;

    /// A bcg729 G.729A encoder channel (VAD off).
    #[derive(Debug)]
    pub struct Encoder(NonNull<ffi::EncoderCtx>);

    impl Encoder {
        /// A new channel.
        pub fn new() -> Self {
            // SAFETY: no preconditions; the library allocates the context
            // (null on allocation failure, turned into a panic here).
            let ctx = unsafe { ffi::initBcg729EncoderChannel(0) };
            Self(NonNull::new(ctx).expect("initBcg729EncoderChannel"))
        }

        /// Encodes one 10 ms frame into its 10 octets.
        pub fn encode(&mut self, pcm: &[i16; 80]) -> [u8; 10] {
            let mut out = [0u8; 10];
            let mut len = 0u8;
            // SAFETY: the context is live (owned by `self`, closed only in
            // drop) and used by one thread at a time (`&mut self`); the
            // encoder reads 80 samples and writes at most 10 octets (one
            // speech frame, VAD off) and the length.
            unsafe {
                ffi::bcg729Encoder(self.0.as_ptr(), pcm.as_ptr(), out.as_mut_ptr(), &mut len)
            };
            debug_assert_eq!(len, 10);
            out
        }
    }

    impl Default for Encoder {
        fn default() -> Self {
            Self::new()
        }
    }

    impl Drop for Encoder {
        fn drop(&mut self) {
            // SAFETY: the context came from initBcg729EncoderChannel and
            // is closed exactly once.
            unsafe { ffi::closeBcg729EncoderChannel(self.0.as_ptr()) }
        }
    }

    /// A bcg729 G.729A decoder channel.
    #[derive(Debug)]
    pub struct Decoder(NonNull<ffi::DecoderCtx>);

    impl Decoder {
        /// A new channel.
        pub fn new() -> Self {
            // SAFETY: as for the encoder.
            let ctx = unsafe { ffi::initBcg729DecoderChannel() };
            Self(NonNull::new(ctx).expect("initBcg729DecoderChannel"))
        }

        /// Decodes one 10-octet speech frame (no erasure) into 80 samples.
        pub fn decode(&mut self, frame: &[u8; 10], out: &mut [i16; 80]) {
            // SAFETY: live context used through `&mut self`; with length 10
            // and no erasure/SID/RFC 3389 flags the decoder reads 10 octets
            // and writes 80 samples.
            unsafe {
                ffi::bcg729Decoder(
                    self.0.as_ptr(),
                    frame.as_ptr(),
                    10,
                    0,
                    0,
                    0,
                    out.as_mut_ptr(),
                )
            }
        }
    }

    impl Default for Decoder {
        fn default() -> Self {
            Self::new()
        }
    }

    impl Drop for Decoder {
        fn drop(&mut self) {
            // SAFETY: the context came from initBcg729DecoderChannel and
            // is closed exactly once.
            unsafe { ffi::closeBcg729DecoderChannel(self.0.as_ptr()) }
        }
    }
}

#[cfg(all(test, bcg729))]
mod tests {
    use super::*;

    /// The binding works: a tone survives bcg729's encoder and decoder
    /// (no bit-exactness is claimed for bcg729), and bcg729 decodes our
    /// encoder's frames into something of similar energy.
    #[test]
    fn round_trip_through_bcg729() {
        let mut enc = Encoder::new();
        let mut dec = Decoder::new();
        let mut ours = rtp_media::g729::encoder::G729Encoder::new();
        let mut out = [0i16; 80];
        let (mut e_in, mut e_out, mut e_ours) = (0f64, 0f64, 0f64);
        let mut dec2 = Decoder::new();
        for n in 0..50 {
            let pcm: [i16; 80] = std::array::from_fn(|i| {
                let t = (n * 80 + i) as f64 / 8000.0;
                ((t * 440.0 * std::f64::consts::TAU).sin() * 8000.0) as i16
            });
            dec.decode(&enc.encode(&pcm), &mut out);
            let mut out2 = [0i16; 80];
            dec2.decode(&ours.encode(&pcm), &mut out2);
            if n >= 10 {
                e_in += pcm.iter().map(|&v| (v as f64).powi(2)).sum::<f64>();
                e_out += out.iter().map(|&v| (v as f64).powi(2)).sum::<f64>();
                e_ours += out2.iter().map(|&v| (v as f64).powi(2)).sum::<f64>();
            }
        }
        for e in [e_out, e_ours] {
            let ratio = e / e_in;
            assert!((0.3..3.0).contains(&ratio), "energy ratio {ratio}");
        }
    }
}
