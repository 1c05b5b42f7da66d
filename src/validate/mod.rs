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
//! National identity and tax numbers beyond the US/UK core (Steuer-ID, BSN, PESEL, HETU,
//! NRIC, My Number, …) and the US driver's-licence and bank-account shapes live in the
//! `national` submodule, ICD-10 and the Medicare MBI in `health`; their functions are
//! re-exported here.

use std::net::Ipv6Addr;
use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use sha3::{Digest, Keccak256};

mod health;
mod national;

pub use health::{icd10_ok, us_mbi_ok};
pub use national::{
    au_medicare_ok, au_tfn_ok, be_national_number_ok, br_cnpj_ok, cn_resident_id_ok,
    de_personalausweis_ok, de_steuer_id_ok, dk_cpr_ok, fi_hetu_ok, jp_my_number_ok, kr_rrn_ok,
    nl_bsn_ok, no_fodselsnummer_ok, pl_pesel_ok, pt_nif_ok, se_personnummer_ok, sg_nric_ok,
    tr_tc_kimlik_ok, us_bank_account_ok, us_driver_license_ok, za_id_ok,
};

/// How much a passing validator proves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Strength {
    /// A passing check digit or checksum proves the match.
    Checksum,
    /// A passing shape check only keeps the match; it proves nothing on its own.
    Structural,
}

/// A named validator that rules refer to, run on a candidate after its pattern matched.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Validator {
    /// `luhn_card`: payment card number, brand IIN range and length, then Luhn.
    LuhnCard,
    /// `ca_sin`: Canadian Social Insurance Number, 9 digits, Luhn.
    CaSin,
    /// `imei`: mobile equipment identity, 15 digits, Luhn.
    Imei,
    /// `ssn`: US Social Security Number area/group/serial rules.
    Ssn,
    /// `itin`: US Individual Taxpayer Identification Number ranges.
    Itin,
    /// `iban`: International Bank Account Number, per-country length and mod-97.
    Iban,
    /// `aba_routing`: US ABA bank routing number, 3-7-1 checksum.
    AbaRouting,
    /// `uk_nino`: UK National Insurance number prefix and suffix rules.
    UkNino,
    /// `nhs_number`: UK NHS number, mod-11 check digit.
    NhsNumber,
    /// `aadhaar`: Indian Aadhaar number, Verhoeff check digit.
    Aadhaar,
    /// `br_cpf`: Brazilian CPF, two mod-11 check digits.
    BrCpf,
    /// `es_dni`: Spanish DNI / NIE / K-L-M NIF check letter.
    EsDni,
    /// `it_codice_fiscale`: Italian codice fiscale check character.
    ItCodiceFiscale,
    /// `fr_insee`: French INSEE / NIR social security number key.
    FrInsee,
    /// `vin`: vehicle identification number check digit.
    Vin,
    /// `ipv4`: dotted-quad IPv4 address.
    Ipv4,
    /// `ipv6`: textual IPv6 address.
    Ipv6,
    /// `email`: e-mail address structure with a sane TLD.
    Email,
    /// `phone_nanp`: North American Numbering Plan phone number.
    PhoneNanp,
    /// `phone_nanp_shape`: a NANP number by its structure alone, including the 555
    /// ranges reserved for fiction (reported at a lower confidence than a real one).
    PhoneNanpShape,
    /// `phone_e164`: international `+` phone number with a plausible national length.
    PhoneE164,
    /// `phone_national`: a phone number in national form with its trunk prefix
    /// (`020 7946 0958`, `06 12 34 56 78`, `030 901820`): 9–11 digits starting `0`.
    PhoneNational,
    /// `mac_address`: 48-bit MAC address.
    MacAddress,
    /// `lat_long`: a precise latitude/longitude pair.
    LatLong,
    /// `date_of_birth`: calendar-valid date between 1900 and today.
    DateOfBirth,
    /// `jwt`: JSON Web Token whose header decodes to JSON with `alg`.
    Jwt,
    /// `aws_access_key`: AWS access key id.
    AwsAccessKey,
    /// `github_token`: GitHub token with a valid CRC-32 checksum.
    GithubToken,
    /// `slack_token`: Slack token shape.
    SlackToken,
    /// `stripe_key`: Stripe secret / publishable / restricted key shape.
    StripeKey,
    /// `google_api_key`: Google API key shape.
    GoogleApiKey,
    /// `pem_private_key`: a complete PEM private key block.
    PemPrivateKey,
    /// `btc_address`: Bitcoin base58check or bech32/bech32m address.
    BtcAddress,
    /// `eth_address`: Ethereum address, EIP-55 checksum when mixed case.
    EthAddress,
    /// `uuid`: 8-4-4-4-12 hex UUID, not nil.
    Uuid,
    /// `us_zip`: US ZIP or ZIP+4 code.
    UsZip,
    /// `luhn`: any number of at least 8 digits passing Luhn.
    Luhn,
    /// `de_steuer_id`: German Steuer-ID (tax identification number), MOD 11,10 check digit.
    DeSteuerId,
    /// `de_personalausweis`: German ID card (Personalausweis) document number, ICAO 7-3-1 check digit.
    DePersonalausweis,
    /// `nl_bsn`: Dutch BSN (burgerservicenummer), 11-proof.
    NlBsn,
    /// `be_national_number`: Belgian national register number, mod-97 check (2000+ rule) and birth date.
    BeNationalNumber,
    /// `pl_pesel`: Polish PESEL, birth date with the century in the month, 1-3-7-9 check digit.
    PlPesel,
    /// `se_personnummer`: Swedish personnummer / samordningsnummer, birth date and Luhn.
    SePersonnummer,
    /// `fi_hetu`: Finnish HETU (henkilötunnus), birth date, century sign and mod-31 check character.
    FiHetu,
    /// `dk_cpr`: Danish CPR number, birth date with the century rule (no check digit).
    DkCpr,
    /// `no_fodselsnummer`: Norwegian fødselsnummer / D-number / H-number, birth date and two mod-11 check digits.
    NoFodselsnummer,
    /// `pt_nif`: Portuguese NIF of a person, mod-11 check digit.
    PtNif,
    /// `kr_rrn`: South Korean resident registration number, birth date and gender/century digit.
    KrRrn,
    /// `za_id`: South African ID number, birth date, citizenship digit and Luhn.
    ZaId,
    /// `tr_tc_kimlik`: Turkish TC Kimlik number, its two check digits.
    TrTcKimlik,
    /// `au_tfn`: Australian tax file number, weighted mod-11.
    AuTfn,
    /// `au_medicare`: Australian Medicare card number, weighted check digit.
    AuMedicare,
    /// `sg_nric`: Singapore NRIC / FIN, check letter per series.
    SgNric,
    /// `cn_resident_id`: Chinese resident identity number, birth date and ISO 7064 MOD 11-2.
    CnResidentId,
    /// `jp_my_number`: Japanese My Number (individual number), check digit.
    JpMyNumber,
    /// `br_cnpj`: Brazilian CNPJ, two mod-11 check digits.
    BrCnpj,
    /// `us_driver_license`: US driver's licence number in one of the per-state formats.
    UsDriverLicense,
    /// `us_bank_account`: US bank account number: 6-17 digits, not a placeholder run.
    UsBankAccount,
    /// `icd10`: ICD-10 diagnosis code structure (chapter letter ranges, subcategory).
    Icd10,
    /// `us_mbi`: US Medicare Beneficiary Identifier positional format.
    UsMbi,
    /// `person_name`: "First Last", checked by the engine against its name dictionary.
    PersonName,
    /// `name_token`: one name word, checked by the engine against its name dictionary.
    NameToken,
}

