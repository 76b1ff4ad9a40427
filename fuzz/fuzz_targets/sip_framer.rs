#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| fuzz_checks::sip::sip_framer(data));
