//! Tests of `wire::tls`: real ClientHellos (captured here from Chromium and OpenSSL, and from
//! FoxIO's published pcaps) read and fingerprinted, each JA3 and JA4 computed by independent
//! tools (Wireshark's tshark 4.0 for JA3, FoxIO's own ja4.py and published snapshots for JA4);
//! JA4's rules from FoxIO's specification, one by one; the name tables; and the dissection's
//! document and byte map, including every truncated prefix and garbage, which never panic.

use expect_test::{Expect, expect};
use wire::formats::{Node, Path, Value};
use wire::tls::{
    ClientHello, Extension, cipher_suite_name, dissect, extension_name, is_grease, named_group_name, read_client_hello,
    signature_scheme_name, version_name,
};

fn sample(lines: &[&str]) -> Vec<u8> {
    let hex: String = lines.concat();
    wire::hashing::decode(wire::hashing::TextEncoding::Hex, &hex).unwrap_or_else(|error| panic!("bad sample: {error}"))
}

fn hello(lines: &[&str]) -> ClientHello {
    read_client_hello(&sample(lines)).unwrap_or_else(|error| panic!("{error}"))
}

/// A ClientHello built from lists, as FoxIO's specification gives its example.
fn hello_from_lists(ciphers: &[u16], extensions: &[u16], signatures: &[u16], alpn: Option<&[u8]>) -> ClientHello {
    let mut alpn_data = Vec::new();
    if let Some(protocol) = alpn {
        let list_len = protocol.len() + 1;
        alpn_data.extend([(list_len >> 8) as u8, list_len as u8, protocol.len() as u8]);
        alpn_data.extend(protocol);
    }
    ClientHello {
        legacy_version: 0x0303,
        cipher_suites: ciphers.to_vec(),
        extensions: extensions
            .iter()
            .map(|&kind| Extension { kind, data: if kind == 0x0010 { alpn_data.clone() } else { Vec::new() } })
            .collect(),
        supported_versions: vec![0x0a0a, 0x0304, 0x0303],
        signature_algorithms: signatures.to_vec(),
        ..ClientHello::default()
    }
}

/// The byte map as lines: `offset+len role path: detail`.
fn render_map(bytes: &[u8]) -> String {
    let dissection = dissect(bytes);
    let mut lines: Vec<String> = dissection
        .map
        .spans()
        .iter()
        .map(|span| {
            format!("{}+{} {} {}: {}", span.span.offset, span.span.len, span.role.label(), span.path, span.detail)
        })
        .collect();
    if let Some(error) = &dissection.error {
        lines.push(format!("stopped: {error}"));
    }
    lines.join("\n") + "\n"
}

fn check_map(bytes: &[u8], expected: Expect) {
    expected.assert_eq(&render_map(bytes));
}

/// The document's value at `path` written out (`Value::String` as is, others with Debug).
fn value_at(document: &Node, path: &Path) -> String {
    match document.at(path).map(|node| &node.value) {
        Some(Value::String(text)) => text.clone(),
        Some(Value::Integer(number)) => number.to_string(),
        Some(Value::Array(items)) => format!("{} items", items.len()),
        Some(other) => format!("{other:?}"),
        None => "(none)".into(),
    }
}

fn path(text: &str) -> Path {
    let mut path = Path::root();
    for part in text.split('.') {
        match part.split_once('[') {
            Some((key, index)) => {
                path = path.key(key).index(index.trim_end_matches(']').parse().unwrap_or_else(|_| panic!("{text}")))
            }
            None => path = path.key(part),
        }
    }
    path
}