impl Validator {
    /// Every validator, in declaration order.
    pub const ALL: &'static [Validator] = &[
        Validator::LuhnCard,
        Validator::CaSin,
        Validator::Imei,
        Validator::Ssn,
        Validator::Itin,
        Validator::Iban,
        Validator::AbaRouting,
        Validator::UkNino,
        Validator::NhsNumber,
        Validator::Aadhaar,
        Validator::BrCpf,
        Validator::EsDni,
        Validator::ItCodiceFiscale,
        Validator::FrInsee,
        Validator::Vin,
        Validator::Ipv4,
        Validator::Ipv6,
        Validator::Email,
        Validator::PhoneNanp,
        Validator::PhoneNanpShape,
        Validator::PhoneE164,
        Validator::PhoneNational,
        Validator::MacAddress,
        Validator::LatLong,
        Validator::DateOfBirth,
        Validator::Jwt,
        Validator::AwsAccessKey,
        Validator::GithubToken,
        Validator::SlackToken,
        Validator::StripeKey,
        Validator::GoogleApiKey,
        Validator::PemPrivateKey,
        Validator::BtcAddress,
        Validator::EthAddress,
        Validator::Uuid,
        Validator::UsZip,
        Validator::Luhn,
        Validator::DeSteuerId,
        Validator::DePersonalausweis,
        Validator::NlBsn,
        Validator::BeNationalNumber,
        Validator::PlPesel,
        Validator::SePersonnummer,
        Validator::FiHetu,
        Validator::DkCpr,
        Validator::NoFodselsnummer,
        Validator::PtNif,
        Validator::KrRrn,
        Validator::ZaId,
        Validator::TrTcKimlik,
        Validator::AuTfn,
        Validator::AuMedicare,
        Validator::SgNric,
        Validator::CnResidentId,
        Validator::JpMyNumber,
        Validator::BrCnpj,
        Validator::UsDriverLicense,
        Validator::UsBankAccount,
        Validator::Icd10,
        Validator::UsMbi,
        Validator::PersonName,
        Validator::NameToken,
    ];

    /// Looks a validator up by its snake_case rule name (as in `rules/README.md`).
    pub fn from_name(name: &str) -> Option<Validator> {
        Validator::ALL.iter().copied().find(|v| v.name() == name)
    }

    /// The snake_case name rules use for this validator.
    pub fn name(self) -> &'static str {
        match self {
            Validator::LuhnCard => "luhn_card",
            Validator::CaSin => "ca_sin",
            Validator::Imei => "imei",
            Validator::Ssn => "ssn",
            Validator::Itin => "itin",
            Validator::Iban => "iban",
            Validator::AbaRouting => "aba_routing",
            Validator::UkNino => "uk_nino",
            Validator::NhsNumber => "nhs_number",
            Validator::Aadhaar => "aadhaar",
            Validator::BrCpf => "br_cpf",
            Validator::EsDni => "es_dni",
            Validator::ItCodiceFiscale => "it_codice_fiscale",
            Validator::FrInsee => "fr_insee",
            Validator::Vin => "vin",
            Validator::Ipv4 => "ipv4",
            Validator::Ipv6 => "ipv6",
            Validator::Email => "email",
            Validator::PhoneNanp => "phone_nanp",
            Validator::PhoneNanpShape => "phone_nanp_shape",
            Validator::PhoneNational => "phone_national",
            Validator::PhoneE164 => "phone_e164",
            Validator::MacAddress => "mac_address",
            Validator::LatLong => "lat_long",
            Validator::DateOfBirth => "date_of_birth",
            Validator::Jwt => "jwt",
            Validator::AwsAccessKey => "aws_access_key",
            Validator::GithubToken => "github_token",
            Validator::SlackToken => "slack_token",
            Validator::StripeKey => "stripe_key",
            Validator::GoogleApiKey => "google_api_key",
            Validator::PemPrivateKey => "pem_private_key",
            Validator::BtcAddress => "btc_address",
            Validator::EthAddress => "eth_address",
            Validator::Uuid => "uuid",
            Validator::UsZip => "us_zip",
            Validator::Luhn => "luhn",
            Validator::DeSteuerId => "de_steuer_id",
            Validator::DePersonalausweis => "de_personalausweis",
            Validator::NlBsn => "nl_bsn",
            Validator::BeNationalNumber => "be_national_number",
            Validator::PlPesel => "pl_pesel",
            Validator::SePersonnummer => "se_personnummer",
            Validator::FiHetu => "fi_hetu",
            Validator::DkCpr => "dk_cpr",
            Validator::NoFodselsnummer => "no_fodselsnummer",
            Validator::PtNif => "pt_nif",
            Validator::KrRrn => "kr_rrn",
            Validator::ZaId => "za_id",
            Validator::TrTcKimlik => "tr_tc_kimlik",
            Validator::AuTfn => "au_tfn",
            Validator::AuMedicare => "au_medicare",
            Validator::SgNric => "sg_nric",
            Validator::CnResidentId => "cn_resident_id",
            Validator::JpMyNumber => "jp_my_number",
            Validator::BrCnpj => "br_cnpj",
            Validator::UsDriverLicense => "us_driver_license",
            Validator::UsBankAccount => "us_bank_account",
            Validator::Icd10 => "icd10",
            Validator::UsMbi => "us_mbi",
            Validator::PersonName => "person_name",
            Validator::NameToken => "name_token",
        }
    }

    /// How much a pass of this validator proves (the README's strength column).
    pub fn strength(self) -> Strength {
        match self {
            Validator::LuhnCard
            | Validator::CaSin
            | Validator::Imei
            | Validator::Iban
            | Validator::AbaRouting
            | Validator::NhsNumber
            | Validator::Aadhaar
            | Validator::BrCpf
            | Validator::EsDni
            | Validator::ItCodiceFiscale
            | Validator::FrInsee
            | Validator::Vin
            | Validator::Jwt
            | Validator::GithubToken
            | Validator::BtcAddress
            | Validator::EthAddress
            | Validator::Luhn
            | Validator::DeSteuerId
            | Validator::DePersonalausweis
            | Validator::NlBsn
            | Validator::BeNationalNumber
            | Validator::PlPesel
            | Validator::SePersonnummer
            | Validator::FiHetu
            | Validator::NoFodselsnummer
            | Validator::PtNif
            | Validator::ZaId
            | Validator::TrTcKimlik
            | Validator::AuTfn
            | Validator::AuMedicare
            | Validator::SgNric
            | Validator::CnResidentId
            | Validator::JpMyNumber
            | Validator::BrCnpj => Strength::Checksum,
            Validator::Ssn
            | Validator::Itin
            | Validator::UkNino
            | Validator::Ipv4
            | Validator::Ipv6
            | Validator::Email
            | Validator::PhoneNanp
            | Validator::PhoneNanpShape
            | Validator::PhoneNational
            | Validator::PhoneE164
            | Validator::MacAddress
            | Validator::LatLong
            | Validator::DateOfBirth
            | Validator::AwsAccessKey
            | Validator::SlackToken
            | Validator::StripeKey
            | Validator::GoogleApiKey
            | Validator::PemPrivateKey
            | Validator::Uuid
            | Validator::UsZip
            | Validator::PersonName
            | Validator::NameToken
            | Validator::DkCpr
            | Validator::KrRrn
            | Validator::UsDriverLicense
            | Validator::UsBankAccount
            | Validator::Icd10
            | Validator::UsMbi => Strength::Structural,
        }
    }

    /// Runs the validator on raw matched bytes: `None` for the name validators, else `Some(pass)`.
    pub fn check(self, candidate: &[u8]) -> Option<bool> {
        let c = candidate.trim_ascii();
        Some(match self {
            Validator::PersonName | Validator::NameToken => return None,
            Validator::LuhnCard => luhn_card_ok(c),
            Validator::CaSin => ca_sin_ok(c),
            Validator::Imei => imei_ok(c),
            Validator::Ssn => ssn_ok(c),
            Validator::Itin => itin_ok(c),
            Validator::Iban => iban_ok(c),
            Validator::AbaRouting => aba_routing_ok(c),
            Validator::UkNino => uk_nino_ok(c),
            Validator::NhsNumber => nhs_number_ok(c),
            Validator::Aadhaar => aadhaar_ok(c),
            Validator::BrCpf => br_cpf_ok(c),
            Validator::EsDni => es_dni_ok(c),
            Validator::ItCodiceFiscale => codice_fiscale_ok(c),
            Validator::FrInsee => fr_insee_ok(c),
            Validator::Vin => vin_ok(c),
            Validator::Ipv4 => ipv4_ok(c),
            Validator::Ipv6 => ipv6_ok(c),
            Validator::Email => email_ok(c),
            Validator::PhoneNanp => phone_nanp_ok(c, false),
            Validator::PhoneNanpShape => phone_nanp_ok(c, true),
            Validator::PhoneNational => phone_national_ok(c),
            Validator::PhoneE164 => phone_e164_ok(c),
            Validator::MacAddress => mac_address_ok(c),
            Validator::LatLong => lat_long_ok(c),
            Validator::DateOfBirth => date_of_birth_ok(c),
            Validator::Jwt => jwt_ok(c),
            Validator::AwsAccessKey => aws_access_key_ok(c),
            Validator::GithubToken => github_token_ok(c),
            Validator::SlackToken => slack_token_ok(c),
            Validator::StripeKey => stripe_key_ok(c),
            Validator::GoogleApiKey => google_api_key_ok(c),
            Validator::PemPrivateKey => pem_private_key_ok(c),
            Validator::BtcAddress => btc_address_ok(c),
            Validator::EthAddress => eth_address_ok(c),
            Validator::Uuid => uuid_ok(c),
            Validator::UsZip => us_zip_ok(c),
            Validator::Luhn => luhn_any_ok(c),
            Validator::DeSteuerId => national::de_steuer_id_ok(c),
            Validator::DePersonalausweis => national::de_personalausweis_ok(c),
            Validator::NlBsn => national::nl_bsn_ok(c),
            Validator::BeNationalNumber => national::be_national_number_ok(c),
            Validator::PlPesel => national::pl_pesel_ok(c),
            Validator::SePersonnummer => national::se_personnummer_ok(c),
            Validator::FiHetu => national::fi_hetu_ok(c),
            Validator::DkCpr => national::dk_cpr_ok(c),
            Validator::NoFodselsnummer => national::no_fodselsnummer_ok(c),
            Validator::PtNif => national::pt_nif_ok(c),
            Validator::KrRrn => national::kr_rrn_ok(c),
            Validator::ZaId => national::za_id_ok(c),
            Validator::TrTcKimlik => national::tr_tc_kimlik_ok(c),
            Validator::AuTfn => national::au_tfn_ok(c),
            Validator::AuMedicare => national::au_medicare_ok(c),
            Validator::SgNric => national::sg_nric_ok(c),
            Validator::CnResidentId => national::cn_resident_id_ok(c),
            Validator::JpMyNumber => national::jp_my_number_ok(c),
            Validator::BrCnpj => national::br_cnpj_ok(c),
            Validator::UsDriverLicense => national::us_driver_license_ok(c),
            Validator::UsBankAccount => national::us_bank_account_ok(c),
            Validator::Icd10 => health::icd10_ok(c),
            Validator::UsMbi => health::us_mbi_ok(c),
        })
    }
}

