//! PostgreSQL connections: every session is made safe right after connecting (see the
//! parent module), TLS as the URL's `sslmode` says ([`super::tls`]), and errors are
//! described without credentials.

use std::time::Duration;

use tokio_postgres::config::SslMode as WireSslMode;
use tokio_postgres::{Client, Config, NoTls};
use tokio_postgres_rustls::MakeRustlsConnect;

use super::tls::tls_config;
use crate::source::db::url::{PgUrl, SslMode};
use crate::source::db::ReadError;

/// Session limits.
#[derive(Clone, Copy, Debug)]
pub struct SessionSettings {
    /// `statement_timeout`.
    pub statement_timeout: Duration,
    /// Time allowed to connect (TCP, TLS and authentication).
    pub connect_timeout: Duration,
}

impl SessionSettings {
    fn lock_timeout(&self) -> Duration {
        // Shorter than the statement timeout, so a lock wait is reported as such.
        (self.statement_timeout / 2)
            .min(Duration::from_secs(10))
            .max(Duration::from_millis(100))
    }

    fn idle_timeout(&self) -> Duration {
        (self.statement_timeout * 2).max(Duration::from_secs(60))
    }

    /// How long piimap waits for any single reply before giving the connection up.
    pub fn reply_timeout(&self) -> Duration {
        self.statement_timeout + Duration::from_secs(30)
    }
}

/// A connected, configured session.
pub struct Session {
    /// The client.
    pub client: Client,
    /// `server_version_num`.
    pub server_version: i32,
    /// Whether the connection is encrypted.
    pub tls: bool,
}

/// Opens sessions to one database (shared by the worker threads).
pub struct Connector {
    url: PgUrl,
    settings: SessionSettings,
    /// TLS connector that accepts any certificate (`prefer`, `allow`, `require`).
    tls_any: Option<MakeRustlsConnect>,
    /// TLS connector that verifies (`verify-ca`, `verify-full`, `require` with a root file).
    tls_verified: Option<MakeRustlsConnect>,
}

/// A short description of a tokio-postgres error, with its SQLSTATE, and never the
/// password (tokio-postgres errors do not carry connection parameters).
pub fn describe(e: &tokio_postgres::Error) -> (&'static str, String, bool) {
    if let Some(db) = e.as_db_error() {
        let code = db.code().code();
        let kind = match code {
            "42501" => "permission",
            "57014" | "55P03" | "25P03" => "timeout",
            "28000" | "28P01" => "authentication",
            c if c.starts_with("08") || c.starts_with("57P") => "connection",
            _ => "query",
        };
        let lost = kind == "connection";
        return (kind, format!("{} (SQLSTATE {code})", db.message()), lost);
    }
    let mut msg = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        msg.push_str(": ");
        msg.push_str(&s.to_string());
        source = s.source();
    }
    let lost = e.is_closed()
        || msg.starts_with("error communicating")
        || msg.contains("connection closed");
    (if lost { "connection" } else { "query" }, msg, lost)
}

pub(super) async fn within<T>(
    limit: Duration,
    what: &str,
    fut: impl std::future::Future<Output = Result<T, tokio_postgres::Error>>,
) -> Result<T, ReadError> {
    super::super::within_reply(limit, what, fut, describe).await
}

impl Connector {
    /// Prepares TLS for the URL's `sslmode` (system roots or `sslrootcert`).
    pub fn new(url: PgUrl, settings: SessionSettings) -> Result<Self, String> {
        let socket = url.host.starts_with('/');
        let (tls_any, tls_verified) = match url.login.tls {
            _ if socket => {
                if matches!(
                    url.login.tls,
                    SslMode::Require | SslMode::VerifyCa | SslMode::VerifyFull
                ) {
                    return Err(format!(
                        "sslmode={:?} cannot be used with a Unix-socket host",
                        url.login.tls
                    ));
                }
                (None, None)
            }
            SslMode::Disable => (None, None),
            SslMode::Allow | SslMode::Prefer => {
                (Some(MakeRustlsConnect::new(tls_config(None)?)), None)
            }
            SslMode::Require if url.login.ca_file.is_none() => {
                (Some(MakeRustlsConnect::new(tls_config(None)?)), None)
            }
            mode @ (SslMode::Require | SslMode::VerifyCa | SslMode::VerifyFull) => {
                let mode = if mode == SslMode::Require {
                    SslMode::VerifyCa
                } else {
                    mode
                };
                let cfg = tls_config(Some((mode, url.login.ca_file.as_deref())))?;
                (None, Some(MakeRustlsConnect::new(cfg)))
            }
        };
        Ok(Connector {
            url,
            settings,
            tls_any,
            tls_verified,
        })
    }

