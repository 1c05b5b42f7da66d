//! Secrets and crypto addresses: JWTs, cloud and SaaS API keys, PEM private keys,
//! Bitcoin and Ethereum addresses.

use base64::Engine as _;
use sha3::{Digest, Keccak256};

use super::normalise::find;

/// Decodes one base64url JWT segment, tolerating `=` padding.
fn b64url(segment: &[u8]) -> Option<Vec<u8>> {
    let mut s = segment;
    for _ in 0..2 {
        if let Some(rest) = s.strip_suffix(b"=") {
            s = rest;
        }
    }
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(s)
        .ok()
}

/// JWT proof: three base64url parts; header is JSON with a string `alg`; the payload decodes.
pub fn jwt_ok(candidate: &[u8]) -> bool {
    if candidate.len() > 65_536 {
        return false;
    }
    let mut parts = candidate.split(|&b| b == b'.');
    let (Some(header), Some(payload), Some(signature), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return false;
    };
    if header.is_empty() || payload.is_empty() {
        return false;
    }
    let Some(header) = b64url(header) else {
        return false;
    };
    let alg_ok = match serde_json::from_slice::<serde_json::Value>(&header) {
        Ok(serde_json::Value::Object(map)) => map.get("alg").is_some_and(|v| v.is_string()),
        _ => false,
    };
    alg_ok && b64url(payload).is_some() && (signature.is_empty() || b64url(signature).is_some())
}

/// AWS access key id: AKIA/ASIA/ABIA/ACCA + 16 base32 characters.
pub fn aws_access_key_ok(c: &[u8]) -> bool {
    c.len() == 20
        && matches!(&c[..4], b"AKIA" | b"ASIA" | b"ABIA" | b"ACCA")
        && c[4..]
            .iter()
            .all(|&b| b.is_ascii_uppercase() || (b'2'..=b'7').contains(&b))
}

/// Base62 alphabet GitHub uses for token checksums: digits, upper case, lower case.
const BASE62: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// The 6-char base62 CRC-32 GitHub appends to a token's 30 random chars (to build or check tokens).
pub fn github_checksum(random: &[u8]) -> [u8; 6] {
    let mut v = crc32fast::hash(random);
    let mut out = [b'0'; 6];
    for slot in out.iter_mut().rev() {
        *slot = BASE62[(v % 62) as usize];
        v /= 62;
    }
    out
}

/// GitHub token proof: `gh?_` + 30 random + 6 CRC-32 chars; `github_pat_` (no checksum) by shape.
pub fn github_token_ok(candidate: &[u8]) -> bool {
    if let Some(rest) = candidate.strip_prefix(b"github_pat_") {
        return (82..=255).contains(&rest.len())
            && rest.iter().all(|&b| b.is_ascii_alphanumeric() || b == b'_');
    }
    if candidate.len() != 40
        || !matches!(
            &candidate[..4],
            b"ghp_" | b"gho_" | b"ghu_" | b"ghs_" | b"ghr_"
        )
    {
        return false;
    }
    let body = &candidate[4..];
    if !body.iter().all(u8::is_ascii_alphanumeric) {
        return false;
    }
    let (random, checksum) = body.split_at(30);
    github_checksum(random) == checksum
}

/// Slack token: `xox[baprs]-` then dash-separated alphanumeric groups, ≥ 15 characters.
pub fn slack_token_ok(c: &[u8]) -> bool {
    if !(15..=255).contains(&c.len()) {
        return false;
    }
    let Some(rest) = c.strip_prefix(b"xox") else {
        return false;
    };
    let [kind, b'-', ref groups @ ..] = *rest else {
        return false;
    };
    b"baprs".contains(&kind)
        && groups
            .split(|&b| b == b'-')
            .all(|g| !g.is_empty() && g.iter().all(u8::is_ascii_alphanumeric))
}

/// Stripe key: `sk_`/`pk_`/`rk_` + `live_`/`test_` + at least 24 alphanumerics.
pub fn stripe_key_ok(c: &[u8]) -> bool {
    if c.len() > 255 {
        return false;
    }
    const PREFIXES: [&[u8]; 6] = [
        b"sk_live_",
        b"sk_test_",
        b"pk_live_",
        b"pk_test_",
        b"rk_live_",
        b"rk_test_",
    ];
    PREFIXES
        .iter()
        .find_map(|p| c.strip_prefix(*p))
        .is_some_and(|rest| rest.len() >= 24 && rest.iter().all(u8::is_ascii_alphanumeric))
}

