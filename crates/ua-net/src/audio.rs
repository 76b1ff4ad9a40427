//! Audio endpoints of a call: where the PCM we send comes from
//! ([`AudioSource`]) and where the PCM we receive goes ([`AudioSink`]).
//!
//! The media task asks for and hands over one frame per packet time, at
//! the codec's sample rate (8 kHz for G.711 and G.729, 16 kHz for G.722).
//! Sources and sinks are told that rate and adapt: a WAV file at another
//! rate is resampled (linear interpolation, enough for a test tone or a
//! prompt), a tone is synthesised at it.
//!
//! Endpoints: [`Tone`], [`Silence`], [`WavSource`] (mono or the first
//! channel, 16-bit or float), [`WavSink`] (16-bit mono at the codec rate),
//! [`NullSink`], and [`Capture`] (keeps the samples in memory for the
//! application to analyse, e.g. with [`goertzel_power`]).

use std::f64::consts::PI;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// Produces the audio we send.
pub trait AudioSource: Send + std::fmt::Debug {
    /// Fills `out` with the next frame at `rate` samples per second.
    fn fill(&mut self, rate: u32, out: &mut [i16]);
}

/// Consumes the audio we receive.
pub trait AudioSink: Send + std::fmt::Debug {
    /// Takes one frame at `rate` samples per second.
    fn write(&mut self, rate: u32, pcm: &[i16]);
    /// The call is over: flush and close (a WAV header is finalised here).
    fn finish(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// All zeros.
#[derive(Debug, Clone, Copy, Default)]
pub struct Silence;

impl AudioSource for Silence {
    fn fill(&mut self, _rate: u32, out: &mut [i16]) {
        out.fill(0);
    }
}

/// Discards everything.
#[derive(Debug, Clone, Copy, Default)]
pub struct NullSink;

impl AudioSink for NullSink {
    fn write(&mut self, _rate: u32, _pcm: &[i16]) {}
}

/// A sine at `frequency` Hz, `level_dbfs` below full scale, for
/// `duration_ms` (then silence; `None`: forever).
#[derive(Debug, Clone)]
pub struct Tone {
    frequency: f64,
    amplitude: f64,
    phase: f64,
    remaining_ms: Option<f64>,
}

impl Tone {
    /// A tone that never stops.
    pub fn new(frequency: f64, level_dbfs: f64) -> Tone {
        Tone {
            frequency,
            amplitude: 32767.0 * 10f64.powf(level_dbfs.min(0.0) / 20.0),
            phase: 0.0,
            remaining_ms: None,
        }
    }

    /// The same tone, silent after `ms` milliseconds.
    pub fn for_ms(mut self, ms: u64) -> Tone {
        self.remaining_ms = Some(ms as f64);
        self
    }
}

impl AudioSource for Tone {
    fn fill(&mut self, rate: u32, out: &mut [i16]) {
        let rate = f64::from(rate.max(1));
        let step = 2.0 * PI * self.frequency / rate;
        let ms_per_sample = 1000.0 / rate;
        for s in out.iter_mut() {
            if let Some(r) = &mut self.remaining_ms {
                if *r <= 0.0 {
                    *s = 0;
                    continue;
                }
                *r -= ms_per_sample;
            }
            *s = (self.amplitude * self.phase.sin()).round() as i16;
            self.phase = (self.phase + step) % (2.0 * PI);
        }
    }
}

/// Errors opening a WAV endpoint.
pub type WavError = hound::Error;

/// A WAV file, played once (then silence), resampled to the codec rate.
#[derive(Debug, Clone)]
pub struct WavSource {
    samples: Vec<i16>,
    rate: u32,
    /// Position in `samples`, fractional when resampling.
    pos: f64,
}

impl WavSource {
    /// Reads the whole file (its first channel).
    pub fn open(path: impl AsRef<Path>) -> Result<WavSource, WavError> {
        let reader = hound::WavReader::open(path)?;
        let spec = reader.spec();
        let channels = usize::from(spec.channels.max(1));
        let all: Vec<i16> = match (spec.sample_format, spec.bits_per_sample) {
            (hound::SampleFormat::Float, _) => reader
                .into_samples::<f32>()
                .map(|s| s.map(|v| (v.clamp(-1.0, 1.0) * 32767.0) as i16))
                .collect::<Result<_, _>>()?,
            (hound::SampleFormat::Int, bits) if bits <= 16 => reader
                .into_samples::<i16>()
                .map(|s| s.map(|v| v << (16 - bits)))
                .collect::<Result<_, _>>()?,
            (hound::SampleFormat::Int, bits) => reader
                .into_samples::<i32>()
                .map(|s| s.map(|v| (v >> (bits - 16)) as i16))
                .collect::<Result<_, _>>()?,
        };
        Ok(WavSource {
            samples: all.into_iter().step_by(channels).collect(),
            rate: spec.sample_rate.max(1),
            pos: 0.0,
        })
    }

    /// A source over samples in memory at `rate`.
    pub fn from_samples(samples: Vec<i16>, rate: u32) -> WavSource {
        WavSource {
            samples,
            rate: rate.max(1),
            pos: 0.0,
        }
    }

    /// Whether everything has been played.
    pub fn finished(&self) -> bool {
        self.pos as usize >= self.samples.len()
    }
}

impl AudioSource for WavSource {
    fn fill(&mut self, rate: u32, out: &mut [i16]) {
        let step = f64::from(self.rate) / f64::from(rate.max(1));
        for s in out.iter_mut() {
            let i = self.pos as usize;
            *s = match (self.samples.get(i), self.samples.get(i + 1)) {
                (Some(&a), Some(&b)) => {
                    let f = self.pos - i as f64;
                    (f64::from(a) + (f64::from(b) - f64::from(a)) * f).round() as i16
                }
                (Some(&a), None) => a,
                _ => 0,
            };
            self.pos += step;
        }
    }
}

/// Writes what it receives to a 16-bit mono WAV file at the codec rate.
/// The file is created with the first frame (the rate is known then).
pub struct WavSink {
    path: PathBuf,
    writer: Option<hound::WavWriter<std::io::BufWriter<std::fs::File>>>,
    failed: bool,
}

impl WavSink {
    /// A sink that will write `path`.
    pub fn create(path: impl Into<PathBuf>) -> WavSink {
        WavSink {
            path: path.into(),
            writer: None,
            failed: false,
        }
    }
}

impl std::fmt::Debug for WavSink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WavSink")
            .field("path", &self.path)
            .field("open", &self.writer.is_some())
            .field("failed", &self.failed)
            .finish()
    }
}