    /// The database's address (`postgres://host:port/db`).
    pub fn address(&self) -> String {
        self.url.address()
    }

    fn config(&self, ssl: WireSslMode) -> Config {
        let mut cfg = Config::new();
        cfg.host(&self.url.host)
            .port(self.url.port)
            .user(&self.url.login.user)
            .dbname(&self.url.dbname)
            .application_name("piimap")
            .connect_timeout(
                self.url
                    .login
                    .connect_timeout
                    .unwrap_or(self.settings.connect_timeout),
            )
            .keepalives(true)
            .keepalives_idle(Duration::from_secs(30))
            .ssl_mode(ssl);
        if let Some(p) = &self.url.login.password {
            cfg.password(p.as_bytes());
        }
        cfg
    }

    async fn open_plain(&self) -> Result<Client, tokio_postgres::Error> {
        let (client, conn) = self.config(WireSslMode::Disable).connect(NoTls).await?;
        tokio::spawn(async move {
            let _ = conn.await;
        });
        Ok(client)
    }

    async fn open_tls(
        &self,
        tls: &MakeRustlsConnect,
        mode: WireSslMode,
    ) -> Result<Client, tokio_postgres::Error> {
        let (client, conn) = self.config(mode).connect(tls.clone()).await?;
        tokio::spawn(async move {
            let _ = conn.await;
        });
        Ok(client)
    }

    async fn open(&self) -> Result<(Client, bool), tokio_postgres::Error> {
        match self.url.login.tls {
            _ if self.tls_any.is_none() && self.tls_verified.is_none() => {
                Ok((self.open_plain().await?, false))
            }
            SslMode::Allow => match self.open_plain().await {
                Ok(c) => Ok((c, false)),
                Err(e) if e.as_db_error().is_some() => {
                    // The server refused a plain connection (pg_hba `hostssl`): try TLS.
                    let tls = self.tls_any.as_ref().expect("allow has a TLS connector");
                    Ok((self.open_tls(tls, WireSslMode::Require).await?, true))
                }
                Err(e) => Err(e),
            },
            SslMode::Prefer => {
                let tls = self.tls_any.as_ref().expect("prefer has a TLS connector");
                match self.open_tls(tls, WireSslMode::Prefer).await {
                    Ok(c) => Ok((c, true)),
                    // The handshake failed: libpq then retries without TLS.
                    Err(e) if e.to_string().contains("TLS") => {
                        Ok((self.open_plain().await?, false))
                    }
                    Err(e) => Err(e),
                }
            }
            _ => {
                let tls = self
                    .tls_verified
                    .as_ref()
                    .or(self.tls_any.as_ref())
                    .expect("a TLS connector");
                Ok((self.open_tls(tls, WireSslMode::Require).await?, true))
            }
        }
    }

    /// Connects and configures a read-only session. The error message names the
    /// database by its redacted address only.
    pub async fn connect(&self) -> Result<Session, String> {
        let limit = self
            .url
            .login
            .connect_timeout
            .unwrap_or(self.settings.connect_timeout);
        let (client, tls) =
            super::super::connect_within(limit, &self.address(), self.open(), describe).await?;
        let s = &self.settings;
        let setup = format!(
            "SET default_transaction_read_only = on; \
             SET statement_timeout = {}; \
             SET lock_timeout = {}; \
             SET idle_in_transaction_session_timeout = {}; \
             SET application_name = 'piimap'; \
             SET search_path = pg_catalog; \
             SET synchronize_seqscans = off; \
             SET DateStyle = 'ISO, YMD'; \
             SET TimeZone = 'UTC'",
            s.statement_timeout.as_millis().max(1),
            s.lock_timeout().as_millis().max(1),
            s.idle_timeout().as_millis().max(1),
        );
        let reply = s.reply_timeout();
        let prepare = async {
            within(
                reply,
                "configuring the session",
                client.batch_execute(&setup),
            )
            .await?;
            let rows = within(
                reply,
                "reading the server version",
                client.simple_query("SELECT current_setting('server_version_num')"),
            )
            .await?;
            Ok::<i32, ReadError>(
                rows.iter()
                    .find_map(|m| match m {
                        tokio_postgres::SimpleQueryMessage::Row(r) => {
                            r.get(0).and_then(|v| v.parse().ok())
                        }
                        _ => None,
                    })
                    .unwrap_or(0),
            )
        };
        match prepare.await {
            Ok(server_version) => Ok(Session {
                client,
                server_version,
                tls,
            }),
            Err(e) => Err(format!(
                "cannot set up a session on {}: {}",
                self.address(),
                e.message
            )),
        }
    }
}
