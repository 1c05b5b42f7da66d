//! The consumer's choices: the page behind "Do Not Sell or Share My Personal
//! Information" (the Notice of Right to Opt-out of Sale/Sharing, 11 CCR §7013), the page
//! behind "Limit the Use of My Sensitive Personal Information" (the Notice of Right to
//! Limit, §7014), and the single Alternative Opt-out Link that may replace the two
//! links, "Your Privacy Choices" with the opt-out icon (§7015, Civ. Code
//! §1798.135(a)(3)).

use serde::Serialize;

use super::sale::SaleSharingModel;
use super::sensitive::SensitiveModel;

/// The exact title of the Alternative Opt-out Link (11 CCR §7015(a)).
pub const ALTERNATIVE_TEXT: &str = "Your Privacy Choices";
/// Its California variant, which the regulation also allows.
pub const ALTERNATIVE_CALIFORNIA_TEXT: &str = "Your California Privacy Choices";

/// The Alternative Opt-out Link (11 CCR §7015).
#[derive(Clone, Debug, Serialize)]
pub struct AlternativeLinkModel {
    /// "Your Privacy Choices".
    pub text: String,
    /// "Your California Privacy Choices".
    pub california_text: String,
    /// How the opt-out icon looks and where it goes, for whoever places it.
    pub icon_description: String,
    /// The icon's text alternative (the image itself is the CPPA's file).
    pub icon_alt: String,
    /// The business must offer both the opt-out and the limit links, so it may offer
    /// this one link instead (§7015(a)).
    pub applies: bool,
}

/// The pages and links the consumer's choices need.
#[derive(Clone, Debug, Serialize)]
pub struct ChoicesModel {
    /// The opt-out page is needed: personal information is, or may be, sold or shared
    /// (Civ. Code §1798.120, §1798.135(a)(1)).
    pub opt_out_page: bool,
    /// The limit page is needed: sensitive personal information is used beyond 11 CCR
    /// §7027(m) (Civ. Code §1798.121, §1798.135(a)(2)).
    pub limit_page: bool,
    /// The alternative single link.
    pub alternative_link: AlternativeLinkModel,
}

/// The choices the other parts of the model call for.
pub(super) fn choices(sale: &SaleSharingModel, sensitive: &SensitiveModel) -> ChoicesModel {
    let opt_out_page = sale.opt_out_link.applies;
    let limit_page = sensitive.limit_link.applies;
    ChoicesModel {
        opt_out_page,
        limit_page,
        alternative_link: AlternativeLinkModel {
            text: ALTERNATIVE_TEXT.into(),
            california_text: ALTERNATIVE_CALIFORNIA_TEXT.into(),
            icon_description: "the opt-out icon published by the California Privacy Protection Agency: a rounded toggle, blue on the left with a white check mark and white on the right with a blue ×. Use the CPPA's image file unaltered, right beside the link text and about the size of the other icons on the page".into(),
            icon_alt: "California Consumer Privacy Act (CCPA) Opt-Out Icon".into(),
            applies: opt_out_page && limit_page,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{fixture, model_of};

    const BOTH: &str = "[organisation]\ndo_not_sell_url = \"https://e.com/dns\"\nlimit_sensitive_url = \"https://e.com/limit\"\n[disclosures]\nsells = true\nshares = false\nsensitive_pi_use = \"beyond_permitted_purposes\"\n[sources.crm]\nkind = \"files\"\npath = \"crm\"\ndata_types = [\"email\", \"ssn\"]\nretention = \"1 year\"\nrecipients = [\"broker\"]\n[recipients.broker]\nname = \"Broker\"\nrole = \"third_party\"\ncategory = \"data_brokers\"\nsold = true\n";

    /// 11 CCR §7013, §7014, §7015: a business that sells and uses sensitive personal
    /// information beyond §7027(m) needs both pages, and may offer the single
    /// "Your Privacy Choices" link instead of the two links.
    #[test]
    fn ccpa_regs_7013_7014_7015_pages_and_alternative_link_follow_what_applies() {
        let m = model_of(&fixture(BOTH), "2026-11-29");
        assert!(m.choices.opt_out_page && m.choices.limit_page);
        assert!(m.choices.alternative_link.applies);
        assert_eq!(m.choices.alternative_link.text, "Your Privacy Choices");
        let permitted = BOTH.replace("beyond_permitted_purposes", "permitted_purposes_only");
        let m = model_of(&fixture(&permitted), "2026-11-29");
        assert!(m.choices.opt_out_page && !m.choices.limit_page);
        assert!(!m.choices.alternative_link.applies);
    }
}
