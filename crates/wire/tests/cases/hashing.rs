//! Tests of `wire::hashing` against published vectors: FIPS 180-4's examples (SHA-1 and SHA-2),
//! RFC 1321's test suite (MD5), RFC 4231 (HMAC-SHA-256/384/512), RFC 2202 (HMAC-MD5 and
//! HMAC-SHA-1) and RFC 4648 §10 (base64, base64url, hex); and decoding mistakes with their place.

use wire::hashing::{HashAlgorithm, TextEncoding, decode, digest_hex, encode, hmac, verify_hmac};

const MESSAGE_448: &str = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
const MESSAGE_896: &str =
    "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";

/// RFC 4231: case number, key, data, HMAC-SHA-256, HMAC-SHA-384, HMAC-SHA-512.
type Rfc4231Case = (u8, Vec<u8>, Vec<u8>, &'static str, &'static str, &'static str);
/// RFC 2202: hash, case number, key, data, HMAC.
type Rfc2202Case = (HashAlgorithm, u8, Vec<u8>, Vec<u8>, &'static str);

fn repeated(byte: u8, count: usize) -> Vec<u8> {
    vec![byte; count]
}

case_test! {
    fn fips_180_4_examples() {
        use HashAlgorithm::*;
        let cases = [
            (Sha1, "", "da39a3ee5e6b4b0d3255bfef95601890afd80709"),
            (Sha1, "abc", "a9993e364706816aba3e25717850c26c9cd0d89d"),
            (Sha1, MESSAGE_448, "84983e441c3bd26ebaae4aa1f95129e5e54670f1"),
            (Sha1, MESSAGE_896, "a49b2446a02c645bf419f995b67091253a04a259"),
            (Sha256, "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
            (Sha256, "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
            (Sha256, MESSAGE_448, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
            (Sha256, MESSAGE_896, "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"),
            (Sha384, "", "38b060a751ac96384cd9327eb1b1e36a21fdb71114be07434c0cc7bf63f6e1da274edebfe76f65fbd51ad2f14898b95b"),
            (Sha384, "abc", "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7"),
            (Sha384, MESSAGE_448, "3391fdddfc8dc7393707a65b1b4709397cf8b1d162af05abfe8f450de5f36bc6b0455a8520bc4e6f5fe95b1fe3c8452b"),
            (Sha384, MESSAGE_896, "09330c33f71147e83d192fc782cd1b4753111b173b3b05d22fa08086e3b0f712fcc7c71a557e2db966c3e9fa91746039"),
            (Sha512, "", "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e"),
            (Sha512, "abc", "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"),
            (Sha512, MESSAGE_448, "204a8fc6dda82f0a0ced7beb8e08a41657c16ef468b228a8279be331a703c33596fd15c13b1b07f9aa1d3bea57789ca031ad85c7a71dd70354ec631238ca3445"),
            (Sha512, MESSAGE_896, "8e959b75dae313da8cf4f72814fc143f8f7779c6eb9f7fa17299aeadb6889018501d289e4900f7e4331b99dec4b5433ac7d329eeb6dd26545e96e55b874be909"),
        ];
        for (algorithm, message, expected) in cases {
            assert_eq!(digest_hex(algorithm, message.as_bytes()), expected, "{} of {message:?}", algorithm.name());
        }
    }

    fn rfc_1321_test_suite() {
        let cases = [
            ("", "d41d8cd98f00b204e9800998ecf8427e"),
            ("a", "0cc175b9c0f1b6a831c399e269772661"),
            ("abc", "900150983cd24fb0d6963f7d28e17f72"),
            ("message digest", "f96b697d7cb7938d525a2f31aaf161d0"),
            ("abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b"),
            ("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", "d174ab98d277d9f5a5611c2c9f419d9f"),
            ("12345678901234567890123456789012345678901234567890123456789012345678901234567890", "57edf4a22be3c955ac49da2e2107b67a"),
        ];
        for (message, expected) in cases {
            assert_eq!(digest_hex(HashAlgorithm::Md5, message.as_bytes()), expected, "MD5 of {message:?}");
        }
    }

    fn rfc_4231_hmac_sha2() {
        let long_data = b"This is a test using a larger than block-size key and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm.";
        // (case, key, data, HMAC-SHA-256, HMAC-SHA-384, HMAC-SHA-512); case 5 is truncated to 128 bits.
        let cases: [Rfc4231Case; 7] = [
            (1, repeated(0x0b, 20), b"Hi There".to_vec(),
                "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
                "afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59cfaea9ea9076ede7f4af152e8b2fa9cb6",
                "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cdedaa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854"),
            (2, b"Jefe".to_vec(), b"what do ya want for nothing?".to_vec(),
                "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
                "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e8e2240ca5e69e2c78b3239ecfab21649",
                "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737"),
            (3, repeated(0xaa, 20), repeated(0xdd, 50),
                "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe",
                "88062608d3e6ad8a0aa2ace014c8a86f0aa635d947ac9febe83ef4e55966144b2a5ab39dc13814b94e3ab6e101a34f27",
                "fa73b0089d56a284efb0f0756c890be9b1b5dbdd8ee81a3655f83e33b2279d39bf3e848279a722c806b485a47e67c807b946a337bee8942674278859e13292fb"),
            (4, (1..=25).collect(), repeated(0xcd, 50),
                "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b",
                "3e8a69b7783c25851933ab6290af6ca77a9981480850009cc5577c6e1f573b4e6801dd23c4a7d679ccf8a386c674cffb",
                "b0ba465637458c6990e5a8c5f61d4af7e576d97ff94b872de76f8050361ee3dba91ca5c11aa25eb4d679275cc5788063a5f19741120c4f2de2adebeb10a298dd"),
            (5, repeated(0x0c, 20), b"Test With Truncation".to_vec(),
                "a3b6167473100ee06e0c796c2955552b",
                "3abf34c3503b2a23a46efc619baef897",
                "415fad6271580a531d4179bc891d87a6"),
            (6, repeated(0xaa, 131), b"Test Using Larger Than Block-Size Key - Hash Key First".to_vec(),
                "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
                "4ece084485813e9088d2c63a041bc5b44f9ef1012a2b588f3cd11f05033ac4c60c2ef6ab4030fe8296248df163f44952",
                "80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f3526b56d037e05f2598bd0fd2215d6a1e5295e64f73f63f0aec8b915a985d786598"),
            (7, repeated(0xaa, 131), long_data.to_vec(),
                "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2",
                "6617178e941f020d351e2f254e8fd32c602420feb0b8fb9adccebb82461e99c5a678cc31e799176d3860e6110c46523e",
                "e37b6a775dc87dbaa4dfa9f96e5e3ffddebd71f8867289865df5a32d20cdc944b6022cac3c4982b10d5eeb55c3e4de15134676fb6de0446065c97440fa8c6a58"),
        ];
        for (case, key, data, sha256, sha384, sha512) in cases {
            for (algorithm, expected) in [(HashAlgorithm::Sha256, sha256), (HashAlgorithm::Sha384, sha384), (HashAlgorithm::Sha512, sha512)] {
                let tag = hex::encode(hmac(algorithm, &key, &data));
                assert!(tag.starts_with(expected), "RFC 4231 case {case}, HMAC-{}: {tag}", algorithm.name());
                assert_eq!(tag.len(), algorithm.output_len() * 2);
                assert!(verify_hmac(algorithm, &key, &data, &hmac(algorithm, &key, &data)), "case {case} verifies");
            }
        }
    }

    fn rfc_2202_hmac_md5_and_sha1() {
        let large_key_text = b"Test Using Larger Than Block-Size Key - Hash Key First".to_vec();
        let large_both_text = b"Test Using Larger Than Block-Size Key and Larger Than One Block-Size Data".to_vec();
        // (algorithm, case, key, data, HMAC)
        let cases: Vec<Rfc2202Case> = vec![
            (HashAlgorithm::Md5, 1, repeated(0x0b, 16), b"Hi There".to_vec(), "9294727a3638bb1c13f48ef8158bfc9d"),
            (HashAlgorithm::Md5, 2, b"Jefe".to_vec(), b"what do ya want for nothing?".to_vec(), "750c783e6ab0b503eaa86e310a5db738"),
            (HashAlgorithm::Md5, 3, repeated(0xaa, 16), repeated(0xdd, 50), "56be34521d144c88dbb8c733f0e8b3f6"),
            (HashAlgorithm::Md5, 4, (1..=25).collect(), repeated(0xcd, 50), "697eaf0aca3a3aea3a75164746ffaa79"),
            (HashAlgorithm::Md5, 5, repeated(0x0c, 16), b"Test With Truncation".to_vec(), "56461ef2342edc00f9bab995690efd4c"),
            (HashAlgorithm::Md5, 6, repeated(0xaa, 80), large_key_text.clone(), "6b1ab7fe4bd7bf8f0b62e6ce61b9d0cd"),
            (HashAlgorithm::Md5, 7, repeated(0xaa, 80), large_both_text.clone(), "6f630fad67cda0ee1fb1f562db3aa53e"),
            (HashAlgorithm::Sha1, 1, repeated(0x0b, 20), b"Hi There".to_vec(), "b617318655057264e28bc0b6fb378c8ef146be00"),
            (HashAlgorithm::Sha1, 2, b"Jefe".to_vec(), b"what do ya want for nothing?".to_vec(), "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79"),
            (HashAlgorithm::Sha1, 3, repeated(0xaa, 20), repeated(0xdd, 50), "125d7342b9ac11cd91a39af48aa17b4f63f175d3"),
            (HashAlgorithm::Sha1, 4, (1..=25).collect(), repeated(0xcd, 50), "4c9007f4026250c6bc8414f9bf50c86c2d7235da"),
            (HashAlgorithm::Sha1, 5, repeated(0x0c, 20), b"Test With Truncation".to_vec(), "4c1a03424b55e07fe7f27be1d58bb9324a9a5a04"),
            (HashAlgorithm::Sha1, 6, repeated(0xaa, 80), large_key_text, "aa4ae5e15272d00e95705637ce8a3b55ed402112"),
            (HashAlgorithm::Sha1, 7, repeated(0xaa, 80), large_both_text, "e8e99d0f45237d786d6bbaa7965c7808bbff1a91"),
        ];
        for (algorithm, case, key, data, expected) in cases {
            assert_eq!(hex::encode(hmac(algorithm, &key, &data)), expected, "RFC 2202 HMAC-{} case {case}", algorithm.name());
        }
    }

    fn a_wrong_tag_does_not_verify() {
        let key = b"key";
        let tag = hmac(HashAlgorithm::Sha256, key, b"message");
        let cases: [(&[u8], &[u8], bool); 4] = [
            (b"message", &tag, true),
            (b"massage", &tag, false),
            (b"message", &tag[..16], false),
            (b"message", b"", false),
        ];
        for (data, candidate, expected) in cases {
            assert_eq!(verify_hmac(HashAlgorithm::Sha256, key, data, candidate), expected, "{data:?}");
        }
    }

    fn rfc_4648_section_10() {
        let cases = [
            ("", "", "", ""),
            ("f", "Zg==", "Zg", "66"),
            ("fo", "Zm8=", "Zm8", "666f"),
            ("foo", "Zm9v", "Zm9v", "666f6f"),
            ("foob", "Zm9vYg==", "Zm9vYg", "666f6f62"),
            ("fooba", "Zm9vYmE=", "Zm9vYmE", "666f6f6261"),
            ("foobar", "Zm9vYmFy", "Zm9vYmFy", "666f6f626172"),
        ];
        for (data, base64, base64url, hex) in cases {
            for (encoding, expected) in [(TextEncoding::Base64, base64), (TextEncoding::Base64Url, base64url), (TextEncoding::Hex, hex)] {
                assert_eq!(encode(encoding, data.as_bytes()), expected, "{} of {data:?}", encoding.name());
                assert_eq!(decode(encoding, expected).as_deref(), Ok(data.as_bytes()), "{} {expected:?} back", encoding.name());
            }
        }
        // RFC 4648 writes base16 in capitals; both cases decode.
        assert_eq!(decode(TextEncoding::Hex, "666F6F626172").as_deref(), Ok(&b"foobar"[..]));
    }

    fn the_two_base64_alphabets_and_percent_encoding() {
        let cases: [(TextEncoding, &[u8], &str); 6] = [
            (TextEncoding::Base64, &[0xfb, 0xff], "+/8="),
            (TextEncoding::Base64Url, &[0xfb, 0xff], "-_8"),
            (TextEncoding::Percent, b"a b/c~d-e.f_g", "a%20b%2Fc~d-e.f_g"),
            (TextEncoding::Percent, "é?&=".as_bytes(), "%C3%A9%3F%26%3D"),
            (TextEncoding::Percent, &[0x00, 0xff], "%00%FF"),
            (TextEncoding::Hex, &[0x00, 0xab, 0xff], "00abff"),
        ];
        for (encoding, data, expected) in cases {
            assert_eq!(encode(encoding, data), expected, "{} of {data:?}", encoding.name());
            assert_eq!(decode(encoding, expected).as_deref(), Ok(data), "{} {expected:?} back", encoding.name());
        }
    }

    fn decoding_mistakes_say_where() {
        let cases = [
            (TextEncoding::Base64, "Zm9v!mFy", "'!' is not a base64 character at line 1, column 5"),
            (TextEncoding::Base64Url, "Zm9v\nYm*y", "'*' is not a base64 character at line 2, column 3"),
            (TextEncoding::Percent, "a%2", "'%' must be followed by two hex digits at line 1, column 2"),
            (TextEncoding::Percent, "100%zz", "'%' must be followed by two hex digits at line 1, column 4"),
            (TextEncoding::Hex, "abc", ""),
            (TextEncoding::Hex, "zz", ""),
        ];
        for (encoding, text, expected) in cases {
            let error = decode(encoding, text).expect_err(text);
            if !expected.is_empty() {
                assert_eq!(error.to_string(), expected, "{text:?}");
            }
            assert!(error.location.is_some(), "{text:?} has a place");
        }
    }

    fn names_and_which_are_broken() {
        let described: Vec<String> = HashAlgorithm::ALL
            .into_iter()
            .map(|algorithm| format!("{} {} bytes broken={}", algorithm.name(), algorithm.output_len(), algorithm.is_broken()))
            .collect();
        assert_eq!(described, [
            "MD5 16 bytes broken=true",
            "SHA-1 20 bytes broken=true",
            "SHA-256 32 bytes broken=false",
            "SHA-384 48 bytes broken=false",
            "SHA-512 64 bytes broken=false",
        ]);
        for (name, expected) in [("sha256", Some(HashAlgorithm::Sha256)), ("SHA-1", Some(HashAlgorithm::Sha1)), ("md5", Some(HashAlgorithm::Md5)), ("sha3", None)] {
            assert_eq!(HashAlgorithm::from_name(name), expected, "{name}");
        }
    }
}