// ---------------------------------------------------------------------------------------
// Normalisation helpers (stack only)
// ---------------------------------------------------------------------------------------

/// Separators accepted between the digits of most numeric identifiers.
const SPACE_DASH: &[u8] = b" -";

/// A fixed-capacity buffer of normalised characters; `len <= N` always holds.
struct Buf<const N: usize> {
    bytes: [u8; N],
    len: usize,
}

impl<const N: usize> Buf<N> {
    /// The filled part of the buffer.
    fn as_slice(&self) -> &[u8] {
        self.bytes.get(..self.len).unwrap_or(&[])
    }
}

/// Collects the characters of `input` skipping bytes in `seps`: ASCII digits only, or
/// (with `alnum`) ASCII letters and digits upper-cased. `None` on any other byte or when
/// more than `N` characters would be collected.
fn gather<const N: usize>(input: &[u8], seps: &[u8], alnum: bool) -> Option<Buf<N>> {
    // Early reject: even with a separator between every character it cannot fit.
    if input.len() > N.saturating_mul(3).saturating_add(8) {
        return None;
    }
    let mut buf = Buf {
        bytes: [0u8; N],
        len: 0,
    };
    for &b in input {
        let keep = b.is_ascii_digit() || (alnum && b.is_ascii_alphabetic());
        if keep {
            *buf.bytes.get_mut(buf.len)? = b.to_ascii_uppercase();
            buf.len += 1;
        } else if !seps.contains(&b) {
            return None;
        }
    }
    Some(buf)
}

/// Exactly `N` ASCII digits from `input` (separators in `seps` skipped), else `None`.
fn exact_digits<const N: usize>(input: &[u8], seps: &[u8]) -> Option<[u8; N]> {
    let buf = gather::<N>(input, seps, false)?;
    (buf.len == N).then_some(buf.bytes)
}

/// Exactly `N` upper-cased ASCII alphanumerics from `input`, else `None`.
fn exact_alnum<const N: usize>(input: &[u8], seps: &[u8]) -> Option<[u8; N]> {
    let buf = gather::<N>(input, seps, true)?;
    (buf.len == N).then_some(buf.bytes)
}

/// The value of a short run of ASCII digits (callers pass at most 9 digits).
fn num(digits: &[u8]) -> u32 {
    digits.iter().fold(0u32, |acc, &b| {
        acc.wrapping_mul(10)
            .wrapping_add(u32::from(b.wrapping_sub(b'0')))
    })
}

/// The value of one ASCII digit (callers have checked it is a digit).
fn dv(b: u8) -> u32 {
    u32::from(b.wrapping_sub(b'0'))
}

/// True when every byte equals the first (placeholders like 0000 or 1111-1111).
fn all_same(bytes: &[u8]) -> bool {
    match bytes.first() {
        Some(first) => bytes.iter().all(|b| b == first),
        None => true,
    }
}

/// The value of one hex digit.
fn hex_val(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// First position of `needle` (non-empty) in `haystack`.
fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() {
        return Some(0);
    }
    haystack.windows(needle.len()).position(|w| w == needle)
}

// ---------------------------------------------------------------------------------------
// Check-digit algorithms
// ---------------------------------------------------------------------------------------

/// Luhn (mod-10) over plain ASCII digits: shared by cards, SIN, IMEI and the generic `luhn` rule.
pub fn luhn_ok(digits: &[u8]) -> bool {
    if digits.is_empty() {
        return false;
    }
    let mut sum = 0u32;
    for (i, &b) in digits.iter().rev().enumerate() {
        if !b.is_ascii_digit() {
            return false;
        }
        let mut d = dv(b);
        if i % 2 == 1 {
            d *= 2;
            if d > 9 {
                d -= 9;
            }
        }
        sum = (sum + d) % 10;
    }
    sum == 0
}

/// Card brand IIN ranges and lengths (ASCII digits): 1 in 10 numbers pass Luhn; this drops most.
pub fn card_brand_ok(digits: &[u8]) -> bool {
    let len = digits.len();
    if !(12..=19).contains(&len) || !digits.iter().all(u8::is_ascii_digit) {
        return false;
    }
    let prefix = |n: usize| num(digits.get(..n).unwrap_or(&[]));
    let (p1, p2, p3, p4) = (prefix(1), prefix(2), prefix(3), prefix(4));
    let visa = p1 == 4 && matches!(len, 13 | 16 | 19);
    let mastercard = ((51..=55).contains(&p2) || (2221..=2720).contains(&p4)) && len == 16;
    let amex = matches!(p2, 34 | 37) && len == 15;
    let discover =
        (p4 == 6011 || (644..=649).contains(&p3) || p2 == 65) && (16..=19).contains(&len);
    let jcb = (3528..=3589).contains(&p4) && (16..=19).contains(&len);
    let diners = ((300..=305).contains(&p3) || p2 == 36 || (38..=39).contains(&p2))
        && (14..=19).contains(&len);
    let unionpay = p2 == 62 && (16..=19).contains(&len);
    let maestro = (p2 == 50 || (56..=69).contains(&p2)) && (12..=19).contains(&len);
    visa || mastercard || amex || discover || jcb || diners || unionpay || maestro
}

/// Verhoeff dihedral-group multiplication table.
const VERHOEFF_D: [[u8; 10]; 10] = [
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    [1, 2, 3, 4, 0, 6, 7, 8, 9, 5],
    [2, 3, 4, 0, 1, 7, 8, 9, 5, 6],
    [3, 4, 0, 1, 2, 8, 9, 5, 6, 7],
    [4, 0, 1, 2, 3, 9, 5, 6, 7, 8],
    [5, 9, 8, 7, 6, 0, 4, 3, 2, 1],
    [6, 5, 9, 8, 7, 1, 0, 4, 3, 2],
    [7, 6, 5, 9, 8, 2, 1, 0, 4, 3],
    [8, 7, 6, 5, 9, 3, 2, 1, 0, 4],
    [9, 8, 7, 6, 5, 4, 3, 2, 1, 0],
];

/// Verhoeff position permutation table.
const VERHOEFF_P: [[u8; 10]; 8] = [
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    [1, 5, 7, 6, 2, 8, 3, 0, 9, 4],
    [5, 8, 0, 3, 7, 9, 6, 1, 4, 2],
    [8, 9, 1, 6, 0, 4, 3, 5, 2, 7],
    [9, 4, 5, 3, 1, 2, 6, 8, 7, 0],
    [4, 2, 8, 6, 5, 7, 3, 9, 0, 1],
    [2, 7, 9, 3, 8, 0, 6, 4, 1, 5],
    [7, 0, 4, 6, 9, 1, 3, 2, 5, 8],
];

/// Verhoeff over ASCII digits (check digit last): Aadhaar's check, catching all transpositions.
pub fn verhoeff_ok(digits: &[u8]) -> bool {
    if digits.is_empty() {
        return false;
    }
    let mut c = 0usize;
    for (i, &b) in digits.iter().rev().enumerate() {
        if !b.is_ascii_digit() {
            return false;
        }
        let p = VERHOEFF_P[i % 8][usize::from(b - b'0')];
        c = usize::from(VERHOEFF_D[c][usize::from(p)]);
    }
    c == 0
}

/// ISO 7064 mod-97 of upper-case alphanumerics (A=10…Z=35), piecewise: IBANs need no big integers.
pub fn mod97<'a>(chars: impl IntoIterator<Item = &'a u8>) -> Option<u32> {
    let mut rem = 0u32;
    for &b in chars {
        rem = match b {
            b'0'..=b'9' => (rem * 10 + dv(b)) % 97,
            b'A'..=b'Z' => (rem * 100 + u32::from(b - b'A') + 10) % 97,
            _ => return None,
        };
    }
    Some(rem)
}

// ---------------------------------------------------------------------------------------
// Numeric identifiers
// ---------------------------------------------------------------------------------------

/// Payment card: brand IIN/length, not a placeholder, then Luhn.
fn luhn_card_ok(c: &[u8]) -> bool {
    let Some(buf) = gather::<19>(c, SPACE_DASH, false) else {
        return false;
    };
    let d = buf.as_slice();
    card_brand_ok(d) && !all_same(d) && luhn_ok(d)
}

/// Canadian SIN: 9 digits, first not 0 (unassigned) or 8 (business numbers), Luhn.
fn ca_sin_ok(c: &[u8]) -> bool {
    let Some(d) = exact_digits::<9>(c, SPACE_DASH) else {
        return false;
    };
    !matches!(d[0], b'0' | b'8') && !all_same(&d) && luhn_ok(&d)
}

/// IMEI: 15 digits, Luhn.
fn imei_ok(c: &[u8]) -> bool {
    let Some(d) = exact_digits::<15>(c, SPACE_DASH) else {
        return false;
    };
    !all_same(&d) && luhn_ok(&d)
}