impl AudioSink for WavSink {
    fn write(&mut self, rate: u32, pcm: &[i16]) {
        if self.failed {
            return;
        }
        if self.writer.is_none() {
            let spec = hound::WavSpec {
                channels: 1,
                sample_rate: rate,
                bits_per_sample: 16,
                sample_format: hound::SampleFormat::Int,
            };
            match hound::WavWriter::create(&self.path, spec) {
                Ok(w) => self.writer = Some(w),
                Err(e) => {
                    tracing::warn!(path = %self.path.display(), "cannot create WAV file: {e}");
                    self.failed = true;
                    return;
                }
            }
        }
        if let Some(w) = &mut self.writer {
            for &s in pcm {
                if let Err(e) = w.write_sample(s) {
                    tracing::warn!(path = %self.path.display(), "WAV write failed: {e}");
                    self.failed = true;
                    return;
                }
            }
        }
    }

    fn finish(&mut self) -> std::io::Result<()> {
        match self.writer.take() {
            Some(w) => w.finalize().map_err(std::io::Error::other),
            None => Ok(()),
        }
    }
}

/// Keeps every received sample in memory, shared with the application
/// (clone the [`Capture`] before handing it to the call).
#[derive(Debug, Clone, Default)]
pub struct Capture {
    inner: Arc<Mutex<(u32, Vec<i16>)>>,
}

