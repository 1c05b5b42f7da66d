//! Checksum and structural validators for candidate PII matches.
//!
//! A regular expression alone cannot tell a credit card number from an order number,
//! or an IBAN from a product code: both have the same shape. Once a detector's pattern
//! has matched, the engine hands the raw matched bytes to the [`Validator`] the rule
//! names (`validator = "luhn_card"` in the TOML rule pack, see `rules/README.md`), and
//! uses the answer to decide what to do with the candidate.
//!
//! # The `Strength` contract
//!
//! * A validator of strength [`Strength::Checksum`] that **passes** *proves* the match:
//!   the value carries a check digit / checksum (Luhn, mod-97, Verhoeff, CRC-32, …) that a
//!   random string satisfies only by chance, so the engine may raise confidence.
//! * A validator of strength [`Strength::Structural`] that **passes** only *keeps* the
//!   match: the value is well formed (ranges, reserved prefixes, calendar dates), which
//!   removes obvious false positives but proves nothing by itself.
//! * A validator that **fails**, of either strength, *drops* the candidate.
//!
//! [`Validator::check`] returns `None` for the two name validators ([`Validator::PersonName`]
//! and [`Validator::NameToken`]): the engine checks those against its name dictionary.
//!
//! # Input handling
//!
//! Input is the raw matched bytes: it may contain separators (spaces, dashes, dots), may
//! be any bytes at all (not necessarily UTF-8) and may be arbitrarily long. No validator
//! panics on any input. The digit validators are on the hot path: they reject overly
//! long input first and normalise digits into fixed-size stack buffers, without heap
//! allocation. Leading and trailing ASCII whitespace is ignored by [`Validator::check`].
//!
//! # Layout
//!
//! This file holds only the [`Strength`] type and the validator table; the table
//! generates the [`Validator`] enum, [`Validator::ALL`], the name lookup, the strengths
//! and the dispatch of [`Validator::check`]. The functions live in one file per family:
//!
//! * `checksum`: the shared algorithms (Luhn, Verhoeff, mod-97) and the generic `luhn` rule;
//! * `finance`: payment cards, IBAN, ABA routing and US bank account numbers;
//! * `national/{europe,americas,asia_pacific,africa}`: national identity and tax numbers;
//! * `health`: NHS number, ICD-10, Medicare MBI;
//! * `contact`: e-mail and phone numbers; `location`: coordinates and ZIP codes;
//! * `network`: IP and MAC addresses; `identifier`: IMEI, VIN, UUID;
//! * `secret`: tokens, API keys, PEM keys, crypto addresses;
//! * [`date`]: the crate's one calendar (also used outside validation);
//! * `normalise`: the stack-only digit and character buffers they all share.
//!
//! Adding a validator is one function in its family file and one row in the
//! `validators!` table below (plus its line in `rules/README.md`, which a test checks).

mod checksum;
mod contact;
pub mod date;
mod finance;
mod health;
mod identifier;
mod location;
mod national;
mod network;
mod normalise;
mod secret;

pub use checksum::{luhn_ok, mod97, verhoeff_ok};
pub use contact::email_ok;
pub use date::{
    calendar_date_ok, civil_from_days, date_of_birth_ok_on, days_from_civil, iso_date_ok, rfc3339,
};
pub use finance::{aba_routing_ok, card_brand_ok, iban_ok, us_bank_account_ok};
pub use health::{icd10_ok, nhs_number_ok, us_mbi_ok};
pub use identifier::vin_ok;
pub use national::africa::za_id_ok;
pub use national::americas::{br_cnpj_ok, br_cpf_ok, us_driver_license_ok};
pub use national::asia_pacific::{
    aadhaar_ok, au_medicare_ok, au_tfn_ok, cn_resident_id_ok, jp_my_number_ok, kr_rrn_ok,
    sg_nric_ok,
};
pub use national::europe::{
    be_national_number_ok, codice_fiscale_ok, de_personalausweis_ok, de_steuer_id_ok, dk_cpr_ok,
    es_dni_ok, fi_hetu_ok, fr_insee_ok, nl_bsn_ok, no_fodselsnummer_ok, pl_pesel_ok, pt_nif_ok,
    se_personnummer_ok, tr_tc_kimlik_ok,
};
pub use secret::{
    btc_address_ok, eth_address_ok, github_checksum, github_token_ok, jwt_ok, pem_private_key_ok,
};