/// US SSN: structural area/group/serial rules and known sample numbers.
fn ssn_ok(c: &[u8]) -> bool {
    let Some(d) = exact_digits::<9>(c, SPACE_DASH) else {
        return false;
    };
    let area = num(&d[0..3]);
    let group = num(&d[3..5]);
    let serial = num(&d[5..9]);
    if area == 0 || area == 666 || area >= 900 || group == 0 || serial == 0 {
        return false;
    }
    const SAMPLES: [&[u8; 9]; 3] = [b"078051120", b"219099999", b"123456789"];
    !SAMPLES.contains(&&d) && !all_same(&d)
}

/// US ITIN: 9XX-GG-XXXX with the group in the IRS-assigned ranges.
fn itin_ok(c: &[u8]) -> bool {
    let Some(d) = exact_digits::<9>(c, SPACE_DASH) else {
        return false;
    };
    let group = num(&d[3..5]);
    d[0] == b'9' && matches!(group, 50..=65 | 70..=88 | 90..=92 | 94..=99) && !all_same(&d)
}

/// IBAN lengths by ISO country code (SWIFT IBAN registry), sorted for binary search.
const IBAN_LENGTHS: &[([u8; 2], u8)] = &[
    (*b"AD", 24),
    (*b"AE", 23),
    (*b"AL", 28),
    (*b"AT", 20),
    (*b"AZ", 28),
    (*b"BA", 20),
    (*b"BE", 16),
    (*b"BG", 22),
    (*b"BH", 22),
    (*b"BI", 27),
    (*b"BR", 29),
    (*b"BY", 28),
    (*b"CH", 21),
    (*b"CR", 22),
    (*b"CY", 28),
    (*b"CZ", 24),
    (*b"DE", 22),
    (*b"DJ", 27),
    (*b"DK", 18),
    (*b"DO", 28),
    (*b"EE", 20),
    (*b"EG", 29),
    (*b"ES", 24),
    (*b"FI", 18),
    (*b"FK", 18),
    (*b"FO", 18),
    (*b"FR", 27),
    (*b"GB", 22),
    (*b"GE", 22),
    (*b"GI", 23),
    (*b"GL", 18),
    (*b"GR", 27),
    (*b"GT", 28),
    (*b"HR", 21),
    (*b"HU", 28),
    (*b"IE", 22),
    (*b"IL", 23),
    (*b"IQ", 23),
    (*b"IS", 26),
    (*b"IT", 27),
    (*b"JO", 30),
    (*b"KW", 30),
    (*b"KZ", 20),
    (*b"LB", 28),
    (*b"LC", 32),
    (*b"LI", 21),
    (*b"LT", 20),
    (*b"LU", 20),
    (*b"LV", 21),
    (*b"LY", 25),
    (*b"MC", 27),
    (*b"MD", 24),
    (*b"ME", 22),
    (*b"MK", 19),
    (*b"MN", 20),
    (*b"MR", 27),
    (*b"MT", 31),
    (*b"MU", 30),
    (*b"NI", 28),
    (*b"NL", 18),
    (*b"NO", 15),
    (*b"OM", 23),
    (*b"PK", 24),
    (*b"PL", 28),
    (*b"PS", 29),
    (*b"PT", 25),
    (*b"QA", 29),
    (*b"RO", 24),
    (*b"RS", 22),
    (*b"RU", 33),
    (*b"SA", 24),
    (*b"SC", 31),
    (*b"SD", 18),
    (*b"SE", 24),
    (*b"SI", 19),
    (*b"SK", 24),
    (*b"SM", 27),
    (*b"SO", 23),
    (*b"ST", 25),
    (*b"SV", 28),
    (*b"TL", 23),
    (*b"TN", 24),
    (*b"TR", 26),
    (*b"UA", 29),
    (*b"VA", 22),
    (*b"VG", 24),
    (*b"XK", 20),
    (*b"YE", 30),
];

/// The IBAN length for a country code, if the country issues IBANs.
fn iban_length(country: [u8; 2]) -> Option<usize> {
    IBAN_LENGTHS
        .binary_search_by(|(cc, _)| cc.cmp(&country))
        .ok()
        .and_then(|i| IBAN_LENGTHS.get(i))
        .map(|&(_, len)| usize::from(len))
}

/// IBAN proof (spaces, any case): known country, its registry length, and mod-97 == 1.
pub fn iban_ok(candidate: &[u8]) -> bool {
    let Some(buf) = gather::<34>(candidate, b" ", true) else {
        return false;
    };
    let s = buf.as_slice();
    let [c0, c1, k0, k1, ..] = *s else {
        return false;
    };
    if !c0.is_ascii_uppercase()
        || !c1.is_ascii_uppercase()
        || !k0.is_ascii_digit()
        || !k1.is_ascii_digit()
        || iban_length([c0, c1]) != Some(s.len())
    {
        return false;
    }
    let (head, bban) = s.split_at(4);
    mod97(bban.iter().chain(head)) == Some(1)
}

/// ABA routing proof: Federal Reserve prefix ranges and 3-7-1 checksum; any 9 digits look like one.
pub fn aba_routing_ok(candidate: &[u8]) -> bool {
    let Some(d) = exact_digits::<9>(candidate, SPACE_DASH) else {
        return false;
    };
    if !matches!(num(&d[0..2]), 0..=12 | 21..=32 | 61..=72 | 80) || all_same(&d) {
        return false;
    }
    let v = d.map(dv);
    let sum = 3 * (v[0] + v[3] + v[6]) + 7 * (v[1] + v[4] + v[7]) + (v[2] + v[5] + v[8]);
    sum % 10 == 0
}

/// UK National Insurance number: prefix letters, 6 digits, suffix A–D.
fn uk_nino_ok(c: &[u8]) -> bool {
    let Some(s) = exact_alnum::<9>(c, b" ") else {
        return false;
    };
    let [a, b, ref digits @ .., suffix] = s;
    a.is_ascii_uppercase()
        && b.is_ascii_uppercase()
        && !b"DFIQUV".contains(&a)
        && !b"DFIOQUV".contains(&b)
        && ![*b"BG", *b"GB", *b"NK", *b"KN", *b"TN", *b"NT", *b"ZZ"].contains(&[a, b])
        && digits.iter().all(u8::is_ascii_digit)
        && (b'A'..=b'D').contains(&suffix)
}

/// NHS number proof (spaces/dashes): mod-11, weights 10..2 (11 → 0, 10 never issued).
pub fn nhs_number_ok(candidate: &[u8]) -> bool {
    let Some(d) = exact_digits::<10>(candidate, SPACE_DASH) else {
        return false;
    };
    if all_same(&d) {
        return false;
    }
    let sum: u32 = d[..9]
        .iter()
        .zip((2..=10u32).rev())
        .map(|(&b, w)| dv(b) * w)
        .sum();
    let check = match 11 - sum % 11 {
        11 => 0,
        10 => return false,
        r => r,
    };
    check == dv(d[9])
}

/// Aadhaar proof (spaces/dashes): 12 digits, first 2–9, Verhoeff, so other 12-digit numbers drop.
pub fn aadhaar_ok(candidate: &[u8]) -> bool {
    let Some(d) = exact_digits::<12>(candidate, SPACE_DASH) else {
        return false;
    };
    (b'2'..=b'9').contains(&d[0]) && !all_same(&d) && verhoeff_ok(&d)
}

/// Brazilian CPF proof (`.`/`-` allowed): both mod-11 check digits; all-one-digit numbers rejected.
pub fn br_cpf_ok(candidate: &[u8]) -> bool {
    let Some(d) = exact_digits::<11>(candidate, b".-") else {
        return false;
    };
    if all_same(&d) {
        return false;
    }
    let check = |n: usize| -> u32 {
        let sum: u32 = d
            .iter()
            .take(n)
            .zip((2..=(n as u32 + 1)).rev())
            .map(|(&b, w)| dv(b) * w)
            .sum();
        (sum * 10) % 11 % 10
    };
    check(9) == dv(d[9]) && check(10) == dv(d[10])
}

/// Spanish DNI / NIE check letters, indexed by the number mod 23.
const DNI_LETTERS: &[u8; 23] = b"TRWAGMYFPDXBNJZSQVHLCKE";

/// Spanish DNI (8 digits + letter) / NIE (X/Y/Z + 7 digits + letter) / personal NIF without
/// a DNI (K/L/M + 7 digits + letter) proof: mod-23 check letter.
pub fn es_dni_ok(candidate: &[u8]) -> bool {
    let Some(s) = exact_alnum::<9>(candidate, b" -.") else {
        return false;
    };
    let lead = match s[0] {
        b'X' => 0,
        b'Y' => 1,
        b'Z' => 2,
        // K (under-14 Spaniards), L (non-resident Spaniards), M (foreigners without NIE):
        // the letter is computed on the seven digits alone.
        b'K' | b'L' | b'M' => 0,
        b if b.is_ascii_digit() => dv(b),
        _ => return false,
    };
    if !s[1..8].iter().all(u8::is_ascii_digit) {
        return false;
    }
    let n = lead * 10_000_000 + num(&s[1..8]);
    DNI_LETTERS.get((n % 23) as usize) == Some(&s[8])
}