impl Capture {
    /// An empty capture.
    pub fn new() -> Capture {
        Capture::default()
    }

    /// The samples so far and their rate (0 before the first frame).
    pub fn samples(&self) -> (u32, Vec<i16>) {
        self.inner.lock().map(|g| g.clone()).unwrap_or_default()
    }
}

impl AudioSink for Capture {
    fn write(&mut self, rate: u32, pcm: &[i16]) {
        if let Ok(mut g) = self.inner.lock() {
            g.0 = rate;
            // Bounded: ten minutes at 16 kHz.
            if g.1.len() < 16_000 * 600 {
                g.1.extend_from_slice(pcm);
            }
        }
    }
}

/// The power of `samples` (at `rate`) at `frequency`, by the Goertzel
/// algorithm, normalised so that a full-scale sine at that frequency gives
/// about 0.25 whatever the length (power per sample squared, in units of
/// full scale).
pub fn goertzel_power(samples: &[i16], rate: u32, frequency: f64) -> f64 {
    if samples.is_empty() || rate == 0 {
        return 0.0;
    }
    let w = 2.0 * PI * frequency / f64::from(rate);
    let coeff = 2.0 * w.cos();
    let (mut s1, mut s2) = (0.0f64, 0.0f64);
    for &x in samples {
        let s0 = f64::from(x) / 32768.0 + coeff * s1 - s2;
        s2 = s1;
        s1 = s0;
    }
    let power = s1 * s1 + s2 * s2 - coeff * s1 * s2;
    let n = samples.len() as f64;
    power / (n * n)
}

/// The mean power of `samples` (in units of full scale squared).
pub fn mean_power(samples: &[i16]) -> f64 {
    if samples.is_empty() {
        return 0.0;
    }
    let sum: f64 = samples
        .iter()
        .map(|&x| {
            let v = f64::from(x) / 32768.0;
            v * v
        })
        .sum();
    sum / samples.len() as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tone_is_seen_by_goertzel_at_its_frequency_only() {
        let mut t = Tone::new(1000.0, -6.0);
        let mut pcm = vec![0i16; 8000];
        t.fill(8000, &mut pcm);
        let on = goertzel_power(&pcm, 8000, 1000.0);
        let off = goertzel_power(&pcm, 8000, 1700.0);
        assert!(on > 0.05, "{on}");
        assert!(off < on / 1000.0, "{on} {off}");
        // a -6 dBFS sine has mean power 0.5 * 0.5^2 = 0.125
        assert!((mean_power(&pcm) - 0.125).abs() < 0.01);
    }

    #[test]
    fn tone_stops_after_its_duration() {
        let mut t = Tone::new(440.0, 0.0).for_ms(10);
        let mut pcm = vec![0i16; 160];
        t.fill(8000, &mut pcm);
        assert!(pcm[..80].iter().any(|&s| s != 0));
        assert!(pcm[80..].iter().all(|&s| s == 0));
    }

    #[test]
    fn wav_round_trip_and_resampling() {
        let dir = std::env::temp_dir().join(format!("ua-net-wav-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("tone.wav");
        let mut sink = WavSink::create(&path);
        let mut t = Tone::new(500.0, -3.0);
        let mut pcm = vec![0i16; 320];
        for _ in 0..50 {
            t.fill(16000, &mut pcm);
            sink.write(16000, &pcm);
        }
        sink.finish().unwrap();
        let mut src = WavSource::open(&path).unwrap();
        // played back at 8 kHz: half as many samples (one second), same frequency
        let mut out = vec![0i16; 8000];
        src.fill(8000, &mut out);
        assert!(goertzel_power(&out, 8000, 500.0) > 0.05);
        assert!(goertzel_power(&out, 8000, 1500.0) < 1e-3);
        let mut rest = vec![0i16; 160];
        src.fill(8000, &mut rest);
        assert!(src.finished());
        assert!(rest.iter().all(|&s| s == 0));
        std::fs::remove_dir_all(&dir).ok();
    }
}