case_test! {
    fn fingerprints_match_independent_tools() {
        // (sample, JA3 text and JA3 from tshark 4.0.17, JA4 from FoxIO's ja4.py or snapshots)
        let cases: [(&str, &[&str], &str, &str, &str); 6] = [
            ("Chromium 156", CHROMIUM_156,
             "771,4865-4866-4867-49195-49199-49196-49200-52393-52392-49171-49172-156-157-47-53,5-27-51-45-51764-65281-11-18-10-0-17613-35-23-13-43-16-65037,4588-29-23-24,0",
             "2538ee690bbf0593a71df129a29031e4", "t13d1517h2_8daaf6152771_cb7bf5808d99"),
            ("Chrome (FoxIO latest.pcapng)", CHROME_FOXIO_LATEST,
             "771,4865-4866-4867-49195-49199-49196-49200-52393-52392-49171-49172-156-157-47-53,35-65281-0-27-18-17513-45-43-13-16-51-10-5-23-11-21,29-23-24,0",
             "8883b2acda8ceb1a4f416c16d9b6c42f", "t13d1516h2_8daaf6152771_e5627efa2ab1"),
            ("TLS 1.2, no ALPN", TLS12_NO_ALPN_FOXIO_LATEST,
             "771,49196-49195-49200-49199-49188-49187-49192-49191-49162-49161-49172-49171-157-156-61-60-53-47-10,0-5-10-11-13-35-23-65281,29-23-24,0",
             "a0e9f5d64349fb13191bc781f81f42e1", "t12d190800_d83cc789557e_7af1ed941c26"),
            ("TLS 1.2 with h2", CLOUDFLARE_H2_FOXIO,
             "771,49200-49196-49192-49188-49172-49162-159-107-57-52393-52392-52394-65413-196-136-129-157-61-53-192-132-49199-49195-49191-49187-49171-49161-158-103-51-190-69-156-60-47-186-65-49169-49159-5-4-49170-49160-22-10-255,0-11-10-13-16,29-23-24,0",
             "3faa4ad39f690c4ef1c3160caa375465", "t12d4605h2_85626a9a5f7f_aaf95bb78ec9"),
            ("Firefox", FIREFOX_FOXIO_TLS12,
             "771,4865-4867-4866-49195-49199-52393-52392-49196-49200-49162-49161-49171-49172-156-157-47-53,0-23-65281-10-11-35-16-5-34-51-43-13-45-28-21,29-23-24-25-256-257,0",
             "579ccef312d18482fc42e2b822ca2430", "t13d1715h2_5b57614c22b0_3d5424432f57"),
            ("OpenSSL 3.0 s_client", OPENSSL_CLIENT_HELLO,
             "771,4866-4867-4865-49196-49200-159-52393-52392-52394-49195-49199-158-49188-49192-107-49187-49191-103-49162-49172-57-49161-49171-51-157-156-61-60-53-47-255,0-11-10-35-16-22-23-13-43-45-51,29-23-30-25-24-256-257-258-259-260,0-1-2",
             "5a1edc7f170af1014fc65c994878e63c", "t13d3111h2_e8f1e7e78f70_1f22a2ca17c4"),
        ];
        for (name, lines, ja3_text, ja3, ja4) in cases {
            let hello = hello(lines);
            assert_eq!(hello.ja3_text(), ja3_text, "{name}");
            assert_eq!(hello.ja3(), ja3, "{name}");
            assert_eq!(hello.ja4(), ja4, "{name}");
        }
    }

    fn ja4_raw_matches_foxio() {
        // FoxIO ja4.py's JA4_r for the Chromium 156 capture.
        assert_eq!(
            hello(CHROMIUM_156).ja4_raw(),
            "t13d1517h2_002f,0035,009c,009d,1301,1302,1303,c013,c014,c02b,c02c,c02f,c030,cca8,cca9_0005,000a,000b,000d,0012,0017,001b,0023,002b,002d,0033,44cd,ca34,fe0d,ff01_0904,0905,0906,0403,0804,0401,0503,0805,0501,0806,0601"
        );
    }

    fn fields_read_out_of_a_chromium_hello() {
        let hello = hello(CHROMIUM_156);
        let hex = |values: &[u16]| values.iter().map(|value| format!("{value:04x}")).collect::<Vec<_>>().join(" ");
        let described = [
            format!("legacy_version {:04x}", hello.legacy_version),
            format!("session_id {} bytes", hello.session_id.len()),
            format!("ciphers {}", hex(&hello.cipher_suites)),
            format!("compression {:?}", hello.compression_methods),
            format!("extensions {}", hex(&hello.extensions.iter().map(|extension| extension.kind).collect::<Vec<_>>())),
            format!("server_name {:?}", hello.server_name),
            format!("alpn {:?}", hello.alpn),
            format!("supported_versions {}", hex(&hello.supported_versions)),
            format!("supported_groups {}", hex(&hello.supported_groups)),
            format!("key_share_groups {}", hex(&hello.key_share_groups)),
            format!("signature_algorithms {}", hex(&hello.signature_algorithms)),
            format!("ec_point_formats {:?}", hello.ec_point_formats),
        ];
        expect![[r#"
            legacy_version 0303
            session_id 32 bytes
            ciphers 0a0a 1301 1302 1303 c02b c02f c02c c030 cca9 cca8 c013 c014 009c 009d 002f 0035
            compression [0]
            extensions 5a5a 0005 001b 0033 002d ca34 ff01 000b 0012 000a 0000 44cd 0023 0017 000d 002b 0010 fe0d fafa
            server_name Some("localhost")
            alpn ["h2", "http/1.1"]
            supported_versions 9a9a 0304 0303
            supported_groups 7a7a 11ec 001d 0017 0018
            key_share_groups 7a7a 11ec 001d
            signature_algorithms 2a2a 0904 0905 0906 0403 0804 0401 0503 0805 0501 0806 0601
            ec_point_formats [0]
        "#]].assert_eq(&(described.join("\n") + "\n"));
    }

    fn ja4_follows_foxio_rules() {
        let spec_ciphers = [0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8, 0xc013, 0xc014, 0x009c, 0x009d, 0x002f, 0x0035];
        let spec_extensions = [0x001b, 0x0000, 0x0033, 0x0010, 0x4469, 0x0017, 0x002d, 0x000d, 0x0005, 0x0023, 0x0012, 0x002b, 0xff01, 0x000b, 0x000a, 0x0015];
        let spec_signatures = [0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601];
        let with_grease: Vec<u16> = [0x0a0a].into_iter().chain(spec_ciphers).collect();
        let extensions_with_grease: Vec<u16> = [0x1a1a].into_iter().chain(spec_extensions).chain([0xfafa]).collect();
        let no_sni: Vec<u16> = spec_extensions.into_iter().filter(|&kind| kind != 0x0000).collect();
        let cases: Vec<(&str, ClientHello, &str)> = vec![
            // The specification's own example, its hashes as it states them.
            ("FoxIO's example", hello_from_lists(&spec_ciphers, &spec_extensions, &spec_signatures, Some(b"h2")), "t13d1516h2_8daaf6152771_e5627efa2ab1"),
            ("GREASE is ignored everywhere", hello_from_lists(&with_grease, &extensions_with_grease, &[0x0a0a].into_iter().chain(spec_signatures).collect::<Vec<_>>(), Some(b"h2")), "t13d1516h2_8daaf6152771_e5627efa2ab1"),
            ("no signature algorithms: no underscore", hello_from_lists(&spec_ciphers, &spec_extensions, &[], Some(b"h2")), "t13d1516h2_8daaf6152771_6d807ffa2a79"),
            ("no SNI: i", hello_from_lists(&spec_ciphers, &no_sni, &spec_signatures, Some(b"h2")), "t13i1515h2_8daaf6152771_e5627efa2ab1"),
            ("http/1.1 first: h1", hello_from_lists(&spec_ciphers, &spec_extensions, &spec_signatures, Some(b"http/1.1")), "t13d1516h1_8daaf6152771_e5627efa2ab1"),
            ("nothing at all", hello_from_lists(&[], &[], &[], None), "t12i000000_000000000000_000000000000"),
        ];
        for (name, hello, expected) in cases {
            assert_eq!(hello.ja4(), expected, "{name}");
        }
    }

    fn ja4_alpn_characters() {
        // FoxIO's specification lists these byte strings and their two characters.
        let cases: [(Option<&[u8]>, &str); 11] = [
            (None, "00"),
            (Some(b""), "00"),
            (Some(b"h"), "hh"),
            (Some(&[0xab]), "ab"),
            (Some(&[0x20]), "20"),
            (Some(&[0xab, 0xcd]), "ad"),
            (Some(&[0x20, 0x61]), "21"),
            (Some(&[0x30, 0xab]), "3b"),
            (Some(&[0x61, 0x20]), "60"),
            (Some(&[0x30, 0x31, 0xab, 0xcd]), "3d"),
            (Some(&[0x30, 0xab, 0xcd, 0x31]), "01"),
        ];
        for (alpn, expected) in cases {
            let extensions: &[u16] = if alpn.is_some() { &[0x0010, 0x002b] } else { &[0x002b] };
            let ja4 = hello_from_lists(&[0x1301], extensions, &[], alpn).ja4();
            assert_eq!(&ja4[8..10], expected, "{alpn:?} in {ja4}");
        }
    }

    fn a_hello_split_over_records_reads_the_same() {
        let whole = sample(CHROMIUM_156);
        let handshake = &whole[5..];
        for split in [1, 4, 100, handshake.len() - 1] {
            let mut records = Vec::new();
            for part in [&handshake[..split], &handshake[split..]] {
                records.extend([0x16, 0x03, 0x01, (part.len() >> 8) as u8, part.len() as u8]);
                records.extend(part);
            }
            let read = read_client_hello(&records).unwrap_or_else(|error| panic!("split at {split}: {error}"));
            assert_eq!(read, hello(CHROMIUM_156), "split at {split}");
            let dissection = dissect(&records);
            assert_eq!(dissection.error, None, "split at {split}");
            assert_eq!(dissection.map.check(records.len()), Ok(()), "split at {split}");
            // Every byte mapped, the second record's header included.
            assert_eq!(dissection.map.covered_bytes(), records.len(), "split at {split}");
            assert_eq!(value_at(&dissection.document, &path("records[1].continues")), "the handshake message begun in an earlier record goes on here");
        }
    }

    fn names() {
        let cases: [(&str, Option<&str>, &str); 16] = [
            ("cipher 0x1301", cipher_suite_name(0x1301), "TLS_AES_128_GCM_SHA256"),
            ("cipher 0xc02f", cipher_suite_name(0xc02f), "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"),
            ("cipher 0xcca9", cipher_suite_name(0xcca9), "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256"),
            ("cipher 0x00ff", cipher_suite_name(0x00ff), "TLS_EMPTY_RENEGOTIATION_INFO_SCSV"),
            ("cipher 0x2a2a", cipher_suite_name(0x2a2a), "GREASE"),
            ("extension 0x0000", extension_name(0x0000), "server_name"),
            ("extension 0x0010", extension_name(0x0010), "application_layer_protocol_negotiation"),
            ("extension 0xfe0d", extension_name(0xfe0d), "encrypted_client_hello"),
            ("extension 0x44cd", extension_name(0x44cd), "application_settings"),
            ("group 0x001d", named_group_name(0x001d), "X25519"),
            ("group 0x11ec", named_group_name(0x11ec), "X25519MLKEM768"),
            ("group 0x0017", named_group_name(0x0017), "secp256r1"),
            ("signature 0x0403", signature_scheme_name(0x0403), "ecdsa_secp256r1_sha256"),
            ("signature 0x0804", signature_scheme_name(0x0804), "rsa_pss_rsae_sha256"),
            ("version 0x0304", version_name(0x0304), "TLS 1.3"),
            ("version 0x0301", version_name(0x0301), "TLS 1.0"),
        ];
        for (what, found, expected) in cases {
            assert_eq!(found, Some(expected), "{what}");
        }
        for unknown in [cipher_suite_name(0xff85), extension_name(0xca34), named_group_name(0x1234), signature_scheme_name(0xffff), version_name(0x0305)] {
            assert_eq!(unknown, None);
        }
        let grease: Vec<u16> = (0..=0xffffu16).filter(|&value| is_grease(value)).collect();
        assert_eq!(grease, [0x0a0a, 0x1a1a, 0x2a2a, 0x3a3a, 0x4a4a, 0x5a5a, 0x6a6a, 0x7a7a, 0x8a8a, 0x9a9a, 0xaaaa, 0xbaba, 0xcaca, 0xdada, 0xeaea, 0xfafa]);
    }

    fn the_chromium_hello_dissected() {
        let bytes = sample(CHROMIUM_156);
        let dissection = dissect(&bytes);
        assert_eq!(dissection.error, None);
        assert_eq!(dissection.map.check(bytes.len()), Ok(()));
        assert_eq!(dissection.map.covered_bytes(), bytes.len(), "every byte mapped");
        let document = &dissection.document;
        let hello = "records[0].messages[0].client_hello";
        let cases = [
            ("records[0].content_type", "handshake (22)"),
            ("records[0].version", "TLS 1.0 (0x0301)"),
            ("records[0].length", "2008"),
            ("records[0].messages[0].msg_type", "client_hello (1)"),
            ("records[0].messages[0].length", "2004"),
            (&format!("{hello}.legacy_version"), "TLS 1.2 (0x0303)"),
            (&format!("{hello}.cipher_suites"), "16 items"),
            (&format!("{hello}.cipher_suites[0]"), "GREASE (0x0a0a)"),
            (&format!("{hello}.cipher_suites[1]"), "TLS_AES_128_GCM_SHA256 (0x1301)"),
            (&format!("{hello}.extensions[0].type"), "GREASE (0x5a5a)"),
            (&format!("{hello}.extensions[2].type"), "compress_certificate (0x001b)"),
            (&format!("{hello}.extensions[3].shares[1].group"), "X25519MLKEM768 (0x11ec)"),
            (&format!("{hello}.extensions[5].type"), "unknown (0xca34)"),
            (&format!("{hello}.extensions[10].names[0]"), "localhost"),
            (&format!("{hello}.extensions[15].versions[1]"), "TLS 1.3 (0x0304)"),
            (&format!("{hello}.extensions[16].protocols[1]"), "http/1.1"),
            (&format!("{hello}.extensions[14].schemes[0]"), "GREASE (0x2a2a)"),
            (&format!("{hello}.extensions[14].schemes[1]"), "mldsa44 (0x0904)"),
            (&format!("{hello}.extensions[4].modes[0]"), "psk_dhe_ke (1)"),
        ];
        for (at, expected) in cases {
            assert_eq!(value_at(document, &path(at)), expected, "{at}");
        }
        // What a byte means, as the byte map says it.
        let detail = |offset: usize| dissection.map.at(offset).map(|span| span.detail.clone()).unwrap_or_default();
        let cipher_offset = bytes.windows(2).position(|pair| pair == [0x13, 0x01]).unwrap_or(0);
        assert_eq!(detail(cipher_offset), "cipher suite 0x1301 TLS_AES_128_GCM_SHA256");
        assert_eq!(detail(0), "record type 22: handshake");
        assert_eq!(detail(5), "handshake type 1: client_hello");
    }

    fn a_server_flight_dissected() {
        check_map(&sample(OPENSSL_SERVER_FLIGHT), expect![[r#"
            0+1 header records[0].content_type: record type 22: handshake
            1+2 header records[0].version: record version 0x0303: TLS 1.2
            3+2 length records[0].length: record length: 122 bytes after the header
            5+1 header records[0].messages[0].msg_type: handshake type 2: server_hello
            6+3 length records[0].messages[0].length: handshake message length: 118 bytes (24 bits)
            9+2 value records[0].messages[0].server_hello.legacy_version: legacy_version 0x0303: TLS 1.2 (TLS 1.3 sends 1.2 here and the real versions in supported_versions)
            11+32 value records[0].messages[0].server_hello.random: random: 32 bytes the server chose
            43+1 length records[0].messages[0].server_hello.session_id: legacy_session_id_echo length: 32
            44+32 value records[0].messages[0].server_hello.session_id: legacy_session_id_echo: 32 bytes
            76+2 value records[0].messages[0].server_hello.cipher_suite: cipher suite 0x1302 TLS_AES_256_GCM_SHA384
            78+1 value records[0].messages[0].server_hello.compression_method: compression method 0: null
            79+2 length records[0].messages[0].server_hello.extensions: length of the extensions: 46 bytes
            81+2 tag records[0].messages[0].server_hello.extensions[0].type: extension type 0x002b supported_versions
            83+2 length records[0].messages[0].server_hello.extensions[0]: extension length: 2 bytes
            85+2 value records[0].messages[0].server_hello.extensions[0].selected_version: selected version 0x0304 TLS 1.3
            87+2 tag records[0].messages[0].server_hello.extensions[1].type: extension type 0x0033 key_share
            89+2 length records[0].messages[0].server_hello.extensions[1]: extension length: 36 bytes
            91+2 value records[0].messages[0].server_hello.extensions[1].share.group: key share group 0x001d X25519
            93+2 length records[0].messages[0].server_hello.extensions[1].share.key_exchange: key exchange length: 32
            95+32 value records[0].messages[0].server_hello.extensions[1].share.key_exchange: key exchange: 32 bytes
            127+1 header records[1].content_type: record type 20: change_cipher_spec
            128+2 header records[1].version: record version 0x0303: TLS 1.2
            130+2 length records[1].length: record length: 1 byte after the header
            132+1 value records[1].change_cipher_spec: change_cipher_spec 1: this side encrypts from here on
            133+1 header records[2].content_type: record type 23: application_data
            134+2 header records[2].version: record version 0x0303: TLS 1.2
            136+2 length records[2].length: record length: 32 bytes after the header
            138+32 value records[2].encrypted_data: application data: 32 bytes, encrypted (TLS 1.3 hides its later handshake here too)
            170+1 header records[3].content_type: record type 23: application_data
            171+2 header records[3].version: record version 0x0303: TLS 1.2
            173+2 length records[3].length: record length: 415 bytes after the header
            175+415 value records[3].encrypted_data: application data: 415 bytes, encrypted (TLS 1.3 hides its later handshake here too)
            590+1 header records[4].content_type: record type 23: application_data
            591+2 header records[4].version: record version 0x0303: TLS 1.2
            593+2 length records[4].length: record length: 95 bytes after the header
            595+95 value records[4].encrypted_data: application data: 95 bytes, encrypted (TLS 1.3 hides its later handshake here too)
            690+1 header records[5].content_type: record type 23: application_data
            691+2 header records[5].version: record version 0x0303: TLS 1.2
            693+2 length records[5].length: record length: 69 bytes after the header
            695+69 value records[5].encrypted_data: application data: 69 bytes, encrypted (TLS 1.3 hides its later handshake here too)
        "#]]);
    }

    fn alerts_and_other_records() {
        // A fatal handshake_failure alert, a change_cipher_spec, then application data.
        check_map(&sample(&["15030300020228", "140303000101", "1703030005aabbccddee"]), expect![[r#"
            0+1 header records[0].content_type: record type 21: alert
            1+2 header records[0].version: record version 0x0303: TLS 1.2
            3+2 length records[0].length: record length: 2 bytes after the header
            5+1 value records[0].level: alert level 2: fatal
            6+1 value records[0].description: alert description 40: handshake_failure
            7+1 header records[1].content_type: record type 20: change_cipher_spec
            8+2 header records[1].version: record version 0x0303: TLS 1.2
            10+2 length records[1].length: record length: 1 byte after the header
            12+1 value records[1].change_cipher_spec: change_cipher_spec 1: this side encrypts from here on
            13+1 header records[2].content_type: record type 23: application_data
            14+2 header records[2].version: record version 0x0303: TLS 1.2
            16+2 length records[2].length: record length: 5 bytes after the header
            18+5 value records[2].encrypted_data: application data: 5 bytes, encrypted (TLS 1.3 hides its later handshake here too)
        "#]]);
    }

    fn bad_bytes_stop_at_their_place() {
        let cases = [
            ("474554202f20485454502f312e310d0a", "byte 0: 0x47 is not a TLS record type (20 change_cipher_spec, 21 alert, 22 handshake, 23 application_data, 24 heartbeat): \"GET / HT\" looks like text (plain HTTP?), not TLS"),
            ("16", "byte 1: the bytes end here: a record header is 5 bytes, 1 are given"),
            ("160301", "byte 3: the bytes end here: a record header is 5 bytes, 3 are given"),
            ("16030100", "byte 4: the bytes end here: a record header is 5 bytes, 4 are given"),
            ("1604010001", "byte 1: record version 0x0401 is not TLS's 0x03xx: these bytes are not a TLS record"),
            ("16030148010100", "byte 3: record length 18433 is over TLS's limit of 18432 bytes"),
            ("1603010004010000", "byte 8: the bytes end here: record 0 says 4 bytes follow its header, 3 are given"),
            ("16030100040100ffff", "byte 6: the client_hello message says 65535 bytes, but only 0 are left in the handshake records"),
            ("160301000401000000", "byte 9: legacy_version needs 2 bytes, but only 0 are left in the client_hello message"),
            ("1503030002022816", "byte 8: the bytes end here: a record header is 5 bytes, 1 are given"),
            ("150303000202281703", "byte 9: the bytes end here: a record header is 5 bytes, 2 are given"),
            ("15030300020228ff", "byte 7: 0xff is not a TLS record type after 1 record (20 change_cipher_spec, 21 alert, 22 handshake, 23 application_data, 24 heartbeat)"),
        ];
        for (hex, expected) in cases {
            let bytes = wire::hashing::decode(wire::hashing::TextEncoding::Hex, hex).unwrap_or_default();
            let dissection = dissect(&bytes);
            let error = dissection.error.as_ref().map(ToString::to_string).unwrap_or_default();
            assert_eq!(error, expected, "{hex}");
            assert_eq!(dissection.map.check(bytes.len()), Ok(()), "{hex}");
        }
    }

    fn every_prefix_of_real_hellos_is_read_without_panicking() {
        // (sample, whether it is one record, so that every shorter prefix is incomplete)
        let samples = [(CHROMIUM_156, true), (FIREFOX_FOXIO_TLS12, true), (OPENSSL_CLIENT_HELLO, true), (OPENSSL_SERVER_FLIGHT, false)];
        for (lines, one_record) in samples {
            let bytes = sample(lines);
            for end in 0..bytes.len() {
                let prefix = &bytes[..end];
                let dissection = dissect(prefix);
                assert_eq!(dissection.map.check(end), Ok(()), "prefix of {end}");
                assert!(!one_record || dissection.error.is_some() || end == 0, "a prefix of {end} bytes is incomplete");
                if let Err(error) = read_client_hello(prefix) {
                    assert!(error.location.is_none_or(|location| location.offset <= end), "{error}");
                }
            }
        }
    }

    fn garbage_never_panics() {
        // Every byte value in every position of a short record, and lengths that lie.
        let base = sample(OPENSSL_CLIENT_HELLO);
        for position in 0..base.len().min(120) {
            for value in [0x00, 0x01, 0x7f, 0x80, 0xfe, 0xff] {
                let mut bytes = base.clone();
                bytes[position] = value;
                let dissection = dissect(&bytes);
                assert_eq!(dissection.map.check(bytes.len()), Ok(()), "byte {position} = {value:#x}");
                let _ = read_client_hello(&bytes);
            }
        }
        let mut state = 0x1234_5678u32;
        for _ in 0..200 {
            let bytes: Vec<u8> = (0..64).map(|_| {
                state ^= state << 13;
                state ^= state >> 17;
                state ^= state << 5;
                state as u8
            }).collect();
            for start in [[0x16, 0x03, 0x01], [0x15, 0x03, 0x03], [0x17, 0x03, 0x03]] {
                let record: Vec<u8> = start.iter().copied().chain(bytes.iter().copied()).collect();
                assert_eq!(dissect(&record).map.check(record.len()), Ok(()));
                let _ = read_client_hello(&record);
            }
        }
    }

    fn the_formats_lab_decode_tab_reads_tls() {
        use wire::formats::FormatError;
        use wire::formats::guess::Reading;
        use wire::formats_lab::DecodeSource;
        let no_schema = Err(FormatError::general("no schema"));
        let chromium = wire::hexdump::to_hex(&sample(CHROMIUM_156));
        let cut = wire::hexdump::to_hex(&sample(CHROMIUM_156)[..1000]);
        // (typed bytes, choice, reading used, the best guess, error)
        let cases = [
            (chromium.clone(), None, Reading::Tls, Some(Reading::Tls), None),
            (cut, None, Reading::Tls, Some(Reading::Tls), Some("byte 1000: the bytes end here")),
            ("15 03 03 00 02 01 00".to_string(), None, Reading::Tls, Some(Reading::Tls), None),
            // Chosen, though it is not TLS: mapped up to the byte where it stops being TLS.
            ("7b 7d".to_string(), Some(Reading::Tls), Reading::Tls, Some(Reading::Json), Some("byte 0: 0x7b is not a TLS record type")),
        ];
        for (typed, choice, used, best, error) in cases {
            let outcome = DecodeSource::Typed(typed.clone()).decode(choice, &no_schema, "");
            assert_eq!(outcome.reading, used, "{typed}");
            assert_eq!(outcome.best, best, "{typed}");
            let Some(decoding) = outcome.decoding else { panic!("{typed}: nothing decoded") };
            let problem = decoding.error.map(|error| error.to_string());
            match error {
                None => assert_eq!(problem, None, "{typed}"),
                Some(start) => assert!(problem.as_deref().is_some_and(|problem| problem.starts_with(start)), "{typed}: {problem:?}"),
            }
            assert!(decoding.document.is_some(), "{typed}");
        }
        assert_eq!(Reading::from_key("tls"), Some(Reading::Tls));
        assert_eq!(Reading::Tls.label(), "TLS records");
    }

    fn tls_info_takes_the_client_hello_bytes() {
        let bytes = sample(OPENSSL_CLIENT_HELLO);
        let cases: [(&[u8], &str, &str); 3] = [
            (&bytes, "5a1edc7f170af1014fc65c994878e63c", "t13d3111h2_e8f1e7e78f70_1f22a2ca17c4"),
            (&bytes[..100], "", ""),
            (b"", "", ""),
        ];
        for (records, ja3, ja4) in cases {
            let mut info = wire::tls_info::TlsInfo::default();
            info.set_client_hello(records);
            assert_eq!(info.client_hello_hex.len(), records.len() * 2);
            assert_eq!((info.ja3.as_str(), info.ja4.as_str()), (ja3, ja4), "{} bytes", records.len());
            assert_eq!(info.ja3_text.is_empty(), ja3.is_empty());
        }
    }

    fn read_client_hello_says_what_is_missing() {
        let cases = [
            ("", "no bytes: a ClientHello starts with a record header 16 03 0x"),
            ("15030300020228", "these TLS records hold no ClientHello"),
            ("16030100040100ffff", "the client_hello message says 65535 bytes, but only 0 are left in the handshake records at byte 6"),
        ];
        for (hex, expected) in cases {
            let bytes = wire::hashing::decode(wire::hashing::TextEncoding::Hex, hex).unwrap_or_default();
            let error = read_client_hello(&bytes).expect_err(hex);
            assert_eq!(error.to_string(), expected, "{hex}");
        }
    }
}

/// Chromium 156 (Debian's) opening https://localhost:8899/, as a Python socket received it
/// (2,013 bytes: one record). GREASE, X25519MLKEM768, ML-DSA signature schemes, ECH GREASE.
const CHROMIUM_156: &[&str] = &[
    "16030107d8010007d403031b1e9b3820f01ddae6a9ff0f52fd810487d7a7f2133ac572f1ab668c959ec91e2026a32905",
    "45e7b56134985818ae891a4d6dba64ed6db7b44e457017762b99633f00200a0a130113021303c02bc02fc02cc030cca9",
    "cca8c013c014009c009d002f00350100076b5a5a0000000500050100000000001b0003020002003304ef04ed7a7a0001",
    "0011ec04c042ca4668a8aea96c0c00177731284dedb032009a5226c21d0d28c082d22188f74c7b1247e534b945c93165",
    "59863be20dff8bc7c1e66c69043dc5fb5bd717619ab93b284a436385037c1a322ca8ba852c7a354b75bbc7ad3e7cad39",
    "3504d2486ccfa9caf174004ab7afa93451f3a23f363301507aa99f6158dbe87e8e4583b2161462c55cf4d827e2659e6c",
    "e73ff0d1bd3a6c0aafc579282a9003f349bfb20204315c4e463e06b464b816206b33833c1ab7b5660657928411030721",
    "a2a39ac88e125627e6849975dc99e76a3fdf36709fe922b49196b9049912c40a4d5c660e895614ec74eba920f6425206",
    "fc8cbb911dcb2b7ebcb44328e71345907001802def1490a48b687c5a5fca304fbeab2c926911ebc8c91d44ac3f8b1fbe",
    "c263cfc11b0b782f7aeb58d629baa517bb1a6a65c163077b6950d680a61c4c997be2873f35c85e37a07a90ba2551b585",
    "04828366a9dfca6801227eb4232e52570756955cd5fa9a18815f22ea9d82654e9d031f4da95a6b1ca7a8706f111ba765",
    "ba52d4b75c7c845cb503c826e8b3381283243873b132a9511b5c94265bcaccc086e10bfe30378f1c3355c02f8cf64dd0",
    "a431bbb89e5f9686c6479d1480b3e405ab8ed1620e3ca07f3096bac87ab66012040965fb9030ee0416b3d11a5c007977",
    "1079d0e9b861084cb9f399db4476cfa6b96fd08a746cc19b50a9f8b8356ad824f20a256c06c9b76b8b5188940e159262",
    "686378f8be9bd184262459c8c86c89397ff83a27bc16096917c40c5610e77a25e6d58ca19b6c02e36c8402350f5550eb",
    "25b7c07512a6f62f3d6c90423c0c18bb64b9755949084f1d1935ea9a158431bf3726110663555922bb682bc74b5b1ea5",
    "11441fc1b8046cc756ba03da323906a620cee8744d85c20b21afefe872fad673e6185b5925c185ac04345257bf62b680",
    "b5ba142268cc671b14433b45335593669697b32e86533827127d0e4416de2391d47ac26e35b603b5110e4a0f48314905",
    "54066927a9b0402e67031cbd5254ab1b4cddba1561c31421ea3f6276a8fa54926a0185df6aac2eaac7d4cbc1ecf2a05d",
    "7846b0b08ce81ab75688189d693bc7903e2ae78dc62cc4e580c266669e4fe93563f571bd9346e73555dc46a8f96c08d9",
    "857950a93180d41d363a55e5d75c8a10a14ce254d4b758ed37947f34b45ae11eb05a391be01797dc5c0dc98a8f2338fb",
    "6a059eba21e28916c129669c68b186255df028623c24506de5036f13a13482bf22a082fc27c9dd46b4a4661b392b162d",
    "f28786cb2e27e98509d250910292fbc840c927288d1b178e66be4b29acb4411a3ad83af60759e169af9f12802d4332bc",
    "e677b9ca0db3b0b09ba43f4ed90603fc14925327f6707f9585176cfab8108b17909140b9c7acb85a3877135ca9f563dd",
    "09bd988487ad775830ac6cbb0ca2c6407c3d369a1294c27d14ab4ea23a57b42a8e962680b6331305343db21ebd79b26a",
    "8c8067f6656f077a0132212eba2beb383272d2076060603992370378ac17057de9665330577ad8b9340913bd8dc95cad",
    "3b10404044995301186c1a591540a8d2177a211a17c58f73c0139474675d3206d7e03f42a626bbea8fd83913af440b2d",
    "b31b56f48da68d9b38cb8dcecf1fd8fa62347ff59e36d179837b2251454c64537aa014914e0f8c4aff9e4273fed1542f",
    "ef9e6b2a956c1139db19f59a99b1f7ebdb88a16e19001d0020cdd63320bc9d967595b05756d2825a3d38195786e4a84d",
    "81d48dc3ffc9d88b12002d00020101ca3400ba00b80582df1302010582df1302060582df13020d0582df13020e0582df",
    "13020f0582df1302120582df1302130582df13021408839a648c9b2d010708839a648c9b2d010808839a648c9b2d0109",
    "08839a648c9b2d010a08839a648c9b2d010b08839a648c9b2d010c08839a648c9b2d010d08839a648c9b2d011208839a",
    "648c9b2d011304d679090104d679090404d679090504d679090604d679090704d679090804d679090a04d679090b04d6",
    "79090c04d679090d04d679090fff01000100000b0002010000120000000a000c000a7a7a11ec001d001700180000000e",
    "000c0000096c6f63616c686f737444cd000500030268320023000000170000000d001a00182a2a090409050906040308",
    "04040105030805050108060601002b0007069a9a030403030010000e000c02683208687474702f312e31fe0d011a0000",
    "010001070020e23a934053a354677dce969ce1dbce17db5b719a81eb9ca3a3f99d8b767c436400f0e02242f7210511fe",
    "242cb61cc4c9ea188b5e0b1fb8ebc44c29be94e5cee0f908ac1f617cb15b2111c61647a3a5e89ecc4d7ef974b3550398",
    "6b30150cca4e2f5ba87a0083007a2d68120c9654a70f655b655a39deb2f978260535e1330bcbae45c64bbfbf3d447883",
    "18863d041bf698dcd1b3314b5c48ede4f9331beb450604ba9126e1b0e727ec3d656277639f41ef99927302944dbbd7d3",
    "449fa9d5da1b87f3c0c29f14304d6c53b74008072fba5b798bfc6fee278bd34a08b7d0e53185e9d6075941965c8c6512",
    "b6058c4b0907b3830eb5028c8b671d6482c5e6b9f9d3c369f3811ef43c4b6afb8dc3fd72bb30c348fafa000100",
];

/// Chrome to pdx-col.eum-appdynamics.com: FoxIO's ja4 repository, pcap/latest.pcapng, stream 1.
const CHROME_FOXIO_LATEST: &[&str] = &[
    "1603010200010001fc0303b36385607b49c764c0b125095fd636d10516f2018bc900e2e953c1d49f9ebb6f20dae0b36a",
    "b94b900f1dd35a0adf5d3d15f0796c2cb01ecd64598cac8f6e78eeda00203a3a130113021303c02bc02fc02cc030cca9",
    "cca8c013c014009c009d002f0035010001933a3a000000230000ff0100010000000020001e00001b7064782d636f6c2e",
    "65756d2d61707064796e616d6963732e636f6d001b000302000200120000446900050003026832002d00020101002b00",
    "07066a6a03040303000d00120010040308040401050308050501080606010010000e000c02683208687474702f312e31",
    "0033002b00294a4a000100001d0020cd9178093a022da36a842dc55231e8a19e4b22facf4c4c04577d93327bd26f7300",
    "0a000a00084a4a001d0017001800050005010000000000170000000b000201001a1a000100001500bc00000000000000",
    "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000",
    "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000",
    "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000",
    "00000000000000000000000000000000000000000000000000000000000000000000000000",
];

/// A TLS 1.2 client with no ALPN to discovery.cem.cloud.us: pcap/latest.pcapng, stream 3.
const TLS12_NO_ALPN_FOXIO_LATEST: &[&str] = &[
    "16030300b8010000b4030364960ddb84e92e8d5a9be477e2f7112257269dc742143793732813c25ec65af0000026c02c",
    "c02bc030c02fc024c023c028c027c00ac009c014c013009d009c003d003c0035002f000a010000650000001b00190000",
    "16646973636f766572792e63656d2e636c6f75642e7573000500050100000000000a00080006001d00170018000b0002",
    "0100000d001a00180804080508060401050102010403050302030202060106030023000000170000ff01000100",
];

/// A TLS 1.2 client offering h2 to www.cloudflare.com: pcap/tls-alpn-h2.pcap.
const CLOUDFLARE_H2_FOXIO: &[&str] = &[
    "16030100e8010000e40303858226c04fbaeddef4246093b4cfdab38f9dcfef145360e417686575cac49c7000005cc030",
    "c02cc028c024c014c00a009f006b0039cca9cca8ccaaff8500c400880081009d003d003500c00084c02fc02bc027c023",
    "c013c009009e0067003300be0045009c003c002f00ba0041c011c00700050004c012c0080016000a00ff0100005f0000",
    "001700150000127777772e636c6f7564666c6172652e636f6d000b00020100000a00080006001d00170018000d001c00",
    "1a06010603efef0501050304010403eeeeeded03010303020102030010000e000c02683208687474702f312e31",
];

/// Firefox to contile.services.mozilla.com: pcap/tls12.pcap (TLS 1.3 despite the file's name).
const FIREFOX_FOXIO_TLS12: &[&str] = &[
    "1603010200010001fc0303ecb2691addb2bf6c599c7aaae23de5f42561cc04eb41029acc6fc050a16ac1d22046f8617b",
    "580ac9358e2aa44e306d52466bcc989c87c8ca64309f5faf50ba7b4d0022130113031302c02bc02fcca9cca8c02cc030",
    "c00ac009c013c014009c009d002f00350100019100000021001f00001c636f6e74696c652e73657276696365732e6d6f",
    "7a696c6c612e636f6d00170000ff01000100000a000e000c001d00170018001901000101000b00020100002300000010",
    "000e000c02683208687474702f312e310005000501000000000022000a000804030503060302030033006b0069001d00",
    "208909858fbeb6ed2f1248ba5b9e2978bead0e840110192c61daed0096798b184400170041044d183d91f5eed35791fa",
    "982464e3b0214aaa5f5d1b78616d9b9fbebc22d11f535b2f94c686143136aa795e6e5a875d6c08064ad5b76d44caad76",
    "6e2483012748002b00050403040303000d0018001604030503060308040805080604010501060102030201002d000201",
    "01001c000240010015007a00000000000000000000000000000000000000000000000000000000000000000000000000",
    "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000",
    "00000000000000000000000000000000000000000000000000000000000000000000000000",
];

/// `openssl s_client -servername localhost -alpn h2` (OpenSSL 3.0.19) to a local s_server.
const OPENSSL_CLIENT_HELLO: &[&str] = &[
    "160301013f0100013b0303f94f794f3d148517ed8cf13dd51bca1255359975ee61617ccb909cea6e264f1c204021d602",
    "092dec2fb7c4714560b836dfdc9f63af9e17a788de8ff2ca532b740c003e130213031301c02cc030009fcca9cca8ccaa",
    "c02bc02f009ec024c028006bc023c0270067c00ac0140039c009c0130033009d009c003d003c0035002f00ff010000b4",
    "0000000e000c0000096c6f63616c686f7374000b000403000102000a00160014001d0017001e00190018010001010102",
    "01030104002300000010000500030268320016000000170000000d002a0028040305030603080708080809080a080b08",
    "0408050806040105010601030303010302040205020602002b0009080304030303020301002d00020101003300260024",
    "001d0020edc7ce46b2887232b93afaa8bb3da97ce09bf10e65909a4f374ccaa67bf13060",
];

/// That s_server's answer in one TCP segment: ServerHello, change_cipher_spec, then the
/// encrypted rest of the TLS 1.3 handshake as application data records.
const OPENSSL_SERVER_FLIGHT: &[&str] = &[
    "160303007a020000760303784fb8b5b12399a53ae3fd3b03d9064d200992da06ea01f2f5aa12d22a0a427d204021d602",
    "092dec2fb7c4714560b836dfdc9f63af9e17a788de8ff2ca532b740c130200002e002b0002030400330024001d002042",
    "e78d3535742b0de2dc30ae5e5f4d310aaa05d177117837848299f538d2c36b140303000101170303002012e798b1668c",
    "b260e8b4dcd3ee5841ca12a7a0a0f409c0c87d7c3feff4712dc9170303019f5a72ebe18dbe5e03f2b1be096f4b8b07a1",
    "2fb58096105f3890009936de9990e2b48e56c7aa203502ba8ffb266bb80de38e675fe3f0f84688b3627586c9318b3472",
    "61a132552bf1a99d2ca926483d25316495a783c1cf47bb6ea718693601a9d1260434b70451062b41be5fe55b64825ba1",
    "3b60dd02c9bc1275206e190578ad639c6f22ff16aa0b59dda75fba81504235de46e616647ff59ad5a38b12000bc39c4b",
    "ca92336bfd9d4e7507c2e4351903ecae11c31bdbb45bbd22bbe4f483205f2f657f263be900af875558cc5ac9b6c008eb",
    "2a81b39386c28b6a4f5c1f0cc3f2124d9360f33c2763a707d91d3be9bd836a9644a53675d0a92d30d419856ba2f68113",
    "c1ce073765a9eb7494f11076c53698b95b3ba2f9ffb23efe01120a5520edc5de3f097e5fcd96670cefb554a5e1f47f1f",
    "f1c8c509d61a6954450316cd83f601cf6d3144f4856f1815e7aee159cf964dc116e81fec24edf0c3d18a4efa6e27c3c1",
    "4b5fd947b11ffa8f166f6267062e6beda018b02e79784b8a9a33d37eddb6e2085f7de993ef54ecc8f3277b712a2835ae",
    "7ba1cd0ed93b029d76c95e36ccbd170303005f497bdc57d7d5eeecb67343bb5c5cef5a950fa5a49181bd9b77ee194b1c",
    "908dfc75dd59bb0a1b43d9bd4870020507129890e418836f889df0adcb26c8b2b700e5b99565c525d1a72c6ab7aac6da",
    "63fe9a46b9ff313cec90ca57e69dcd2d48e11703030045110ddcd27d92376b8cd591369b6a78a5b964af36f6cec51552",
    "5b4b97e144e3452a14fd61bd77764f9173308e08fac1360503e1d60b99c23fae90b791f61de052c4ac5abd1c",
];