/// Codice fiscale values of characters in odd (1st, 3rd, …) positions, for 0–9 and A–Z.
const CF_ODD: [u32; 26] = [
    1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23,
];

/// Italian codice fiscale proof: 16-character layout (omocodia allowed) and odd/even check char.
pub fn codice_fiscale_ok(candidate: &[u8]) -> bool {
    let Some(s) = exact_alnum::<16>(candidate, b" ") else {
        return false;
    };
    const OMOCODE: &[u8] = b"LMNPQRSTUV";
    const MONTHS: &[u8] = b"ABCDEHLMPRST";
    let digit_like = |b: u8| b.is_ascii_digit() || OMOCODE.contains(&b);
    let layout = s[..6].iter().all(u8::is_ascii_uppercase)
        && [6, 7, 9, 10, 12, 13, 14].iter().all(|&i| digit_like(s[i]))
        && MONTHS.contains(&s[8])
        && s[11].is_ascii_uppercase()
        && s[15].is_ascii_uppercase();
    if !layout {
        return false;
    }
    let index = |b: u8| -> usize {
        if b.is_ascii_digit() {
            usize::from(b - b'0')
        } else {
            usize::from(b - b'A')
        }
    };
    let sum: u32 = s[..15]
        .iter()
        .enumerate()
        .map(|(i, &b)| {
            if i % 2 == 0 {
                CF_ODD.get(index(b)).copied().unwrap_or(0)
            } else {
                index(b) as u32
            }
        })
        .sum();
    b'A' + (sum % 26) as u8 == s[15]
}

/// French INSEE/NIR proof (spaces allowed): key = 97 − (n mod 97), Corsica 2A/2B read as 19/18.
pub fn fr_insee_ok(candidate: &[u8]) -> bool {
    let Some(s) = exact_alnum::<15>(candidate, b" ") else {
        return false;
    };
    if !matches!(s[0], b'1' | b'2' | b'7' | b'8') {
        return false;
    }
    // Corsica: department 2A counts as 19 and 2B as 18 in the key computation.
    let mut digits = s;
    match (s[5], s[6]) {
        (b'2', b'A') => digits[5..7].copy_from_slice(b"19"),
        (b'2', b'B') => digits[5..7].copy_from_slice(b"18"),
        _ => {}
    }
    if !digits.iter().all(u8::is_ascii_digit) {
        return false;
    }
    let n = digits[..13]
        .iter()
        .fold(0u64, |acc, &b| acc * 10 + u64::from(b - b'0'));
    let key = u64::from(num(&digits[13..15]));
    key == 97 - n % 97
}

/// VIN transliteration value of one character (I, O and Q are never used).
fn vin_value(b: u8) -> Option<u32> {
    Some(match b {
        b'0'..=b'9' => dv(b),
        b'A'..=b'H' => u32::from(b - b'A') + 1,
        b'J'..=b'N' => u32::from(b - b'J') + 1,
        b'P' => 7,
        b'R' => 9,
        b'S'..=b'Z' => u32::from(b - b'S') + 2,
        _ => return None,
    })
}

/// VIN proof: 17 characters without I/O/Q; weighted transliteration sum mod 11 = position-9 check.
pub fn vin_ok(candidate: &[u8]) -> bool {
    let Some(s) = exact_alnum::<17>(candidate, b"") else {
        return false;
    };
    const WEIGHTS: [u32; 17] = [8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2];
    let mut sum = 0u32;
    for (&b, w) in s.iter().zip(WEIGHTS) {
        let Some(v) = vin_value(b) else {
            return false;
        };
        sum += v * w;
    }
    let expected = match sum % 11 {
        10 => b'X',
        r => b'0' + r as u8,
    };
    s[8] == expected
}

/// US ZIP: 5 digits or ZIP+4 (`12345-6789`), not 00000.
fn us_zip_ok(c: &[u8]) -> bool {
    let (zip, plus4) = match c.len() {
        5 => (c, &[][..]),
        10 if c[5] == b'-' => (&c[..5], &c[6..]),
        _ => return false,
    };
    zip.iter().all(u8::is_ascii_digit) && plus4.iter().all(u8::is_ascii_digit) && zip != b"00000"
}

/// Plain Luhn over at least 8 digits (spaces/dashes allowed), not all one digit.
fn luhn_any_ok(c: &[u8]) -> bool {
    let Some(buf) = gather::<64>(c, SPACE_DASH, false) else {
        return false;
    };
    let d = buf.as_slice();
    d.len() >= 8 && !all_same(d) && luhn_ok(d)
}

// ---------------------------------------------------------------------------------------
// Network, contact and location
// ---------------------------------------------------------------------------------------

/// IPv4 dotted quad: 0–255, no leading zeros, not 0.0.0.0 or 255.255.255.255.
fn ipv4_ok(c: &[u8]) -> bool {
    if c.len() > 15 {
        return false;
    }
    let mut octets = [0u32; 4];
    let mut count = 0usize;
    for part in c.split(|&b| b == b'.') {
        let Some(slot) = octets.get_mut(count) else {
            return false;
        };
        if part.is_empty()
            || part.len() > 3
            || !part.iter().all(u8::is_ascii_digit)
            || (part.len() > 1 && part[0] == b'0')
        {
            return false;
        }
        *slot = num(part);
        if *slot > 255 {
            return false;
        }
        count += 1;
    }
    count == 4 && octets != [0; 4] && octets != [255; 4]
}

/// IPv6: parseable by the standard library, not the unspecified address `::`.
fn ipv6_ok(c: &[u8]) -> bool {
    if c.len() > 45 {
        return false;
    }
    let Ok(s) = std::str::from_utf8(c) else {
        return false;
    };
    s.parse::<Ipv6Addr>().is_ok_and(|a| !a.is_unspecified())
}

/// File extensions that look like TLDs in `name@2x.png`-style strings.
const FILE_EXT_TLDS: &[&[u8]] = &[
    b"png", b"jpg", b"jpeg", b"gif", b"svg", b"css", b"js", b"html", b"txt", b"log", b"exe", b"dll",
];

/// E-mail shape: dot-atom local part, 2+ labels, letter TLD that is no file extension (`a@2x.png`).
pub fn email_ok(candidate: &[u8]) -> bool {
    if candidate.len() > 254 {
        return false;
    }
    let Some(at) = candidate.iter().position(|&b| b == b'@') else {
        return false;
    };
    let (local, domain) = (&candidate[..at], &candidate[at + 1..]);
    let local_ok = (1..=64).contains(&local.len())
        && local
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || b"._%+-".contains(&b))
        && local.first() != Some(&b'.')
        && local.last() != Some(&b'.')
        && find(local, b"..").is_none();
    if !local_ok {
        return false;
    }
    let mut labels = 0usize;
    let mut tld: &[u8] = &[];
    for label in domain.split(|&b| b == b'.') {
        let ok = (1..=63).contains(&label.len())
            && label
                .iter()
                .all(|&b| b.is_ascii_alphanumeric() || b == b'-')
            && label.first() != Some(&b'-')
            && label.last() != Some(&b'-');
        if !ok {
            return false;
        }
        labels += 1;
        tld = label;
    }
    labels >= 2
        && (2..=24).contains(&tld.len())
        && tld.iter().all(u8::is_ascii_alphabetic)
        && !FILE_EXT_TLDS
            .iter()
            .any(|ext| tld.eq_ignore_ascii_case(ext))
}

/// NANP phone: optional +1/1, NXX area (not N11, not 555) and NXX exchange (not N11).
/// A national-format number: 9–11 digits after the separators, a trunk `0` then a
/// non-zero digit (`00` starts an international call), not one repeated digit.
fn phone_national_ok(c: &[u8]) -> bool {
    let Some(buf) = gather::<11>(c, b" -./()", false) else {
        return false;
    };
    let d = buf.as_slice();
    (9..=11).contains(&d.len()) && d[0] == b'0' && d[1] != b'0' && !all_same(&d[1..])
}

/// A NANP number: `fictional` also accepts area code 555 and the 555-0100–0199 lines.
fn phone_nanp_ok(c: &[u8], fictional: bool) -> bool {
    let (plus, body) = match c.strip_prefix(b"+") {
        Some(rest) => (true, rest),
        None => (false, c),
    };
    // `+` between groups is a URL query string's encoded space.
    let Some(buf) = gather::<11>(body, b" -.()+", false) else {
        return false;
    };
    let all = buf.as_slice();
    let d = match (all.len(), all.first()) {
        (10, _) if !plus => all,
        (11, Some(b'1')) => &all[1..],
        _ => return false,
    };
    let Ok(d) = <[u8; 10]>::try_from(d) else {
        return false;
    };
    let area = num(&d[0..3]);
    let exchange = num(&d[3..6]);
    let line = num(&d[6..10]);
    let nxx = |first: u8, code: u32| (b'2'..=b'9').contains(&first) && code % 100 != 11;
    let reserved = area == 555 || (exchange == 555 && (100..=199).contains(&line));
    nxx(d[0], area) && nxx(d[3], exchange) && (fictional || !reserved) && !all_same(&d)
}

