#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| fuzz_checks::ua::ua_stream(data));
