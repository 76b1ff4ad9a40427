use super::*;
use std::path::PathBuf;

/// `../shared/codec-vectors/g722/tstvector/littleendian`, or
/// `$CODEC_VECTORS_DIR/g722/...`.
fn vectors() -> Option<PathBuf> {
    let root = std::env::var_os("CODEC_VECTORS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../../../shared/codec-vectors"
            ))
        });
    let dir = root.join("g722/tstvector/littleendian");
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!("G.722 vectors not found at {}; skipping", dir.display());
        None
    }
}

fn words(dir: &std::path::Path, name: &str) -> Vec<i16> {
    let b = std::fs::read(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
    b.chunks_exact(2)
        .map(|c| i16::from_le_bytes([c[0], c[1]]))
        .collect()
}

fn first_diff(a: &[i16], b: &[i16]) -> Option<(usize, i16, i16)> {
    if a.len() != b.len() {
        return Some((a.len().min(b.len()), 0, 0));
    }
    a.iter()
        .zip(b)
        .enumerate()
        .find(|(_, (x, y))| x != y)
        .map(|(i, (x, y))| (i, *x, *y))
}

#[test]
fn appendix2_encoder() {
    let Some(dir) = vectors() else { return };
    for (inp, exp) in [("bt1c1.xmt", "bt2r1.cod"), ("bt1c2.xmt", "bt2r2.cod")] {
        let input = words(&dir, inp);
        let want = words(&dir, exp);
        let mut enc = G722Encoder::new();
        let got: Vec<i16> = input
            .iter()
            .map(|&w| {
                if w & 1 != 0 {
                    enc.reset();
                    1
                } else {
                    let x = w >> 1;
                    ((u16::from(enc.encode_core(x, x))) << 8) as i16
                }
            })
            .collect();
        assert_eq!(first_diff(&got, &want), None, "{inp} -> {exp}");
    }
}

#[test]
fn appendix2_decoder_all_modes() {
    let Some(dir) = vectors() else { return };
    let mut checked = 0;
    for (inp, n) in [("bt2r1.cod", 1), ("bt2r2.cod", 2), ("bt1d3.cod", 3)] {
        let input = words(&dir, inp);
        for (mode, m) in [(Mode::Mode1, 1), (Mode::Mode2, 2), (Mode::Mode3, 3)] {
            let want_l = words(&dir, &format!("bt3l{n}.rc{m}"));
            let want_h = words(&dir, &format!("bt3h{n}.rc0"));
            let mut dec = G722Decoder::new(mode);
            let mut got_l = Vec::new();
            let mut got_h = Vec::new();
            for &w in &input {
                if w & 1 != 0 {
                    dec.reset();
                    got_l.push(1);
                    got_h.push(1);
                } else {
                    let (rl, rh) = dec.decode_core((w as u16 >> 8) as u8);
                    got_l.push(rl << 1);
                    got_h.push(rh << 1);
                }
            }
            assert_eq!(
                first_diff(&got_l, &want_l),
                None,
                "{inp} mode {m} lower band"
            );
            assert_eq!(
                first_diff(&got_h, &want_h),
                None,
                "{inp} mode {m} higher band"
            );
            checked += 1;
        }
    }
    eprintln!("G.722 Appendix II: {checked} decoder checks passed");
}

#[test]
fn full_codec_encoder() {
    let Some(dir) = vectors() else { return };
    let pcm = words(&dir, "inpsp.bin");
    let want: Vec<i16> = words(&dir, "codspw.cod");
    let mut enc = G722Encoder::new();
    let mut codes = vec![0u8; pcm.len() / 2];
    assert_eq!(enc.encode(&pcm, &mut codes), want.len());
    let got: Vec<i16> = codes.iter().map(|&c| i16::from(c)).collect();
    assert_eq!(first_diff(&got, &want), None, "inpsp.bin -> codspw.cod");
}

#[test]
fn full_codec_decoder_all_modes() {
    let Some(dir) = vectors() else { return };
    let codes: Vec<u8> = words(&dir, "codspw.cod").iter().map(|&w| w as u8).collect();
    for (mode, m) in [(Mode::Mode1, 1), (Mode::Mode2, 2), (Mode::Mode3, 3)] {
        let want = words(&dir, &format!("outsp{m}.bin"));
        let mut dec = G722Decoder::new(mode);
        let mut got = vec![0i16; codes.len() * 2];
        assert_eq!(dec.decode(&codes, &mut got), want.len());
        assert_eq!(
            first_diff(&got, &want),
            None,
            "codspw.cod mode {m} -> outsp{m}.bin"
        );
    }
}

#[test]
fn quantiser_search_equals_the_recommendations_scan() {
    assert!(Q6.windows(2).all(|w| w[0] < w[1]));
    let mut x = 12345u32;
    for _ in 0..200_000 {
        x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
        let det = (x >> 8) as i32 % 32768;
        let wd = (x.rotate_left(13) >> 1) as i32 % 32768;
        let mut scan = 1;
        while scan < 30 && wd >= (Q6[scan] * det) >> 12 {
            scan += 1;
        }
        assert_eq!(quantl_interval(wd, det), scan, "wd {wd} det {det}");
    }
}