/// Calling codes with a known national significant number length range (min, max).
const E164_NSN: &[(u16, u8, u8)] = &[
    (1, 10, 10),
    (7, 10, 10),
    (20, 8, 10),
    (27, 9, 9),
    (30, 10, 10),
    (31, 9, 9),
    (32, 8, 9),
    (33, 9, 9),
    (34, 9, 9),
    (36, 8, 9),
    (39, 6, 11),
    (40, 9, 9),
    (41, 9, 9),
    (43, 7, 13),
    (44, 9, 10),
    (45, 8, 8),
    (46, 7, 10),
    (47, 8, 8),
    (48, 9, 9),
    (49, 6, 13),
    (51, 8, 9),
    (52, 10, 10),
    (54, 10, 11),
    (55, 10, 11),
    (56, 9, 9),
    (57, 8, 10),
    (60, 8, 10),
    (61, 9, 9),
    (62, 8, 12),
    (63, 8, 10),
    (64, 8, 10),
    (65, 8, 8),
    (66, 8, 9),
    (81, 9, 10),
    (82, 8, 10),
    (84, 9, 10),
    (86, 9, 11),
    (90, 10, 10),
    (91, 10, 10),
    (92, 9, 10),
    (212, 9, 9),
    (234, 8, 10),
    (254, 9, 9),
    (351, 9, 9),
    (353, 7, 9),
    (358, 6, 12),
    (380, 9, 9),
    (420, 9, 9),
    (852, 8, 8),
    (886, 8, 9),
    (966, 9, 9),
    (971, 8, 9),
    (972, 8, 9),
];

/// Other assigned geographic calling codes; their national numbers may be 6–13 digits.
const E164_OTHER: &[u16] = &[
    53, 58, 93, 94, 95, 98, 211, 213, 216, 218, 220, 221, 222, 223, 224, 225, 226, 227, 228, 229,
    230, 231, 232, 233, 235, 236, 237, 238, 239, 240, 241, 242, 243, 244, 245, 246, 247, 248, 249,
    250, 251, 252, 253, 255, 256, 257, 258, 260, 261, 262, 263, 264, 265, 266, 267, 268, 269, 290,
    291, 297, 298, 299, 350, 352, 354, 355, 356, 357, 359, 370, 371, 372, 373, 374, 375, 376, 377,
    378, 379, 381, 382, 383, 385, 386, 387, 389, 421, 423, 500, 501, 502, 503, 504, 505, 506, 507,
    508, 509, 590, 591, 592, 593, 594, 595, 596, 597, 598, 599, 670, 672, 673, 674, 675, 676, 677,
    678, 679, 680, 681, 682, 683, 685, 686, 687, 688, 689, 690, 691, 692, 850, 853, 855, 856, 880,
    960, 961, 962, 963, 964, 965, 967, 968, 970, 973, 974, 975, 976, 977, 992, 993, 994, 995, 996,
    998,
];

/// The calling code length and allowed national number lengths for E.164 digits.
fn e164_country(digits: &[u8]) -> Option<(usize, usize, usize)> {
    for cc_len in 1..=3 {
        let code = u16::try_from(num(digits.get(..cc_len)?)).ok()?;
        if let Some(&(_, lo, hi)) = E164_NSN.iter().find(|e| e.0 == code) {
            return Some((cc_len, usize::from(lo), usize::from(hi)));
        }
        if E164_OTHER.contains(&code) {
            return Some((cc_len, 6, 13));
        }
    }
    None
}

/// E.164 phone: `+`, 8–15 digits, known country code, plausible national length.
fn phone_e164_ok(c: &[u8]) -> bool {
    let Some(body) = c.strip_prefix(b"+") else {
        return false;
    };
    // `+` between groups is a URL query string's encoded space.
    let Some(buf) = gather::<15>(body, b" -.()+", false) else {
        return false;
    };
    let d = buf.as_slice();
    if !(8..=15).contains(&d.len()) || all_same(d) {
        return false;
    }
    match e164_country(d) {
        Some((cc_len, lo, hi)) => (lo..=hi).contains(&(d.len() - cc_len)),
        None => false,
    }
}

/// MAC address: `aa:bb:cc:dd:ee:ff`, `aa-bb-…` or Cisco `aabb.ccdd.eeff`; not all 0 or all ff.
fn mac_address_ok(c: &[u8]) -> bool {
    let mut nibbles = [0u8; 12];
    let mut n = 0usize;
    // (separator, hex digits per group): colon/dash pairs or Cisco dotted quads.
    let (sep, group) = match c.len() {
        17 if matches!(c[2], b':' | b'-') => (c[2], 2),
        14 => (b'.', 4),
        _ => return false,
    };
    for (i, &b) in c.iter().enumerate() {
        if (i + 1) % (group + 1) == 0 {
            if b != sep {
                return false;
            }
            continue;
        }
        let (Some(v), Some(slot)) = (hex_val(b), nibbles.get_mut(n)) else {
            return false;
        };
        *slot = v;
        n += 1;
    }
    n == 12 && nibbles != [0; 12] && nibbles != [0xf; 12]
}

/// One coordinate: optional sign, 1–3 integer digits, `.`, 4–15 decimals.
fn parse_coord(s: &[u8]) -> Option<(f64, bool)> {
    let body = match s.first() {
        Some(b'+' | b'-') => &s[1..],
        _ => s,
    };
    let dot = body.iter().position(|&b| b == b'.')?;
    let (int, frac) = (&body[..dot], &body[dot + 1..]);
    if !(1..=3).contains(&int.len())
        || !(4..=15).contains(&frac.len())
        || !int.iter().chain(frac).all(u8::is_ascii_digit)
    {
        return None;
    }
    let zero = int.iter().chain(frac).all(|&b| b == b'0');
    let value = std::str::from_utf8(s).ok()?.parse::<f64>().ok()?;
    Some((value, zero))
}

/// "lat, long" / "lat,long" / "lat long": in range, ≥ 4 decimals each, not 0,0.
fn lat_long_ok(c: &[u8]) -> bool {
    if c.len() > 64 {
        return false;
    }
    let (a, b) = if let Some(i) = c.iter().position(|&b| b == b',') {
        (&c[..i], &c[i + 1..])
    } else if let Some(i) = c.iter().position(u8::is_ascii_whitespace) {
        (&c[..i], &c[i + 1..])
    } else {
        return false;
    };
    let (Some((lat, lat_zero)), Some((lon, lon_zero))) =
        (parse_coord(a.trim_ascii()), parse_coord(b.trim_ascii()))
    else {
        return false;
    };
    (-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon) && !(lat_zero && lon_zero)
}

// ---------------------------------------------------------------------------------------
// Dates
// ---------------------------------------------------------------------------------------

/// Civil (year, month, day) from days since 1970-01-01 (Hinnant), so "today" needs no date crate.
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days.saturating_add(719_468);
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097); // [0, 146096]
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365; // [0, 399]
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // [0, 365]
    let mp = (5 * doy + 2) / 153; // [0, 11]
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era.saturating_mul(400) + i64::from(month <= 2);
    (year, month, day)
}

/// Today's civil date in UTC, or `None` when the clock is before 1970.
fn today() -> Option<(i64, u32, u32)> {
    let secs = SystemTime::now().duration_since(UNIX_EPOCH).ok()?.as_secs();
    Some(civil_from_days(i64::try_from(secs / 86_400).ok()?))
}

/// Whether `s` is a real calendar date written `YYYY-MM-DD` (manifest dates such as a
/// disposition's `expires` are compared as text, so the form must be exact).
pub fn iso_date_ok(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        let part = &s[r];
        part.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| part.parse().ok())
            .flatten()
    };
    match (num(0..4), num(5..7), num(8..10)) {
        (Some(y), Some(m), Some(d)) => d >= 1 && d <= days_in_month(i64::from(y), m),
        _ => false,
    }
}

/// Days in a month of the proleptic Gregorian calendar.
fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => 0,
    }
}

/// Date-of-birth check against an explicit `today` (y, m, d), so tests get a deterministic answer.
pub fn date_of_birth_ok_on(candidate: &[u8], today: (i64, u32, u32)) -> bool {
    if candidate.len() > 10 {
        return false;
    }
    let Some(sep) = candidate.iter().copied().find(|b| !b.is_ascii_digit()) else {
        return false;
    };
    let mut fields = candidate.split(|&b| b == sep);
    let (Some(f0), Some(f1), Some(f2), None) =
        (fields.next(), fields.next(), fields.next(), fields.next())
    else {
        return false;
    };
    if ![f0, f1, f2]
        .iter()
        .all(|f| !f.is_empty() && f.iter().all(u8::is_ascii_digit))
    {
        return false;
    }
    let short = |f: &[u8]| (1..=2).contains(&f.len());
    let (a, b, c) = (num(f0), num(f1), num(f2));
    // Up to two readings (year, month, day) of the same text.
    let readings: [Option<(u32, u32, u32)>; 2] = match (f0.len(), f1.len(), f2.len(), sep) {
        (4, _, _, b'-' | b'/') if short(f1) && short(f2) => [Some((a, b, c)), None],
        (_, _, 4, b'/') if short(f0) && short(f1) => [Some((c, a, b)), Some((c, b, a))],
        (_, _, 4, b'.') if short(f0) && short(f1) => [Some((c, b, a)), None],
        _ => return false,
    };
    readings.iter().flatten().any(|&(y, m, d)| {
        let y = i64::from(y);
        y >= 1900
            && (1..=12).contains(&m)
            && d >= 1
            && d <= days_in_month(y, m)
            && (y, m, d) <= today
    })
}