/// Google API key: `AIza` + exactly 35 of `[0-9A-Za-z_-]`.
pub fn google_api_key_ok(c: &[u8]) -> bool {
    c.len() == 39
        && c.starts_with(b"AIza")
        && c[4..]
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// PEM body: base64 lines (real or `\n`-escaped breaks), legacy `Key: value` headers skipped.
fn pem_body_ok(body: &[u8]) -> bool {
    let mut total = 0usize;
    let (mut line_b64, mut line_colon, mut line_bad) = (0usize, false, false);
    let mut i = 0usize;
    loop {
        let b = body.get(i).copied();
        let brk = match b {
            None | Some(b'\n' | b'\r') => 1,
            Some(b'\\') if matches!(body.get(i + 1), Some(b'n' | b'r')) => 2,
            _ => 0,
        };
        if brk > 0 {
            if !line_colon {
                if line_bad {
                    return false;
                }
                total += line_b64;
            }
            (line_b64, line_colon, line_bad) = (0, false, false);
            if b.is_none() {
                break;
            }
            i += brk;
            continue;
        }
        match b {
            Some(c) if c.is_ascii_alphanumeric() || matches!(c, b'+' | b'/' | b'=') => {
                line_b64 += 1
            }
            Some(b' ' | b'\t') => {}
            Some(b':') => line_colon = true,
            _ => line_bad = true,
        }
        i += 1;
    }
    total >= 16
}

/// PEM private key: a complete BEGIN/base64 body/matching END block, so lone headers in docs drop.
pub fn pem_private_key_ok(candidate: &[u8]) -> bool {
    if candidate.len() > 65_536 {
        return false;
    }
    let Some(rest) = candidate.strip_prefix(b"-----BEGIN ") else {
        return false;
    };
    let Some(label_end) = find(rest, b"-----") else {
        return false;
    };
    let (label, after) = rest.split_at(label_end);
    if label.len() > 64
        || !label.ends_with(b"PRIVATE KEY")
        || !label
            .iter()
            .all(|&b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b' ')
    {
        return false;
    }
    let after = &after[5..];
    let Some(end_at) = find(after, b"-----END ") else {
        return false;
    };
    let (body, end) = after.split_at(end_at);
    let matching_end = end[9..]
        .strip_prefix(label)
        .is_some_and(|tail| tail.starts_with(b"-----"));
    matching_end && pem_body_ok(body)
}

/// Bitcoin mainnet address proof: base58check P2PKH/P2SH or bech32/bech32m segwit `bc1…` checksums.
pub fn btc_address_ok(candidate: &[u8]) -> bool {
    match candidate.first() {
        Some(b'1' | b'3') => {
            if !(25..=35).contains(&candidate.len()) {
                return false;
            }
            let mut out = [0u8; 25];
            match bs58::decode(candidate).with_check(None).onto(&mut out) {
                // 25 decoded bytes: version, 20-byte hash, 4-byte checksum (not counted).
                Ok(21) => matches!((candidate[0], out[0]), (b'1', 0x00) | (b'3', 0x05)),
                _ => false,
            }
        }
        Some(b'b' | b'B') => {
            if !(14..=90).contains(&candidate.len()) {
                return false;
            }
            let Ok(s) = std::str::from_utf8(candidate) else {
                return false;
            };
            matches!(bech32::segwit::decode(s), Ok((hrp, _, _)) if hrp == bech32::hrp::BC)
        }
        _ => false,
    }
}

/// Ethereum address: `0x` + 40 hex; mixed case must carry the EIP-55 Keccak-256 checksum.
pub fn eth_address_ok(candidate: &[u8]) -> bool {
    let Some(hex) = candidate.strip_prefix(b"0x") else {
        return false;
    };
    let Ok(hex) = <&[u8; 40]>::try_from(hex) else {
        return false;
    };
    if !hex.iter().all(u8::is_ascii_hexdigit) || hex.iter().all(|&b| b == b'0') {
        return false;
    }
    let has_lower = hex.iter().any(u8::is_ascii_lowercase);
    let has_upper = hex.iter().any(u8::is_ascii_uppercase);
    if !(has_lower && has_upper) {
        return true;
    }
    let lower = hex.map(|b| b.to_ascii_lowercase());
    let hash = Keccak256::digest(lower);
    hex.iter().enumerate().all(|(i, &b)| {
        if !b.is_ascii_alphabetic() {
            return true;
        }
        let byte = hash.get(i / 2).copied().unwrap_or(0);
        let nibble = if i % 2 == 0 { byte >> 4 } else { byte & 0x0f };
        (nibble >= 8) == b.is_ascii_uppercase()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::tests::{cases, fail, pass};
    use crate::validate::Validator;

    fn b64(s: &[u8]) -> String {
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s)
    }

    #[test]
    fn jwt() {
        let jwt_io = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c";
        let rs = format!(
            "{}.{}.{}",
            b64(br#"{"alg":"RS256","kid":"k1"}"#),
            b64(br#"{"email":"a@b.com"}"#),
            b64(&[0xfb; 64])
        );
        let unsigned = format!("{}.{}.", b64(br#"{"alg":"none"}"#), b64(b"{}"));
        let padded = format!("{}=.{}.sig", b64(br#"{"alg":"HS256"}"#), b64(b"{\"a\":1}"));
        pass(Validator::Jwt, jwt_io);
        pass(Validator::Jwt, &rs);
        pass(Validator::Jwt, &unsigned);
        pass(Validator::Jwt, &padded);

        let no_alg = format!("{}.{}.sig", b64(br#"{"typ":"JWT"}"#), b64(b"{}"));
        let num_alg = format!("{}.{}.sig", b64(br#"{"alg":256}"#), b64(b"{}"));
        let not_obj = format!("{}.{}.sig", b64(br#"["alg"]"#), b64(b"{}"));
        let bad_payload = format!("{}.a.sig", b64(br#"{"alg":"HS256"}"#));
        fail(Validator::Jwt, &no_alg);
        fail(Validator::Jwt, &num_alg);
        fail(Validator::Jwt, &not_obj);
        fail(Validator::Jwt, &bad_payload);
        fail(Validator::Jwt, "eyJhbGciOiJIUzI1NiJ9.eyJ9");
        fail(Validator::Jwt, "a.b.c.d");
        fail(Validator::Jwt, "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9..sig");
    }

    #[test]
    fn aws_access_key() {
        cases(
            Validator::AwsAccessKey,
            &[
                "AKIAIOSFODNN7EXAMPLE",
                "ASIAY34FZKBOKMUTVV7A",
                "ABIA2345672345672345",
                "ACCAABCDEFGHIJKLMNOP",
            ],
            &[
                "AKIAIOSFODNN7EXAMPL",
                "AKIAIOSFODNN7EXAMPLE1",
                "AKIAiosfodnn7example",
                "AKIAIOSFODNN1EXAMPLE",
                "AXIAIOSFODNN7EXAMPLE",
            ],
        );
    }

    fn make_github(prefix: &str, random: &str) -> String {
        let sum = github_checksum(random.as_bytes());
        format!("{prefix}{random}{}", String::from_utf8_lossy(&sum))
    }

    #[test]
    fn github_token() {
        let random = "aBcDeFgHiJkLmNoPqRsTuVwXyZ0123";
        assert_eq!(random.len(), 30);
        let ghp = make_github("ghp_", random);
        let gho = make_github("gho_", "000000000000000000000000000000");
        let ghs = make_github("ghs_", "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzz");
        let pat = format!("github_pat_11ABCDEFG0{}_{}", "a".repeat(12), "B".repeat(59));
        // Independent check of the checksum encoding on a known CRC.
        assert_eq!(crc32fast::hash(b"123456789"), 0xCBF4_3926);
        assert_eq!(&github_checksum(b"123456789"), b"3jZRME");
        for t in [&ghp, &gho, &ghs, &pat] {
            pass(Validator::GithubToken, t);
        }
        let mut bad_sum = ghp.clone();
        let last = if bad_sum.ends_with('0') { "1" } else { "0" };
        bad_sum.replace_range(39.., last);
        fail(Validator::GithubToken, &bad_sum);
        fail(Validator::GithubToken, &ghp.replace("ghp_", "ghx_"));
        fail(Validator::GithubToken, &ghp[..39]);
        fail(
            Validator::GithubToken,
            &make_github("ghp_", "aBcDeFgHiJkLmNoPqRsTuVwXyZ012-"),
        );
        fail(Validator::GithubToken, &pat[..60]);
        fail(
            Validator::GithubToken,
            "ghp_1234567890123456789012345678901234567",
        );
    }

    #[test]
    fn slack_token() {
        cases(
            Validator::SlackToken,
            &[
                "xoxb-1234567890-0987654321-AbCdEfGhIjKlMnOpQrStUvWx",
                "xoxp-123456789012-123456789012-1234567890123-abcdef0123456789abcdef0123456789",
                "xoxa-2-abcdef123456",
                "xoxs-12345678901",
            ],
            &[
                "xoxz-1234567890-0987654321",
                "xoxb-1234567890--0987654321",
                "xoxb-1234567890-",
                "xoxb-12345",
                "xoxb_1234567890_0987654321",
            ],
        );
    }

    #[test]
    fn stripe_key() {
        cases(
            Validator::StripeKey,
            &[
                "sk_live_4eC39HqLyjWDarjtT1zdp7dc",
                "sk_test_4eC39HqLyjWDarjtT1zdp7dc",
                "pk_test_TYooMQauvdEDq54NiTphI7jx",
                "rk_live_51H8abcdefghijklmnopqrstuvwxyz",
            ],
            &[
                "sk_live_4eC39HqLyjWDarjtT1zdp7d",
                "sk_prod_4eC39HqLyjWDarjtT1zdp7dc",
                "xk_live_4eC39HqLyjWDarjtT1zdp7dc",
                "sk_live_4eC39HqLyjWDarjtT1zdp7d-",
                "sk_live_",
            ],
        );
    }

    #[test]
    fn google_api_key() {
        cases(
            Validator::GoogleApiKey,
            &[
                "AIzaSyDaGmWKa4JsXZ-HjGw7ISLn_3namBGewQe",
                "AIzaSyA-1234567890abcdefghijklmnopqrstu",
                "AIza___________________________________",
            ],
            &[
                "AIzaSyDaGmWKa4JsXZ-HjGw7ISLn_3namBGewQ",
                "AIzaSyDaGmWKa4JsXZ-HjGw7ISLn_3namBGewQeX",
                "AIzbSyDaGmWKa4JsXZ-HjGw7ISLn_3namBGewQe",
                "AIzaSyDaGmWKa4JsXZ+HjGw7ISLn_3namBGewQe",
            ],
        );
    }

    #[test]
    fn pem_private_key() {
        let body = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj\nMzEfYyjiWA4R4/M2bS1GB4t7NXp98C3SC6dVMvDuictGeurT8jNbvJZHtCSuYEvu\n";
        let pkcs8 = format!("-----BEGIN PRIVATE KEY-----\n{body}-----END PRIVATE KEY-----");
        let rsa = format!(
            "-----BEGIN RSA PRIVATE KEY-----\r\nProc-Type: 4,ENCRYPTED\r\nDEK-Info: AES-128-CBC,ABCDEF\r\n\r\n{body}-----END RSA PRIVATE KEY-----\n"
        );
        let escaped = "-----BEGIN OPENSSH PRIVATE KEY-----\\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ==\\n-----END OPENSSH PRIVATE KEY-----";
        pass(Validator::PemPrivateKey, &pkcs8);
        pass(Validator::PemPrivateKey, &rsa);
        pass(Validator::PemPrivateKey, escaped);
        pass(
            Validator::PemPrivateKey,
            &format!("-----BEGIN EC PRIVATE KEY-----\n{body}-----END EC PRIVATE KEY-----"),
        );

        fail(
            Validator::PemPrivateKey,
            &format!("-----BEGIN PUBLIC KEY-----\n{body}-----END PUBLIC KEY-----"),
        );
        fail(
            Validator::PemPrivateKey,
            &format!("-----BEGIN RSA PRIVATE KEY-----\n{body}-----END PRIVATE KEY-----"),
        );
        fail(
            Validator::PemPrivateKey,
            "-----BEGIN PRIVATE KEY-----\n-----END PRIVATE KEY-----",
        );
        fail(
            Validator::PemPrivateKey,
            &format!("-----BEGIN PRIVATE KEY-----\n{body}"),
        );
        fail(
            Validator::PemPrivateKey,
            &format!("-----BEGIN PRIVATE KEY-----\n{body}<html>\n-----END PRIVATE KEY-----"),
        );
        fail(Validator::PemPrivateKey, "-----BEGIN ");
    }

    #[test]
    fn btc_address() {
        cases(
            Validator::BtcAddress,
            &[
                "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa",
                "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy",
                "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq",
                "BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4",
                "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0",
            ],
            &[
                "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb",
                "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfN0",
                "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdr",
                "tb1qw508d6qejxtdg4c5r7zhkfne2nqnughhntzz75m4",
                "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzffffff",
                "2A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa",
                "mipcBbFg9gMiCh81Kj8tqqdgoZub1ZJRfn",
            ],
        );
    }

    #[test]
    fn eth_address() {
        cases(
            Validator::EthAddress,
            &[
                "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
                "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
                "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
                "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
                "0x52908400098527886E0F7030069857D2E4169EE7",
                "0x8617e340b3d01fa5f11f306f4090fd50e238070d",
            ],
            &[
                "0x5aaeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
                "0x5AAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
                "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAe",
                "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAedd",
                "5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed00",
                "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeg",
                "0x0000000000000000000000000000000000000000",
            ],
        );
    }
}
