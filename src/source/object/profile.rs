//! AWS named profiles (`~/.aws/credentials`, `~/.aws/config`), which `object_store`
//! does not read: static keys, session token, region and `endpoint_url` of the profile
//! `AWS_PROFILE` names (`default` otherwise). Profiles that get their keys some other
//! way (SSO, `credential_process`, `source_profile` role chains) are not resolved here;
//! `role_arn` with `web_identity_token_file` is, by object_store, from the environment.

use std::collections::BTreeMap;
use std::path::PathBuf;

/// What a profile says, by `object_store` configuration key.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Profile {
    /// `aws_access_key_id`, `aws_secret_access_key`, `aws_session_token`, `aws_region`,
    /// `aws_endpoint` → value.
    pub settings: BTreeMap<&'static str, String>,
}

/// The profile to use, read from the files the AWS CLI reads, when there is one.
pub fn load() -> Option<Profile> {
    let name = std::env::var("AWS_PROFILE")
        .or_else(|_| std::env::var("AWS_DEFAULT_PROFILE"))
        .unwrap_or_else(|_| "default".into());
    let home = std::env::var_os("HOME").map(PathBuf::from);
    let file = |var: &str, default: &str| {
        std::env::var_os(var)
            .map(PathBuf::from)
            .or_else(|| home.as_ref().map(|h| h.join(".aws").join(default)))
    };
    let credentials = file("AWS_SHARED_CREDENTIALS_FILE", "credentials")
        .and_then(|p| std::fs::read_to_string(p).ok())
        .unwrap_or_default();
    let config = file("AWS_CONFIG_FILE", "config")
        .and_then(|p| std::fs::read_to_string(p).ok())
        .unwrap_or_default();
    let profile = parse(&name, &credentials, &config);
    (!profile.settings.is_empty()).then_some(profile)
}

/// The settings of profile `name`: the credentials file's `[name]` section, then the
/// config file's `[profile name]` (or `[default]`) for what the first did not say.
pub fn parse(name: &str, credentials: &str, config: &str) -> Profile {
    let mut settings = BTreeMap::new();
    let config_section = if name == "default" {
        "default".to_string()
    } else {
        format!("profile {name}")
    };
    for (text, section) in [(credentials, name), (config, config_section.as_str())] {
        for (key, value) in section_entries(text, section) {
            let key = match key.as_str() {
                "aws_access_key_id" => "aws_access_key_id",
                "aws_secret_access_key" => "aws_secret_access_key",
                "aws_session_token" => "aws_session_token",
                "region" => "aws_region",
                "endpoint_url" => "aws_endpoint",
                _ => continue,
            };
            settings.entry(key).or_insert(value);
        }
    }
    Profile { settings }
}

/// The `key = value` lines of one `[section]` of an INI file (comments and other
/// sections skipped; keys lowercased).
fn section_entries(text: &str, section: &str) -> Vec<(String, String)> {
    let mut inside = false;
    let mut out = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            inside = name.split_whitespace().collect::<Vec<_>>().join(" ") == section;
            continue;
        }
        if !inside {
            continue;
        }
        if let Some((k, v)) = line.split_once('=') {
            let v = v.trim();
            if !v.is_empty() {
                out.push((k.trim().to_ascii_lowercase(), v.to_string()));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_named_profile_takes_keys_from_credentials_and_region_from_config() {
        let credentials = "[default]\naws_access_key_id = DEF\naws_secret_access_key = defsecret\n\n\
                           [work]\n# comment\naws_access_key_id=WORK\naws_secret_access_key = worksecret\n";
        let config = "[default]\nregion = us-east-1\n[profile  work]\nregion = eu-west-3\n\
                      endpoint_url = http://127.0.0.1:9000\naws_access_key_id = IGNORED\n";
        let p = parse("work", credentials, config);
        assert_eq!(p.settings["aws_access_key_id"], "WORK");
        assert_eq!(p.settings["aws_secret_access_key"], "worksecret");
        assert_eq!(p.settings["aws_region"], "eu-west-3");
        assert_eq!(p.settings["aws_endpoint"], "http://127.0.0.1:9000");
        let d = parse("default", credentials, config);
        assert_eq!(d.settings["aws_access_key_id"], "DEF");
        assert_eq!(d.settings["aws_region"], "us-east-1");
        assert!(parse("missing", credentials, config).settings.is_empty());
    }
}