/// Date of birth against the system clock's today (no upper bound if the clock is unset).
fn date_of_birth_ok(c: &[u8]) -> bool {
    date_of_birth_ok_on(c, today().unwrap_or((i64::MAX, 12, 31)))
}

// ---------------------------------------------------------------------------------------
// Tokens and secrets
// ---------------------------------------------------------------------------------------

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
fn aws_access_key_ok(c: &[u8]) -> bool {
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
fn slack_token_ok(c: &[u8]) -> bool {
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
fn stripe_key_ok(c: &[u8]) -> bool {
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
fn google_api_key_ok(c: &[u8]) -> bool {
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

// ---------------------------------------------------------------------------------------
// Cryptocurrency and identifiers
// ---------------------------------------------------------------------------------------

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

/// UUID: 8-4-4-4-12 hex digits (any case), not the nil UUID.
fn uuid_ok(c: &[u8]) -> bool {
    if c.len() != 36 {
        return false;
    }
    let mut nonzero = false;
    for (i, &b) in c.iter().enumerate() {
        if matches!(i, 8 | 13 | 18 | 23) {
            if b != b'-' {
                return false;
            }
        } else if !b.is_ascii_hexdigit() {
            return false;
        } else if b != b'0' {
            nonzero = true;
        }
    }
    nonzero
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    fn pass(v: Validator, s: &str) {
        assert_eq!(
            v.check(s.as_bytes()),
            Some(true),
            "{} should pass {s:?}",
            v.name()
        );
    }

    fn fail(v: Validator, s: &str) {
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
    fn names_round_trip() {
        assert_eq!(Validator::ALL.len(), 62);
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
        for &v in Validator::ALL {
            if !matches!(v, Validator::PersonName | Validator::NameToken) {
                assert!(v.check(b"x").is_some(), "{}", v.name());
            }
        }
    }

    #[test]
    fn algorithms() {
        assert!(luhn_ok(b"79927398713"));
        assert!(!luhn_ok(b"79927398710"));
        assert!(!luhn_ok(b""));
        assert!(!luhn_ok(b"7992 7398 713"));
        assert!(verhoeff_ok(b"2363"));
        assert!(!verhoeff_ok(b"2364"));
        assert!(!verhoeff_ok(b""));
        assert_eq!(mod97(b"123456".iter()), Some(123_456 % 97));
        assert_eq!(mod97(b"a".iter()), None);
        assert!(card_brand_ok(b"4242424242424242"));
        assert!(!card_brand_ok(b"1234567812345670"));
    }

    #[test]
    fn iso_dates() {
        assert!(iso_date_ok("2027-12-31"));
        assert!(iso_date_ok("2028-02-29"));
        assert!(!iso_date_ok("2027-02-29"));
        assert!(!iso_date_ok("2027-13-01"));
        assert!(!iso_date_ok("2027-1-01"));
        assert!(!iso_date_ok("next year"));
        assert!(!iso_date_ok("2027-12-3x"));
    }

    #[test]
    fn civil_dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(-1), (1969, 12, 31));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
        assert_eq!(civil_from_days(19_723), (2024, 1, 1));
        assert_eq!(civil_from_days(20_513), (2026, 3, 1));
        let (y, _, _) = today().expect("clock after 1970");
        assert!(y >= 2024);
    }

    #[test]
    fn luhn_card() {
        cases(
            Validator::LuhnCard,
            &[
                "4242424242424242",
                "4242 4242 4242 4242",
                "4242-4242-4242-4242",
                "5555555555554444",
                "2223003122003222",
                "378282246310005",
                "6011111111111117",
                "3566002020360505",
                "30569309025904",
                "6200000000000005",
                "6759649826438453",
            ],
            &[
                "4242424242424241",
                "1234567812345670", // Luhn-valid, no brand starts with 1
                "0000000000000000",
                "4444444444444444",
                "4242424242424",  // Visa, 13 digits, bad Luhn
                "37828224631000", // Amex prefix, wrong length
                "4242.4242.4242.4242",
                "42424242424242424242424",
                "",
            ],
        );
    }

    #[test]
    fn ca_sin() {
        cases(
            Validator::CaSin,
            &["130 692 544", "192-837-466", "273645283", "564738292"],
            &[
                "046 454 286", // Luhn-valid but 0xx is never assigned
                "130 692 545",
                "000000000",
                "13069254",
                "1306925441",
            ],
        );
    }

    #[test]
    fn imei() {
        cases(
            Validator::Imei,
            &["490154203237518", "35-693803-564380-9", "860683031374905"],
            &[
                "490154203237519",
                "000000000000000",
                "49015420323751",
                "4901542032375180",
                "49015420323751X",
            ],
        );
    }

    #[test]
    fn ssn() {
        cases(
            Validator::Ssn,
            &["536-22-1234", "001-01-0001", "665 45 6789", "772-12-3456"],
            &[
                "000-12-3456",
                "666-12-3456",
                "900-12-3456",
                "987-65-4320",
                "536-00-1234",
                "536-22-0000",
                "078-05-1120",
                "219-09-9999",
                "123-45-6789",
                "111-11-1111",
                "536-22-123",
                "536.22.1234",
            ],
        );
    }

    #[test]
    fn itin() {
        cases(
            Validator::Itin,
            &["912-50-1234", "900-70-0000", "999-94-1234", "923 88 4567"],
            &[
                "912-66-1234",
                "912-93-1234",
                "812-70-1234",
                "912-89-1234",
                "912-70-123",
                "999-99-9999",
            ],
        );
    }

    #[test]
    fn iban() {
        cases(
            Validator::Iban,
            &[
                "GB82 WEST 1234 5698 7654 32",
                "DE89 3704 0044 0532 0130 00",
                "gb82west12345698765432",
                "FR14 2004 1010 0505 0001 3M02 606",
                "NL91ABNA0417164300",
                "CH9300762011623852957",
                "BE68539007547034",
                "NO9386011117947",
            ],
            &[
                "GB82 WEST 1234 5698 7654 33",
                "DE89 3704 0044 0532 0130 0",
                "XX82 WEST 1234 5698 7654 32",
                "GB82-WEST-1234-5698-7654-32",
                "DE00370400440532013000",
                "",
                "GB",
            ],
        );
        for pair in IBAN_LENGTHS.windows(2) {
            assert!(
                pair[0].0 < pair[1].0,
                "IBAN table not sorted at {:?}",
                pair[1].0
            );
        }
        assert!(IBAN_LENGTHS.len() >= 70);
    }

    #[test]
    fn aba_routing() {
        cases(
            Validator::AbaRouting,
            &[
                "011000015",
                "021000021",
                "026009593",
                "122105155",
                "091000019",
            ],
            &[
                "123456789",
                "021000022",
                "000000000",
                "991000012", // checksum ok but prefix 99 is unassigned
                "02100002",
                "0210000211",
            ],
        );
        // 991000012 must really be checksum-valid for the prefix test to mean anything.
        let v = b"991000012".map(dv);
        assert_eq!(
            (3 * (v[0] + v[3] + v[6]) + 7 * (v[1] + v[4] + v[7]) + v[2] + v[5] + v[8]) % 10,
            0
        );
    }

    #[test]
    fn uk_nino() {
        cases(
            Validator::UkNino,
            &["AB 12 34 56 C", "CE123456D", "JH 54 32 10 A", "ab123456c"],
            &[
                "QQ 12 34 56 C",
                "GB123456A",
                "AB123456E",
                "AO123456A",
                "DA123456A",
                "AB12345C",
                "AB1234567",
            ],
        );
    }

    #[test]
    fn nhs_number() {
        cases(
            Validator::NhsNumber,
            &["943 476 5919", "4010232137", "485-777-3457", "943 476 5870"],
            &[
                "943 476 5918",
                "4444444444",
                "0000000000",
                "94347659",
                "94347659191",
                "401023213X",
            ],
        );
    }

    #[test]
    fn aadhaar() {
        cases(
            Validator::Aadhaar,
            &[
                "2341 2341 2346",
                "999941057058",
                "4918 3726 4503",
                "876543210988",
            ],
            &[
                "2341 2341 2347",
                "0341 2341 2346",
                "1234 5678 9012",
                "012345678906", // Verhoeff-valid, but a leading 0 is never issued
                "112345678907", // Verhoeff-valid, but a leading 1 is never issued
                "23412341234",
                "222222222222",
            ],
        );
        assert!(verhoeff_ok(b"012345678906") && verhoeff_ok(b"112345678907"));
        assert!(!aadhaar_ok(b"1234 5678 9012"));
    }

    #[test]
    fn br_cpf() {
        cases(
            Validator::BrCpf,
            &[
                "529.982.247-25",
                "111.444.777-35",
                "12345678909",
                "987.654.321-00",
            ],
            &[
                "529.982.247-26",
                "111.111.111-11",
                "000.000.000-00",
                "529 982 247 25",
                "5299822472",
            ],
        );
    }

    #[test]
    fn es_dni() {
        cases(
            Validator::EsDni,
            &[
                "12345678Z",
                "87654321-X",
                "00000023T",
                "X1234567L",
                "Y1234567X",
                "z1234567r",
                "K1234567L",
                "M1234567L",
            ],
            &[
                "12345678A",
                "K1234567X",
                "X1234567A",
                "W1234567L",
                "1234567Z",
                "123456789",
                "12345678ZZ",
            ],
        );
    }

    #[test]
    fn it_codice_fiscale() {
        cases(
            Validator::ItCodiceFiscale,
            &[
                "RSSMRA85T10A562S",
                "MRTMTT25D09F205Z",
                "BNCGNN80A41H501X",
                "RSSMRA85T10A56NH", // omocodia
                "rssmra85t10a562s",
            ],
            &[
                "RSSMRA85T10A562T",
                "RSSMRA85Z10A562S", // Z is not a month letter
                "RSSMRA85T10A562",
                "1SSMRA85T10A562S",
                "RSSMRA85T10A5620",
            ],
        );
    }

    #[test]
    fn fr_insee() {
        cases(
            Validator::FrInsee,
            &[
                "1 84 12 76 451 089 46",
                "255081416802538",
                "1 85 02 2A 123 456 82",
                "270052B65432182",
                "199037511122246",
            ],
            &[
                "1 84 12 76 451 089 47",
                "384127645108946",
                "1 85 02 2C 123 456 82",
                "18412764510894",
                "1841276451089460",
            ],
        );
    }

    #[test]
    fn vin() {
        cases(
            Validator::Vin,
            &[
                "1HGCM82633A004352",
                "11111111111111111",
                "1M8GDM9AXKP042788",
                "JH4KA7561PC008269",
                "1hgcm82633a004352",
            ],
            &[
                "1HGCM82633A004353",
                "5YJSA1E14HF000001",
                "1HGCM82633A00435",
                "1HGCM82633A0043521",
                "1HGCM8263IA004352",
                "1OGCM82633A004352",
            ],
        );
    }

    #[test]
    fn ipv4() {
        cases(
            Validator::Ipv4,
            &[
                "192.168.1.1",
                "8.8.8.8",
                "10.0.0.255",
                "0.0.0.1",
                "255.255.255.254",
            ],
            &[
                "0.0.0.0",
                "255.255.255.255",
                "256.1.1.1",
                "01.2.3.4",
                "1.2.3",
                "1.2.3.4.5",
                "1..2.3",
            ],
        );
        // Only `check` trims surrounding whitespace; the inner function is strict.
        assert!(!ipv4_ok(b"1.2.3.4 "));
        pass(Validator::Ipv4, " 1.2.3.4\n");
    }

    #[test]
    fn ipv6() {
        cases(
            Validator::Ipv6,
            &[
                "2001:db8::1",
                "::1",
                "fe80::1ff:fe23:4567:890a",
                "2001:0db8:85a3:0000:0000:8a2e:0370:7334",
                "::ffff:192.0.2.128",
            ],
            &["::", "2001:db8::g", "1:2:3:4:5:6:7:8:9", "12345::", ":::"],
        );
        assert_eq!(Validator::Ipv6.check(b"2001:db8::\xff"), Some(false));
    }

    #[test]
    fn email() {
        cases(
            Validator::Email,
            &[
                "john.doe@example.com",
                "a+b@mail.co.uk",
                "x_y%z@sub-domain.example.org",
                "J.Smith@Example.IO",
            ],
            &[
                "logo@2x.png",
                "icon@3x.JPEG",
                ".a@b.com",
                "a.@b.com",
                "a..b@c.com",
                "a@b",
                "a@-b.com",
                "a@b-.com",
                "a@b.c1",
                "a@b.c",
                "a@@b.com",
                "@b.com",
                "a@b..com",
            ],
        );
    }

    #[test]
    fn phone_national() {
        cases(
            Validator::PhoneNational,
            &[
                "020 7946 0958",
                "06 12 34 56 78",
                "030 901820",
                "0612345678",
                "(020) 7946-0958",
            ],
            &[
                "00 44 20 7946",
                "612345678",
                "0 11 11 11 11",
                "020 7946 0958 12",
                "12345",
            ],
        );
    }

    #[test]
    fn phone_nanp_shape() {
        cases(
            Validator::PhoneNanpShape,
            &[
                "(415) 555-0123",
                "415-555-0132",
                "(555) 234-5678",
                "(415) 555-2671",
            ],
            &[
                "(911) 234-5678",
                "(415) 155-5678",
                "222-222-2222",
                "123-456-7890",
            ],
        );
    }

    #[test]
    fn phone_nanp() {
        cases(
            Validator::PhoneNanp,
            &[
                "(415) 555-2671",
                "+1 415-555-2671",
                "1.212.867.5309",
                "2128675309",
                "415 555 0200",
                "(415)+555-2671", // a query string's encoded space
            ],
            &[
                "(415) 555-0123",
                "(555) 234-5678",
                "(911) 234-5678",
                "(415) 411-5678",
                "(115) 234-5678",
                "(415) 155-5678",
                "222-222-2222",
                "+44 2079 460958",
                "415-555-267",
            ],
        );
    }

    #[test]
    fn phone_e164() {
        cases(
            Validator::PhoneE164,
            &[
                "+14155552671",
                "+44 20 7946 0958",
                "+49 30 901820",
                "+33 6 12 34 56 78",
                "+91 98765 43210",
                "+354 555 1234",    // Iceland: "other" code, 7 digits
                "+44+20+7946+0958", // a query string's encoded spaces
            ],
            &[
                "14155552671",
                "+1415555267",
                "+33 6 12 34 56 789",
                "+999 1234 5678",
                "+0 1234 5678",
                "+1234567",
                "+12345678901234567",
            ],
        );
        // Calling codes must be prefix-free for the 1-, 2-, 3-digit lookup to be sound.
        let codes: Vec<u16> = E164_NSN
            .iter()
            .map(|e| e.0)
            .chain(E164_OTHER.iter().copied())
            .collect();
        for &a in &codes {
            for &b in &codes {
                if a != b {
                    let (sa, sb) = (a.to_string(), b.to_string());
                    assert!(!sb.starts_with(&sa), "{a} is a prefix of {b}");
                }
            }
        }
    }

    #[test]
    fn mac_address() {
        cases(
            Validator::MacAddress,
            &[
                "00:1A:2B:3C:4D:5E",
                "00-1a-2b-3c-4d-5e",
                "001a.2b3c.4d5e",
                "fe:ff:ff:ff:ff:ff",
            ],
            &[
                "00:00:00:00:00:00",
                "FF:FF:FF:FF:FF:FF",
                "ffff.ffff.ffff",
                "00:1A:2B:3C:4D",
                "00:1A-2B:3C:4D:5E",
                "00:1A:2B:3C:4D:5G",
                "001A2B3C4D5E",
            ],
        );
    }

    #[test]
    fn lat_long() {
        cases(
            Validator::LatLong,
            &[
                "40.7128, -74.0060",
                "-33.8688,151.2093",
                "51.5074 -0.1278",
                "+89.99999, 179.99999",
            ],
            &[
                "0.0000, 0.0000",
                "91.0000, 10.0000",
                "45.0000, 181.0000",
                "40.71, -74.00",
                "40.7128",
                "40.7128; -74.0060",
                "abc.defg, 1.2345",
            ],
        );
    }

    #[test]
    fn date_of_birth() {
        cases(
            Validator::DateOfBirth,
            &[
                "1990-05-17",
                "1985/12/31",
                "12/31/1985",
                "31/12/1985",
                "17.05.1990",
                "2000-02-29",
            ],
            &[
                "1899-12-31",
                "1990-13-01",
                "1990-02-30",
                "1900-02-29",
                "31.13.1990",
                "2999-01-01",
                "1990.05.17",
                "17-05-1990",
                "19900517",
            ],
        );
        let today = (2020, 6, 15);
        assert!(date_of_birth_ok_on(b"2020-06-15", today));
        assert!(!date_of_birth_ok_on(b"2020-06-16", today));
        assert!(date_of_birth_ok_on(b"13/12/2019", today)); // only the DD/MM reading
        assert!(!date_of_birth_ok_on(b"31.12.2020", today));
    }

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

    #[test]
    fn uuid() {
        cases(
            Validator::Uuid,
            &[
                "123e4567-e89b-12d3-a456-426614174000",
                "F47AC10B-58CC-4372-A567-0E02B2C3D479",
                "00000000-0000-0000-0000-000000000001",
            ],
            &[
                "00000000-0000-0000-0000-000000000000",
                "123e4567e89b12d3a456426614174000",
                "123e4567-e89b-12d3-a456-42661417400g",
                "123e4567-e89b-12d3-a456-4266141740000",
                "{123e4567-e89b-12d3-a456-426614174000}",
            ],
        );
    }

    #[test]
    fn us_zip() {
        cases(
            Validator::UsZip,
            &["90210", "10001-1234", "00501", "99950"],
            &[
                "00000",
                "00000-1234",
                "9021",
                "902101",
                "90210-123",
                "90210 1234",
                "9O210",
            ],
        );
    }

    #[test]
    fn luhn_generic() {
        cases(
            Validator::Luhn,
            &[
                "79927398713",
                "1234-5678-1234-5670",
                "12345674",
                "4242424242424242",
            ],
            &[
                "79927398710",
                "1234567",
                "00000000",
                "5555 5555",
                "1234.5678.1234.5670",
            ],
        );
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
