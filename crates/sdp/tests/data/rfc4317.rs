// SDP examples copied from RFC 4317 ("Session Description Protocol (SDP)
// Offer/Answer Examples"), section, label and text as in the RFC.
pub const EXAMPLES: &[(&str, &str, &str)] = &[
    (
        "2.1 Audio and Video 1",
        "Offer",
        "v=0\r\no=alice 2890844526 2890844526 IN IP4 host.atlanta.example.com\r\ns=\r\nc=IN IP4 host.atlanta.example.com\r\nt=0 0\r\nm=audio 49170 RTP/AVP 0 8 97\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:97 iLBC/8000\r\nm=video 51372 RTP/AVP 31 32\r\na=rtpmap:31 H261/90000\r\na=rtpmap:32 MPV/90000\r\n",
    ),
    (
        "2.1 Audio and Video 1",
        "Answer",
        "v=0\r\no=bob 2808844564 2808844564 IN IP4 host.biloxi.example.com\r\ns=\r\nc=IN IP4 host.biloxi.example.com\r\nt=0 0\r\nm=audio 49174 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\nm=video 49170 RTP/AVP 32\r\na=rtpmap:32 MPV/90000\r\n",
    ),
    (
        "2.2 Audio and Video 2",
        "Offer",
        "v=0\r\no=alice 2890844526 2890844526 IN IP4 host.atlanta.example.com\r\ns=\r\nc=IN IP4 host.atlanta.example.com\r\nt=0 0\r\nm=audio 49170 RTP/AVP 0 8 97\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:97 iLBC/8000\r\nm=video 51372 RTP/AVP 31 32\r\na=rtpmap:31 H261/90000\r\na=rtpmap:32 MPV/90000\r\n",
    ),
    (
        "2.2 Audio and Video 2",
        "Answer",
        "v=0\r\no=bob 2808844564 2808844564 IN IP4 host.biloxi.example.com\r\ns=\r\nc=IN IP4 host.biloxi.example.com\r\nt=0 0\r\nm=audio 49172 RTP/AVP 0 8\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\nm=video 0 RTP/AVP 31\r\na=rtpmap:31 H261/90000\r\n",
    ),
    (
        "2.2 Audio and Video 2",
        "Second-Offer",
        "v=0\r\no=alice 2890844526 2890844527 IN IP4 host.atlanta.example.com\r\ns=\r\nc=IN IP4 host.atlanta.example.com\r\nt=0 0\r\nm=audio 51372 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\nm=video 0 RTP/AVP 31\r\na=rtpmap:31 H261/90000\r\n",
    ),
    (
        "2.2 Audio and Video 2",
        "Second-Answer",
        "v=0\r\no=bob 2808844564 2808844565 IN IP4 host.biloxi.example.com\r\ns=\r\nc=IN IP4 host.biloxi.example.com\r\nt=0 0\r\nm=audio 49172 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\nm=video 0 RTP/AVP 31\r\na=rtpmap:31 H261/90000\r\n",
    ),
    (
        "2.3 Audio and Video 3",
        "Offer",
        "v=0\r\no=alice 2890844526 2890844526 IN IP4 host.atlanta.example.com\r\ns=\r\nc=IN IP4 host.atlanta.example.com\r\nt=0 0\r\nm=audio 49170 RTP/AVP 0 8 97\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:97 iLBC/8000\r\nm=video 51372 RTP/AVP 31 32\r\na=rtpmap:31 H261/90000\r\na=rtpmap:32 MPV/90000\r\n",
    ),
    (
        "2.3 Audio and Video 3",
        "Answer",
        "v=0\r\no=bob 2808844564 2808844564 IN IP4 host.biloxi.example.com\r\ns=\r\nc=IN IP4 host.biloxi.example.com\r\nt=0 0\r\nm=audio 49172 RTP/AVP 99\r\na=rtpmap:99 iLBC/8000\r\nm=video 51374 RTP/AVP 31\r\na=rtpmap:31 H261/90000\r\n",
    ),
    (
        "2.4 Two Audio Streams",
        "Offer",
        "v=0\r\no=alice 2890844526 2890844526 IN IP4 host.atlanta.example.com\r\ns=\r\nc=IN IP4 host.atlanta.example.com\r\nt=0 0\r\nm=audio 49170 RTP/AVP 0 97\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:97 iLBC/8000\r\nm=audio 49172 RTP/AVP 98\r\na=rtpmap:98 telephone-event/8000\r\na=sendonly\r\n",
    ),
    (
        "2.4 Two Audio Streams",
        "Answer",
        "v=0\r\no=bob 2808844564 2808844564 IN IP4 host.biloxi.example.com\r\ns=\r\nc=IN IP4 host.biloxi.example.com\r\nt=0 0\r\nm=audio 49172 RTP/AVP 97\r\na=rtpmap:97 iLBC/8000\r\nm=audio 49174 RTP/AVP 98\r\na=rtpmap:98 telephone-event/8000\r\na=recvonly\r\n",
    ),
    (
        "2.5 Audio and Video 4",
        "Offer",
        "v=0\r\no=alice 2890844526 2890844526 IN IP4 host.atlanta.example.com\r\ns=\r\nc=IN IP4 host.atlanta.example.com\r\nt=0 0\r\nm=audio 49170 RTP/AVP 97\r\na=rtpmap:97 iLBC/8000\r\nm=video 51372 RTP/AVP 31\r\na=rtpmap:31 H261/90000\r\n",
    ),
    (
        "2.5 Audio and Video 4",
        "Answer",
        "v=0\r\no=bob 2808844564 2808844564 IN IP4 host.biloxi.example.com\r\ns=\r\nc=IN IP4 host.biloxi.example.com\r\nt=0 0\r\nm=audio 49174 RTP/AVP 97\r\na=rtpmap:97 iLBC/8000\r\nm=video 49170 RTP/AVP 31\r\na=rtpmap:31 H261/90000\r\n",
    ),
    (
        "2.5 Audio and Video 4",
        "Second-Offer",
        "v=0\r\no=bob 2808844564 2808844565 IN IP4 host.biloxi.example.com\r\ns=\r\nc=IN IP4 newhost.biloxi.example.com\r\nt=0 0\r\nm=audio 49178 RTP/AVP 97\r\na=rtpmap:97 iLBC/8000\r\nm=video 49188 RTP/AVP 31\r\na=rtpmap:31 H261/90000\r\n",
    ),
    (
        "2.5 Audio and Video 4",
        "Second-Answer",
        "v=0\r\no=alice 2890844526 2890844526 IN IP4 host.atlanta.example.com\r\ns=\r\nc=IN IP4 host.atlanta.example.com\r\nt=0 0\r\nm=audio 49170 RTP/AVP 97\r\na=rtpmap:97 iLBC/8000\r\nm=video 51372 RTP/AVP 31\r\na=rtpmap:31 H261/90000\r\n",
    ),
    (
        "2.6 Audio Only 1",
        "Offer",
        "v=0\r\no=alice 2890844526 2890844526 IN IP4 host.atlanta.example.com\r\ns=\r\nc=IN IP4 host.atlanta.example.com\r\nt=0 0\r\nm=audio 49170 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\nm=audio 51372 RTP/AVP 97 101\r\na=rtpmap:97 iLBC/8000\r\na=rtpmap:101 telephone-event/8000\r\n",
    ),
    (
        "2.6 Audio Only 1",
        "Answer",
        "v=0\r\no=bob 2808844564 2808844564 IN IP4 host.biloxi.example.com\r\ns=\r\nc=IN IP4 host.biloxi.example.com\r\nt=0 0\r\nm=audio 0 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\nm=audio 49170 RTP/AVP 97 101\r\na=rtpmap:97 iLBC/8000\r\na=rtpmap:101 telephone-event/8000\r\n",
    ),
    (
        "2.7 Audio and Video 5",
        "Offer",
        "v=0\r\no=alice 2890844526 2890844526 IN IP4 host.atlanta.example.com\r\ns=\r\nc=IN IP4 host.atlanta.example.com\r\nt=0 0\r\nm=audio 49170 RTP/AVP 99\r\na=rtpmap:99 iLBC/8000\r\nm=video 51372 RTP/AVP 31\r\na=rtpmap:31 H261/90000\r\n",
    ),
    (
        "2.7 Audio and Video 5",
        "Answer",
        "v=0\r\no=bob 2808844564 2808844564 IN IP4 host.biloxi.example.com\r\ns=\r\nc=IN IP4 host.biloxi.example.com\r\nt=0 0\r\nm=audio 49172 RTP/AVP 99\r\na=rtpmap:99 iLBC/8000\r\nm=video 51374 RTP/AVP 31\r\na=rtpmap:31 H261/90000\r\n",
    ),
    (
        "2.7 Audio and Video 5",
        "Second-Offer",
        "v=0\r\no=alice 2890844526 2890844527 IN IP4 host.atlanta.example.com\r\ns=\r\nc=IN IP4 host.atlanta.example.com\r\nt=0 0\r\nm=audio 49170 RTP/AVP 99\r\na=rtpmap:99 iLBC/8000\r\nm=video 51372 RTP/AVP 31 32\r\na=rtpmap:31 H261/90000\r\na=rtpmap:32 MPV/90000\r\n",
    ),
    (
        "2.7 Audio and Video 5",
        "Second-Answer",
        "v=0\r\no=bob 2808844564 2808844565 IN IP4 host.biloxi.example.com\r\ns=\r\nc=IN IP4 host.biloxi.example.com\r\nt=0 0\r\nm=audio 49172 RTP/AVP 99\r\na=rtpmap:99 iLBC/8000\r\nm=video 51374 RTP/AVP 31 32\r\na=rtpmap:31 H261/90000\r\na=rtpmap:32 MPV/90000\r\n",
    ),
    (
        "2.8 Audio and Video 6",
        "Offer",
        "v=0\r\no=alice 2890844526 2890844526 IN IP4 host.atlanta.example.com\r\ns=\r\nc=IN IP4 host.atlanta.example.com\r\nt=0 0\r\nm=audio 49170 RTP/AVP 0 8 97\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:97 iLBC/8000\r\nm=video 51372 RTP/AVP 31 32\r\na=rtpmap:31 H261/90000\r\na=rtpmap:32 MPV/90000\r\n",
    ),
    (
        "2.8 Audio and Video 6",
        "Answer",
        "v=0\r\no=bob 2808844564 2808844564 IN IP4 host.biloxi.example.com\r\ns=\r\nc=IN IP4 host.biloxi.example.com\r\nt=0 0\r\nm=audio 49174 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\nm=video 49172 RTP/AVP 32\r\nc=IN IP4 otherhost.biloxi.example.com\r\na=rtpmap:32 MPV/90000\r\n",
    ),
    (
        "3.1 Hold and Unhold 1",
        "Offer",
        "v=0\r\no=alice 2890844526 2890844526 IN IP4 host.atlanta.example.com\r\ns=\r\nc=IN IP4 host.atlanta.example.com\r\nt=0 0\r\nm=audio 49170 RTP/AVP 0 97\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:97 iLBC/8000\r\n",
    ),
    (
        "3.1 Hold and Unhold 1",
        "Answer",
        "v=0\r\no=bob 2808844564 2808844564 IN IP4 host.biloxi.example.com\r\ns=\r\nc=IN IP4 placeholder.biloxi.example.com\r\nt=0 0\r\nm=audio 49172 RTP/AVP 97\r\na=rtpmap:97 iLBC/8000\r\na=sendonly\r\n",
    ),
    (
        "3.1 Hold and Unhold 1",
        "Second-Offer",
        "v=0\r\no=bob 2808844564 2808844565 IN IP4 host.biloxi.example.com\r\ns=\r\nc=IN IP4 host.biloxi.example.com\r\nt=0 0\r\nm=audio 49170 RTP/AVP 97\r\na=rtpmap:97 iLBC/8000\r\n",
    ),
    (
        "3.1 Hold and Unhold 1",
        "Second-Answer",
        "v=0\r\no=alice 2890844526 2890844527 IN IP4 host.atlanta.example.com\r\ns=\r\nc=IN IP4 host.atlanta.example.com\r\nt=0 0\r\nm=audio 49178 RTP/AVP 97\r\na=rtpmap:97 iLBC/8000\r\n",
    ),
    (
        "3.2 Hold with Two Streams",
        "Offer",
        "v=0\r\no=alice 2890844526 2890844526 IN IP4 host.atlanta.example.com\r\ns=\r\nc=IN IP4 host.atlanta.example.com\r\nt=0 0\r\nm=audio 49170 RTP/AVP 0 97\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:97 iLBC/8000\r\nm=audio 49172 RTP/AVP 98\r\na=rtpmap:98 telephone-event/8000\r\na=sendonly\r\n",
    ),
    (
        "3.2 Hold with Two Streams",
        "Answer",
        "v=0\r\no=bob 2808844564 2808844564 IN IP4 host.biloxi.example.com\r\ns=\r\nc=IN IP4 host.biloxi.example.com\r\nt=0 0\r\nm=audio 49172 RTP/AVP 97\r\na=rtpmap:97 iLBC/8000\r\nm=audio 49174 RTP/AVP 98\r\na=rtpmap:98 telephone-event/8000\r\na=recvonly\r\n",
    ),
    (
        "3.2 Hold with Two Streams",
        "Second-Offer",
        "v=0\r\no=bob 2808844564 2808844565 IN IP4 host.biloxi.example.com\r\ns=\r\nc=IN IP4 host.biloxi.example.com\r\nt=0 0\r\nm=audio 49172 RTP/AVP 97\r\na=rtpmap:97 iLBC/8000\r\na=sendonly\r\nm=audio 49174 RTP/AVP 98\r\na=rtpmap:98 telephone-event/8000\r\na=recvonly\r\n",
    ),
    (
        "3.2 Hold with Two Streams",
        "Second-Answer",
        "v=0\r\no=alice 2890844526 2890844527 IN IP4 host.atlanta.example.com\r\ns=\r\nc=IN IP4 host.atlanta.example.com\r\nt=0 0\r\nm=audio 49170 RTP/AVP 0 97\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:97 iLBC/8000\r\nm=audio 49172 RTP/AVP 98\r\na=rtpmap:98 telephone-event/8000\r\na=sendonly\r\n",
    ),
    (
        "4.1 Second Audio Stream Added",
        "Offer",
        "v=0\r\no=alice 2890844526 2890844526 IN IP4 host.atlanta.example.com\r\ns=\r\nc=IN IP4 host.atlanta.example.com\r\nt=0 0\r\nm=audio 49170 RTP/AVP 0 97\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:97 iLBC/8000\r\n",
    ),
    (
        "4.1 Second Audio Stream Added",
        "Answer",
        "v=0\r\no=bob 2808844564 2808844564 IN IP4 host.biloxi.example.com\r\ns=\r\nc=IN IP4 host.biloxi.example.com\r\nt=0 0\r\nm=audio 49170 RTP/AVP 97\r\na=rtpmap:97 iLBC/8000\r\n",
    ),
    (
        "4.1 Second Audio Stream Added",
        "Second-Offer",
        "v=0\r\no=bob 2808844564 2808844565 IN IP4 host.biloxi.example.com\r\ns=\r\nc=IN IP4 host.biloxi.example.com\r\nt=0 0\r\nm=audio 49170 RTP/AVP 97\r\na=rtpmap:97 iLBC/8000\r\nm=audio 48282 RTP/AVP 98\r\nc=IN IP4 mediaserver.biloxi.example.com\r\na=rtpmap:98 telephone-event/8000\r\na=recvonly\r\n",
    ),
    (
        "4.1 Second Audio Stream Added",
        "Second-Answer",
        "v=0\r\no=alice 2890844526 2890844527 IN IP4 host.atlanta.example.com\r\ns=\r\nc=IN IP4 host.atlanta.example.com\r\nt=0 0\r\nm=audio 49170 RTP/AVP 97\r\na=rtpmap:97 iLBC/8000\r\nm=audio 49172 RTP/AVP 98\r\nc=IN IP4 host.atlanta.example.com\r\na=rtpmap:98 telephone-event/8000\r\na=sendonly\r\n",
    ),
    (
        "4.2 Audio, then Video Added",
        "Offer",
        "v=0\r\no=alice 2890844526 2890844526 IN IP4 host.atlanta.example.com\r\ns=\r\nc=IN IP4 host.atlanta.example.com\r\nt=0 0\r\nm=audio 49170 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n",
    ),
    (
        "4.2 Audio, then Video Added",
        "Answer",
        "v=0\r\no=bob 2808844564 2808844564 IN IP4 host.biloxi.example.com\r\ns=\r\nc=IN IP4 host.biloxi.example.com\r\nt=0 0\r\nm=audio 49172 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n",
    ),
    (
        "4.2 Audio, then Video Added",
        "Second-Offer",
        "v=0\r\no=alice 2890844526 2890844527 IN IP4 host.atlanta.example.com\r\ns=\r\nc=IN IP4 host.atlanta.example.com\r\nt=0 0\r\nm=audio 49170 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\nm=video 49172 RTP/AVP 31\r\na=rtpmap:31 H261/90000\r\n",
    ),
    (
        "4.2 Audio, then Video Added",
        "Second-Answer",
        "v=0\r\no=bob 2808844564 2808844565 IN IP4 host.biloxi.example.com\r\ns=\r\nc=IN IP4 host.biloxi.example.com\r\nt=0 0\r\nm=audio 49172 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\nm=video 49168 RTP/AVP 31\r\na=rtpmap:31 H261/90000\r\n",
    ),
    (
        "4.3 Audio and Video, Then Video Deleted",
        "Offer",
        "v=0\r\no=alice 2890844526 2890844526 IN IP4 host.atlanta.example.com\r\ns=\r\nc=IN IP4 host.atlanta.example.com\r\nt=0 0\r\nm=audio 49170 RTP/AVP 97\r\na=rtpmap:97 iLBC/8000\r\nm=video 51372 RTP/AVP 31\r\na=rtpmap:31 H261/90000\r\n",
    ),
    (
        "4.3 Audio and Video, Then Video Deleted",
        "Answer",
        "v=0\r\no=bob 2808844564 2808844564 IN IP4 host.biloxi.example.com\r\ns=\r\nc=IN IP4 host.biloxi.example.com\r\nt=0 0\r\nm=audio 49174 RTP/AVP 97\r\na=rtpmap:97 iLBC/8000\r\nm=video 49170 RTP/AVP 31\r\na=rtpmap:31 H261/90000\r\n",
    ),
    (
        "4.3 Audio and Video, Then Video Deleted",
        "Second-Offer",
        "v=0\r\no=bob 2808844564 2808844565 IN IP4 host.biloxi.example.com\r\ns=\r\nc=IN IP4 host.biloxi.example.com\r\nt=0 0\r\nm=audio 49174 RTP/AVP 97\r\na=rtpmap:97 iLBC/8000\r\nm=video 0 RTP/AVP 31\r\na=rtpmap:31 H261/90000\r\n",
    ),
    (
        "4.3 Audio and Video, Then Video Deleted",
        "Second-Answer",
        "v=0\r\no=alice 2890844526 2890844527 IN IP4 host.atlanta.example.com\r\ns=\r\nc=IN IP4 host.atlanta.example.com\r\nt=0 0\r\nm=audio 49170 RTP/AVP 97\r\na=rtpmap:97 iLBC/8000\r\nm=video 0 RTP/AVP 31\r\na=rtpmap:31 H261/90000\r\n",
    ),
    (
        "5.1 No Media, Then Audio Added",
        "Offer",
        "v=0\r\no=alice 2890844526 2890844526 IN IP4 host.atlanta.example.com\r\ns=\r\nc=IN IP4 host.atlanta.example.com\r\nt=0 0\r\n",
    ),
    (
        "5.1 No Media, Then Audio Added",
        "Answer",
        "v=0\r\no=bob 2808844564 2808844564 IN IP4 host.biloxi.example.com\r\ns=\r\nc=IN IP4 host.biloxi.example.com\r\nt=0 0\r\n",
    ),
    (
        "5.1 No Media, Then Audio Added",
        "Second-Offer",
        "v=0\r\no=alice 2890844526 2890844527 IN IP4 host.atlanta.example.com\r\ns=\r\nc=IN IP4 host.atlanta.example.com\r\nt=0 0\r\nm=audio 49170 RTP/AVP 97\r\na=rtpmap:97 iLBC/8000\r\n",
    ),
    (
        "5.1 No Media, Then Audio Added",
        "Second-Answer",
        "v=0\r\no=bob 2808844564 2808844565 IN IP4 host.biloxi.example.com\r\ns=\r\nc=IN IP4 host.biloxi.example.com\r\nt=0 0\r\nm=audio 49172 RTP/AVP 97\r\na=rtpmap:97 iLBC/8000\r\n",
    ),
    (
        "5.2 Hold and Unhold 2",
        "Offer",
        "v=0\r\no=alice 2890844526 2890844526 IN IP4 host.atlanta.example.com\r\ns=\r\nc=IN IP4 0.0.0.0\r\nt=0 0\r\nm=audio 23442 RTP/AVP 97\r\na=rtpmap:97 iLBC/8000\r\n",
    ),
    (
        "5.2 Hold and Unhold 2",
        "Answer",
        "v=0\r\no=bob 2808844564 2808844564 IN IP4 host.biloxi.example.com\r\ns=\r\nc=IN IP4 host.biloxi.example.com\r\nt=0 0\r\nm=audio 49170 RTP/AVP 97\r\na=rtpmap:97 iLBC/8000\r\n",
    ),
    (
        "5.2 Hold and Unhold 2",
        "Second-Offer",
        "v=0\r\no=alice 2890844526 2890844527 IN IP4 host.atlanta.example.com\r\ns=\r\nc=IN IP4 host.atlanta.example.com\r\nt=0 0\r\nm=audio 49170 RTP/AVP 97\r\na=rtpmap:97 iLBC/8000\r\n",
    ),
    (
        "5.2 Hold and Unhold 2",
        "Second-Answer",
        "v=0\r\no=bob 2808844564 2808844564 IN IP4 host.biloxi.example.com\r\ns=\r\nc=IN IP4 host.biloxi.example.com\r\nt=0 0\r\nm=audio 49170 RTP/AVP 97\r\na=rtpmap:97 iLBC/8000\r\n",
    ),
    (
        "5.3 Hold and Unhold 3",
        "Offer",
        "v=0\r\no=alice 2890844526 2890844526 IN IP4 host.atlanta.example.com\r\ns=\r\nc=IN IP4 host.atlanta.example.com\r\nt=0 0\r\nm=audio 49170 RTP/AVP 97\r\na=rtpmap:97 iLBC/8000\r\n",
    ),
    (
        "5.3 Hold and Unhold 3",
        "Answer",
        "v=0\r\no=bob 2808844564 2808844564 IN IP4 host.biloxi.example.com\r\ns=\r\nc=IN IP4 0.0.0.0\r\nt=0 0\r\nm=audio 9322 RTP/AVP 97\r\na=rtpmap:97 iLBC/8000\r\n",
    ),
    (
        "5.3 Hold and Unhold 3",
        "Second-Offer",
        "v=0\r\no=bob 2808844564 2808844565 IN IP4 host.biloxi.example.com\r\ns=\r\nc=IN IP4 host.biloxi.example.com\r\nt=0 0\r\nm=audio 49172 RTP/AVP 97\r\na=rtpmap:97 iLBC/8000\r\n",
    ),
    (
        "5.3 Hold and Unhold 3",
        "Second-Answer",
        "v=0\r\no=alice 2890844526 2890844526 IN IP4 host.atlanta.example.com\r\ns=\r\nc=IN IP4 host.atlanta.example.com\r\nt=0 0\r\nm=audio 49170 RTP/AVP 97\r\na=rtpmap:97 iLBC/8000\r\n",
    ),
];