/// How much a passing validator proves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Strength {
    /// A passing check digit or checksum proves the match.
    Checksum,
    /// A passing shape check only keeps the match; it proves nothing on its own.
    Structural,
}

/// One row of the validator table: a validator, the name rules use for it, how much a
/// pass proves, and the function that checks trimmed candidate bytes (`None` for the
/// name validators, which the engine answers from its name dictionary).
struct Row {
    validator: Validator,
    name: &'static str,
    strength: Strength,
    check: Option<fn(&[u8]) -> bool>,
}

/// Generates the [`Validator`] enum, [`Validator::ALL`] and the `TABLE` its methods read
/// from one list of rows `Variant = "rule_name", Strength, Some(family::function);`, so
/// the name, strength and function of a validator are written once, side by side.
macro_rules! validators {
    ($($(#[$doc:meta])* $variant:ident = $name:literal, $strength:ident, $check:expr;)*) => {
        /// A named validator that rules refer to, run on a candidate after its pattern matched.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Validator {
            $(
                #[doc = concat!("`", $name, "`: ")]
                $(#[$doc])*
                $variant,
            )*
        }

        impl Validator {
            /// Every validator, in table order.
            pub const ALL: &'static [Validator] = &[$(Validator::$variant),*];
        }

        /// The rows in declaration order: `TABLE[v as usize]` is the row of `v`.
        const TABLE: &[Row] = &[$(
            Row {
                validator: Validator::$variant,
                name: $name,
                strength: Strength::$strength,
                check: $check,
            },
        )*];
    };
}

validators! {
    /// payment card number, brand IIN range and length, then Luhn.
    LuhnCard = "luhn_card", Checksum, Some(finance::luhn_card_ok);
    /// Canadian Social Insurance Number, 9 digits, Luhn.
    CaSin = "ca_sin", Checksum, Some(national::americas::ca_sin_ok);
    /// mobile equipment identity, 15 digits, Luhn.
    Imei = "imei", Checksum, Some(identifier::imei_ok);
    /// US Social Security Number area/group/serial rules.
    Ssn = "ssn", Structural, Some(national::americas::ssn_ok);
    /// US Individual Taxpayer Identification Number ranges.
    Itin = "itin", Structural, Some(national::americas::itin_ok);
    /// International Bank Account Number, per-country length and mod-97.
    Iban = "iban", Checksum, Some(finance::iban_ok);
    /// US ABA bank routing number, 3-7-1 checksum.
    AbaRouting = "aba_routing", Checksum, Some(finance::aba_routing_ok);
    /// UK National Insurance number prefix and suffix rules.
    UkNino = "uk_nino", Structural, Some(national::europe::uk_nino_ok);
    /// UK NHS number, mod-11 check digit.
    NhsNumber = "nhs_number", Checksum, Some(health::nhs_number_ok);
    /// Indian Aadhaar number, Verhoeff check digit.
    Aadhaar = "aadhaar", Checksum, Some(national::asia_pacific::aadhaar_ok);
    /// Brazilian CPF, two mod-11 check digits.
    BrCpf = "br_cpf", Checksum, Some(national::americas::br_cpf_ok);
    /// Spanish DNI / NIE / K-L-M NIF check letter.
    EsDni = "es_dni", Checksum, Some(national::europe::es_dni_ok);
    /// Italian codice fiscale check character.
    ItCodiceFiscale = "it_codice_fiscale", Checksum, Some(national::europe::codice_fiscale_ok);
    /// French INSEE / NIR social security number key.
    FrInsee = "fr_insee", Checksum, Some(national::europe::fr_insee_ok);
    /// vehicle identification number check digit.
    Vin = "vin", Checksum, Some(identifier::vin_ok);
    /// dotted-quad IPv4 address.
    Ipv4 = "ipv4", Structural, Some(network::ipv4_ok);
    /// textual IPv6 address.
    Ipv6 = "ipv6", Structural, Some(network::ipv6_ok);
    /// e-mail address structure with a sane TLD.
    Email = "email", Structural, Some(contact::email_ok);
    /// North American Numbering Plan phone number.
    PhoneNanp = "phone_nanp", Structural, Some(contact::phone_nanp_ok);
    /// a NANP number by its structure alone, including the 555
    /// ranges reserved for fiction (reported at a lower confidence than a real one).
    PhoneNanpShape = "phone_nanp_shape", Structural, Some(contact::phone_nanp_shape_ok);
    /// international `+` phone number with a plausible national length.
    PhoneE164 = "phone_e164", Structural, Some(contact::phone_e164_ok);
    /// a phone number in national form with its trunk prefix
    /// (`020 7946 0958`, `06 12 34 56 78`, `030 901820`): 9–11 digits starting `0`.
    PhoneNational = "phone_national", Structural, Some(contact::phone_national_ok);
    /// 48-bit MAC address.
    MacAddress = "mac_address", Structural, Some(network::mac_address_ok);
    /// a precise latitude/longitude pair.
    LatLong = "lat_long", Structural, Some(location::lat_long_ok);
    /// calendar-valid date between 1900 and today.
    DateOfBirth = "date_of_birth", Structural, Some(date::date_of_birth_ok);
    /// JSON Web Token whose header decodes to JSON with `alg`.
    Jwt = "jwt", Checksum, Some(secret::jwt_ok);
    /// AWS access key id.
    AwsAccessKey = "aws_access_key", Structural, Some(secret::aws_access_key_ok);
    /// GitHub token with a valid CRC-32 checksum.
    GithubToken = "github_token", Checksum, Some(secret::github_token_ok);
    /// Slack token shape.
    SlackToken = "slack_token", Structural, Some(secret::slack_token_ok);
    /// Stripe secret / publishable / restricted key shape.
    StripeKey = "stripe_key", Structural, Some(secret::stripe_key_ok);
    /// Google API key shape.
    GoogleApiKey = "google_api_key", Structural, Some(secret::google_api_key_ok);
    /// a complete PEM private key block.
    PemPrivateKey = "pem_private_key", Structural, Some(secret::pem_private_key_ok);
    /// Bitcoin base58check or bech32/bech32m address.
    BtcAddress = "btc_address", Checksum, Some(secret::btc_address_ok);
    /// Ethereum address, EIP-55 checksum when mixed case.
    EthAddress = "eth_address", Checksum, Some(secret::eth_address_ok);
    /// 8-4-4-4-12 hex UUID, not nil.
    Uuid = "uuid", Structural, Some(identifier::uuid_ok);
    /// US ZIP or ZIP+4 code.
    UsZip = "us_zip", Structural, Some(location::us_zip_ok);
    /// any number of at least 8 digits passing Luhn.
    Luhn = "luhn", Checksum, Some(checksum::luhn_any_ok);
    /// German Steuer-ID (tax identification number), MOD 11,10 check digit.
    DeSteuerId = "de_steuer_id", Checksum, Some(national::europe::de_steuer_id_ok);
    /// German ID card (Personalausweis) document number, ICAO 7-3-1 check digit.
    DePersonalausweis = "de_personalausweis", Checksum, Some(national::europe::de_personalausweis_ok);
    /// Dutch BSN (burgerservicenummer), 11-proof.
    NlBsn = "nl_bsn", Checksum, Some(national::europe::nl_bsn_ok);
    /// Belgian national register number, mod-97 check (2000+ rule) and birth date.
    BeNationalNumber = "be_national_number", Checksum, Some(national::europe::be_national_number_ok);
    /// Polish PESEL, birth date with the century in the month, 1-3-7-9 check digit.
    PlPesel = "pl_pesel", Checksum, Some(national::europe::pl_pesel_ok);
    /// Swedish personnummer / samordningsnummer, birth date and Luhn.
    SePersonnummer = "se_personnummer", Checksum, Some(national::europe::se_personnummer_ok);
    /// Finnish HETU (henkilötunnus), birth date, century sign and mod-31 check character.
    FiHetu = "fi_hetu", Checksum, Some(national::europe::fi_hetu_ok);
    /// Danish CPR number, birth date with the century rule (no check digit).
    DkCpr = "dk_cpr", Structural, Some(national::europe::dk_cpr_ok);
    /// Norwegian fødselsnummer / D-number / H-number, birth date and two mod-11 check digits.
    NoFodselsnummer = "no_fodselsnummer", Checksum, Some(national::europe::no_fodselsnummer_ok);
    /// Portuguese NIF of a person, mod-11 check digit.
    PtNif = "pt_nif", Checksum, Some(national::europe::pt_nif_ok);
    /// South Korean resident registration number, birth date and gender/century digit.
    KrRrn = "kr_rrn", Structural, Some(national::asia_pacific::kr_rrn_ok);
    /// South African ID number, birth date, citizenship digit and Luhn.
    ZaId = "za_id", Checksum, Some(national::africa::za_id_ok);
    /// Turkish TC Kimlik number, its two check digits.
    TrTcKimlik = "tr_tc_kimlik", Checksum, Some(national::europe::tr_tc_kimlik_ok);
    /// Australian tax file number, weighted mod-11.
    AuTfn = "au_tfn", Checksum, Some(national::asia_pacific::au_tfn_ok);
    /// Australian Medicare card number, weighted check digit.
    AuMedicare = "au_medicare", Checksum, Some(national::asia_pacific::au_medicare_ok);
    /// Singapore NRIC / FIN, check letter per series.
    SgNric = "sg_nric", Checksum, Some(national::asia_pacific::sg_nric_ok);
    /// Chinese resident identity number, birth date and ISO 7064 MOD 11-2.
    CnResidentId = "cn_resident_id", Checksum, Some(national::asia_pacific::cn_resident_id_ok);
    /// Japanese My Number (individual number), check digit.
    JpMyNumber = "jp_my_number", Checksum, Some(national::asia_pacific::jp_my_number_ok);
    /// Brazilian CNPJ, two mod-11 check digits.
    BrCnpj = "br_cnpj", Checksum, Some(national::americas::br_cnpj_ok);
    /// US driver's licence number in one of the per-state formats.
    UsDriverLicense = "us_driver_license", Structural, Some(national::americas::us_driver_license_ok);
    /// US bank account number: 6-17 digits, not a placeholder run.
    UsBankAccount = "us_bank_account", Structural, Some(finance::us_bank_account_ok);
    /// ICD-10 diagnosis code structure (chapter letter ranges, subcategory).
    Icd10 = "icd10", Structural, Some(health::icd10_ok);
    /// US Medicare Beneficiary Identifier positional format.
    UsMbi = "us_mbi", Structural, Some(health::us_mbi_ok);
    /// "First Last", checked by the engine against its name dictionary.
    PersonName = "person_name", Structural, None;
    /// one name word, checked by the engine against its name dictionary.
    NameToken = "name_token", Structural, None;
    /// an account name made from a person's name (`jsmith`), checked by the engine
    /// against its name dictionary.
    AccountName = "account_name", Structural, None;
}

impl Validator {
    /// This validator's row of the table.
    fn row(self) -> &'static Row {
        // The enum and the table are generated from the same rows, in the same order.
        &TABLE[self as usize]
    }

    /// Looks a validator up by its snake_case rule name (as in `rules/README.md`).
    pub fn from_name(name: &str) -> Option<Validator> {
        TABLE
            .iter()
            .find(|row| row.name == name)
            .map(|row| row.validator)
    }

    /// The snake_case name rules use for this validator.
    pub fn name(self) -> &'static str {
        self.row().name
    }

    /// How much a pass of this validator proves (the README's strength column).
    pub fn strength(self) -> Strength {
        self.row().strength
    }

    /// Runs the validator on raw matched bytes: `None` for the name validators, else `Some(pass)`.
    pub fn check(self, candidate: &[u8]) -> Option<bool> {
        let check = self.row().check?;
        Some(check(candidate.trim_ascii()))
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Asserts `v` passes `s`.
    pub(crate) fn pass(v: Validator, s: &str) {
        assert_eq!(
            v.check(s.as_bytes()),
            Some(true),
            "{} should pass {s:?}",
            v.name()
        );
    }

    /// Asserts `v` fails `s`.
    pub(crate) fn fail(v: Validator, s: &str) {
        assert_eq!(
            v.check(s.as_bytes()),
            Some(false),
            "{} should fail {s:?}",
            v.name()
        );
    }

    /// Asserts `v` passes every `good` and fails every `bad` candidate.
    pub(crate) fn cases(v: Validator, good: &[&str], bad: &[&str]) {
        for s in good {
            pass(v, s);
        }
        for s in bad {
            fail(v, s);
        }
    }

    #[test]
    fn table_rows_follow_the_enum() {
        assert_eq!(TABLE.len(), Validator::ALL.len());
        for (i, row) in TABLE.iter().enumerate() {
            assert_eq!(
                row.validator as usize, i,
                "row {i} ({}) out of order",
                row.name
            );
            assert_eq!(Validator::ALL.get(i), Some(&row.validator));
            assert_eq!(row.validator.name(), row.name);
            assert_eq!(row.validator.strength(), row.strength);
            assert_eq!(row.check.is_none(), row.validator.check(b"x").is_none());
            assert!(
                !row.name.is_empty()
                    && row
                        .name
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'),
                "{:?} is not a snake_case rule name",
                row.name
            );
            let same_name = TABLE.iter().filter(|r| r.name == row.name).count();
            assert_eq!(
                same_name, 1,
                "{} is in the table {same_name} times",
                row.name
            );
        }
    }

    /// The `validator = "…"` names of every detector in the built-in pack.
    fn rule_pack_validator_names() -> Vec<(String, String)> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("rules/detectors");
        let mut names = Vec::new();
        for entry in std::fs::read_dir(&dir).expect("rules/detectors is readable") {
            let path = entry.expect("directory entry").path();
            if path.extension().and_then(|e| e.to_str()) != Some("toml") {
                continue;
            }
            let text = std::fs::read_to_string(&path).expect("detector file is readable");
            let table: toml::Table = text.parse().expect("detector file is TOML");
            let detectors = table.get("detector").and_then(|d| d.as_array());
            for det in detectors.into_iter().flatten() {
                if let Some(name) = det.get("validator").and_then(|v| v.as_str()) {
                    let id = det.get("id").and_then(|v| v.as_str()).unwrap_or("?");
                    names.push((format!("{}:{id}", path.display()), name.to_string()));
                }
            }
        }
        names
    }

    #[test]
    fn every_validator_the_rules_name_is_in_the_table() {
        let used = rule_pack_validator_names();
        // The pack names dozens of validators; an empty list means the walk is broken.
        assert!(used.len() >= 40, "only {} validator uses found", used.len());
        for (detector, name) in &used {
            assert!(
                Validator::from_name(name).is_some(),
                "{detector} names unknown validator {name:?}"
            );
        }
    }

    #[test]
    fn readme_lists_every_validator_with_its_strength() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("rules/README.md");
        let readme = std::fs::read_to_string(path).expect("rules/README.md is readable");
        let section = readme
            .split("### Validators")
            .nth(1)
            .and_then(|s| s.split("\n#").next())
            .expect("rules/README.md has a Validators section");
        let mut listed = Vec::new();
        for line in section.lines() {
            let cells: Vec<&str> = line.split('|').map(str::trim).collect();
            let last = cells.len().checked_sub(2).and_then(|i| cells.get(i));
            let (Some(name), Some(strength)) = (cells.get(1), last) else {
                continue;
            };
            let Some(name) = name.strip_prefix('`').and_then(|n| n.strip_suffix('`')) else {
                continue;
            };
            let v = Validator::from_name(name)
                .unwrap_or_else(|| panic!("README lists unknown validator {name:?}"));
            let expected = match v.strength() {
                Strength::Checksum => "checksum",
                Strength::Structural => "structural",
            };
            assert_eq!(*strength, expected, "README strength of {name}");
            listed.push(v);
        }
        for &v in Validator::ALL {
            let times = listed.iter().filter(|&&l| l == v).count();
            assert_eq!(times, 1, "README lists {} {times} times", v.name());
        }
    }

    #[test]
    fn names_round_trip() {
        assert_eq!(Validator::ALL.len(), 63);
        for &v in Validator::ALL {
            assert_eq!(Validator::from_name(v.name()), Some(v));
        }
        assert_eq!(Validator::from_name("luhn_card"), Some(Validator::LuhnCard));
        assert_eq!(
            Validator::from_name("it_codice_fiscale"),
            Some(Validator::ItCodiceFiscale)
        );
        assert_eq!(
            Validator::from_name("person_name"),
            Some(Validator::PersonName)
        );
        assert_eq!(
            Validator::from_name("name_token"),
            Some(Validator::NameToken)
        );
        assert_eq!(Validator::from_name("LuhnCard"), None);
        assert_eq!(Validator::from_name(""), None);
    }

    #[test]
    fn strengths_follow_readme() {
        assert_eq!(Validator::LuhnCard.strength(), Strength::Checksum);
        assert_eq!(Validator::Jwt.strength(), Strength::Checksum);
        assert_eq!(Validator::EthAddress.strength(), Strength::Checksum);
        assert_eq!(Validator::Ssn.strength(), Strength::Structural);
        assert_eq!(Validator::PemPrivateKey.strength(), Strength::Structural);
        assert_eq!(Validator::PersonName.strength(), Strength::Structural);
        let checksums = Validator::ALL
            .iter()
            .filter(|v| v.strength() == Strength::Checksum)
            .count();
        assert_eq!(checksums, 34);
    }

    #[test]
    fn name_validators_defer_to_engine() {
        assert_eq!(Validator::PersonName.check(b"John Smith"), None);
        assert_eq!(Validator::NameToken.check(b"Smith"), None);
        assert_eq!(Validator::AccountName.check(b"jsmith"), None);
        for &v in Validator::ALL {
            if !matches!(
                v,
                Validator::PersonName | Validator::NameToken | Validator::AccountName
            ) {
                assert!(v.check(b"x").is_some(), "{}", v.name());
            }
        }
    }

    /// A tiny deterministic PRNG so the garbage test needs no extra crate.
    struct XorShift(u64);
    impl XorShift {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
    }

    #[test]
    fn never_panics_on_garbage() {
        let huge_digits = vec![b'1'; 1 << 20];
        let huge_mixed: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
        let mut huge_pem = b"-----BEGIN PRIVATE KEY-----\n".to_vec();
        huge_pem.extend_from_slice(&[b'A'; 100_000]);
        huge_pem.extend_from_slice(b"\n-----END PRIVATE KEY-----");
        let fixed: Vec<&[u8]> = vec![
            b"",
            b" ",
            b"-",
            b".",
            b":",
            b"::",
            b"@",
            b"+",
            b",",
            b"/",
            b"--",
            b"...",
            b"0",
            b"2A",
            b"\xff\xfe\xfd",
            b"\xc3\x28",
            b"\0\0\0",
            b"\xe2\x82\xac1234\xe2\x82\xac",
            b"4242\xff4242",
            b"-----BEGIN ",
            b"-----BEGIN PRIVATE KEY-----",
            b"-----BEGIN PRIVATE KEY----------END PRIVATE KEY-----",
            b"-----BEGIN -----END -----",
            b"xox",
            b"xoxb-",
            b"ghp_",
            b"github_pat_",
            b"0x",
            b"bc1",
            b"BC1\xff",
            b"1",
            b"3",
            b"a.b.c",
            b"...",
            b"=.=.=",
            b"e30.e30.",
            b"1.2.3.4.5.6.7.8.9",
            b"99999999999999999999999999999999999999999999",
            b"9999-99-99",
            b"99/99/9999",
            b"4294967296.4294967296",
            b"999.99999999, 999.99999999",
            b"-.0000,-.0000",
            b"1e400.0000, 1.0000",
            b"+",
            b"+1",
            b"+999999999999999999999",
            b"(((())))",
            b"AIza",
            b"AKIA",
            b"sk_live_",
            &huge_digits,
            &huge_mixed,
            &huge_pem,
        ];
        for &v in Validator::ALL {
            for input in &fixed {
                let _ = v.check(input);
            }
        }
        assert_eq!(Validator::Luhn.check(&huge_digits), Some(false));
        assert_eq!(Validator::PemPrivateKey.check(&huge_pem), Some(false));

        // Random short strings over an alphabet rich in separators and digits.
        const ALPHABET: &[u8] = b"0123456789 -./:@+,()=_xXaAbBcCfFgG2\xff\n\\";
        let mut rng = XorShift(0x9E37_79B9_7F4A_7C15);
        let mut buf = Vec::with_capacity(64);
        for _ in 0..20_000 {
            buf.clear();
            let len = (rng.next() % 48) as usize;
            for _ in 0..len {
                buf.push(ALPHABET[(rng.next() % ALPHABET.len() as u64) as usize]);
            }
            for &v in Validator::ALL {
                let _ = v.check(&buf);
            }
        }
    }
}
