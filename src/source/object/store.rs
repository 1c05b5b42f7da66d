//! Opening a store from a URL, with the credentials of each cloud's standard
//! environment and config, and the async runtime that drives it.
//!
//! - S3: `AWS_*` (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`,
//!   `AWS_REGION`/`AWS_DEFAULT_REGION`, `AWS_ENDPOINT_URL` and `AWS_ALLOW_HTTP=true` for
//!   a local server, `AWS_WEB_IDENTITY_TOKEN_FILE` + `AWS_ROLE_ARN`, ECS container
//!   credentials); else the named profile of `~/.aws/credentials` and `~/.aws/config`
//!   (`AWS_PROFILE`, see [`super::profile`]); else EC2 instance metadata.
//! - GCS: `GOOGLE_APPLICATION_CREDENTIALS` (or `GOOGLE_SERVICE_ACCOUNT[_KEY]`), else
//!   gcloud's application-default credentials, else the GCE metadata server.
//! - Azure: `AZURE_STORAGE_ACCOUNT_NAME` with `AZURE_STORAGE_ACCOUNT_KEY`, a SAS
//!   (`AZURE_STORAGE_SAS_KEY`), a service principal (`AZURE_CLIENT_ID`,
//!   `AZURE_CLIENT_SECRET`, `AZURE_TENANT_ID`), workload identity, or managed identity.
//!
//! The environment is read the way each builder's `from_env()` reads it, on top of
//! piimap's client settings (no whole-request timeout, so a large object streams; a
//! read timeout and bounded retries, so nothing hangs).

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use object_store::aws::{AmazonS3Builder, AmazonS3ConfigKey};
use object_store::azure::{AzureConfigKey, MicrosoftAzureBuilder};
use object_store::gcp::{GoogleCloudStorageBuilder, GoogleConfigKey};
use object_store::local::LocalFileSystem;
use object_store::{BackoffConfig, ClientOptions, ObjectStore, RetryConfig};

use super::{profile, Cloud, ObjectUrl, Redactor};

/// Async worker threads per store: they only move bytes (HTTP, TLS); parsing and
/// detection run on the rayon pool.
const IO_THREADS: usize = 2;

/// One opened store: the client, the runtime that drives it, and the redactor for its
/// messages.
pub struct Store {
    /// The URL it was opened from.
    pub url: ObjectUrl,
    /// The client.
    pub client: Arc<dyn ObjectStore>,
    /// Removes this store's credentials from messages.
    pub redactor: Redactor,
    runtime: tokio::runtime::Runtime,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Store({})", self.url.redacted())
    }
}

impl Store {
    /// Opens the store `url` names. No request is made yet; the error is redacted.
    pub fn open(url: &ObjectUrl) -> Result<Store, String> {
        // reqwest is built without a default TLS provider: use ring, which rustls
        // already uses here (an error means one is installed already, which is fine).
        let _ = rustls::crypto::ring::default_provider().install_default();
        // `vars_os`: `vars` panics on a variable that is not UTF-8 (the builders'
        // `from_env` skips those too).
        let env: Vec<(String, String)> = std::env::vars_os()
            .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
            .filter(|(k, _)| {
                ["AWS_", "GOOGLE_", "AZURE_"]
                    .iter()
                    .any(|p| k.starts_with(p))
            })
            .collect();
        let mut secrets: Vec<String> = env
            .iter()
            .filter(|(k, _)| is_secret_name(k))
            .map(|(_, v)| v.clone())
            .collect();
        let built = match url.cloud {
            Cloud::S3 => {
                let (builder, profile_secrets) = s3(url, &env);
                secrets.extend(profile_secrets);
                builder.build().map(|s| Arc::new(s) as Arc<dyn ObjectStore>)
            }
            Cloud::Gcs => gcs(url, &env)
                .build()
                .map(|s| Arc::new(s) as Arc<dyn ObjectStore>),
            Cloud::Azure => azure(url, &env)
                .build()
                .map(|s| Arc::new(s) as Arc<dyn ObjectStore>),
            Cloud::Local => Ok(Arc::new(LocalFileSystem::new()) as Arc<dyn ObjectStore>),
        };
        let redactor = Redactor::new(secrets);
        let client = built.map_err(|e| redactor.error(&url.redacted(), &e))?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(IO_THREADS)
            .thread_name("piimap-object-io")
            .enable_all()
            .build()
            .map_err(|e| format!("cannot start the async runtime: {e}"))?;
        Ok(Store {
            url: url.clone(),
            client,
            redactor,
            runtime,
        })
    }

    /// Runs `future` to completion on the store's runtime (from a non-async thread).
    pub fn block_on<F: Future>(&self, future: F) -> F::Output {
        self.runtime.block_on(future)
    }

    /// The runtime's handle, to spawn the tasks that pump object bodies.
    pub fn handle(&self) -> &tokio::runtime::Handle {
        self.runtime.handle()
    }
}

/// Whether an environment variable holds a credential (its value is redacted from
/// every message).
fn is_secret_name(name: &str) -> bool {
    ["KEY", "SECRET", "TOKEN", "SAS", "PASSWORD", "SIG"]
        .iter()
        .any(|w| name.contains(w))
        && !name.ends_with("_FILE")
        && !name.ends_with("_PATH")
}

/// Client settings for every cloud: no whole-request timeout (a large object streams
/// for as long as it takes), but a connect timeout and a timeout between reads.
fn client_options() -> ClientOptions {
    ClientOptions::new()
        .with_timeout_disabled()
        .with_connect_timeout(Duration::from_secs(10))
        .with_read_timeout(Duration::from_secs(60))
}

/// Bounded retries: a server that is down fails its assets within about a minute.
fn retry() -> RetryConfig {
    RetryConfig {
        backoff: BackoffConfig::default(),
        max_retries: 3,
        retry_timeout: Duration::from_secs(60),
    }
}

/// The environment variables a builder's `from_env()` reads: those with `prefix`, by
/// their lowercased names.
fn keyed<'e, K: std::str::FromStr>(
    env: &'e [(String, String)],
    prefix: &'e str,
) -> impl Iterator<Item = (K, &'e str)> + 'e {
    env.iter()
        .filter(move |(k, _)| k.starts_with(prefix))
        .filter_map(|(k, v)| Some((k.to_ascii_lowercase().parse().ok()?, v.as_str())))
}

/// The S3 builder: piimap's client settings, then the named profile (keys only when the
/// environment names no other credential), then `AWS_*`, then the URL's bucket. Also
/// returns the profile's secret values, for the redactor.
fn s3(url: &ObjectUrl, env: &[(String, String)]) -> (AmazonS3Builder, Vec<String>) {
    let mut b = AmazonS3Builder::new()
        .with_client_options(client_options())
        .with_retry(retry());
    let set = |name: &str| env.iter().any(|(k, _)| k == name);
    let env_credentials = set("AWS_ACCESS_KEY_ID")
        || set("AWS_WEB_IDENTITY_TOKEN_FILE")
        || set("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI")
        || set("AWS_CONTAINER_CREDENTIALS_FULL_URI");
    let mut secrets = Vec::new();
    if let Some(p) = profile::load() {
        for (key, value) in p.settings {
            let credential = key != "aws_region" && key != "aws_endpoint";
            if credential && env_credentials {
                continue;
            }
            if credential {
                secrets.push(value.clone());
            }
            if let Ok(k) = key.parse::<AmazonS3ConfigKey>() {
                b = b.with_config(k, value);
            }
        }
    }
    for (k, v) in keyed::<AmazonS3ConfigKey>(env, "AWS_") {
        b = b.with_config(k, v);
    }
    (b.with_url(url.raw.clone()), secrets)
}

/// The GCS builder: piimap's client settings, then what `from_env()` reads.
fn gcs(url: &ObjectUrl, env: &[(String, String)]) -> GoogleCloudStorageBuilder {
    let mut b = GoogleCloudStorageBuilder::new()
        .with_client_options(client_options())
        .with_retry(retry());
    if let Ok(path) = std::env::var("SERVICE_ACCOUNT") {
        b = b.with_service_account_path(path);
    }
    for (k, v) in keyed::<GoogleConfigKey>(env, "GOOGLE_") {
        b = b.with_config(k, v);
    }
    b.with_url(url.raw.clone())
}

/// The Azure builder: piimap's client settings, then what `from_env()` reads.
fn azure(url: &ObjectUrl, env: &[(String, String)]) -> MicrosoftAzureBuilder {
    let mut b = MicrosoftAzureBuilder::new()
        .with_client_options(client_options())
        .with_retry(retry());
    for (k, v) in keyed::<AzureConfigKey>(env, "AZURE_") {
        b = b.with_config(k, v);
    }
    if let Ok(endpoint) = std::env::var("IDENTITY_ENDPOINT") {
        b = b.with_msi_endpoint(endpoint);
    }
    b.with_url(url.raw.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credential_variables_are_recognised_for_redaction() {
        for name in [
            "AWS_SECRET_ACCESS_KEY",
            "AWS_ACCESS_KEY_ID",
            "AWS_SESSION_TOKEN",
            "AZURE_STORAGE_ACCOUNT_KEY",
            "AZURE_STORAGE_SAS_KEY",
            "AZURE_CLIENT_SECRET",
            "GOOGLE_SERVICE_ACCOUNT_KEY",
        ] {
            assert!(is_secret_name(name), "{name}");
        }
        for name in [
            "AWS_REGION",
            "AWS_ENDPOINT_URL",
            "GOOGLE_APPLICATION_CREDENTIALS",
            "AWS_WEB_IDENTITY_TOKEN_FILE",
        ] {
            assert!(!is_secret_name(name), "{name}");
        }
    }

    #[test]
    fn environment_keys_parse_like_from_env() {
        let env = vec![
            (
                "AWS_ENDPOINT_URL".to_string(),
                "http://127.0.0.1:1".to_string(),
            ),
            ("AWS_REGION".to_string(), "eu-west-1".to_string()),
            ("AWS_NOT_A_KEY".to_string(), "x".to_string()),
            ("GOOGLE_BUCKET".to_string(), "b".to_string()),
        ];
        let keys: Vec<AmazonS3ConfigKey> = keyed(&env, "AWS_").map(|(k, _)| k).collect();
        assert_eq!(
            keys,
            [AmazonS3ConfigKey::Endpoint, AmazonS3ConfigKey::Region]
        );
    }

    #[test]
    fn opening_a_store_makes_no_request_and_a_local_store_lists() {
        // A local directory through the file:// store: no network, no credentials.
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.csv"), "x\n").unwrap();
        let url = ObjectUrl::parse(&format!("file://{}", dir.path().display())).unwrap();
        let store = Store::open(&url).unwrap();
        let prefix = object_store::path::Path::from(url.prefix.as_str());
        let listed: Vec<_> = store
            .block_on(async {
                use futures::TryStreamExt;
                store
                    .client
                    .list(Some(&prefix))
                    .try_collect::<Vec<_>>()
                    .await
            })
            .unwrap();
        assert_eq!(listed.len(), 1);
        assert!(listed[0].location.as_ref().ends_with("a.csv"));
    }
}
