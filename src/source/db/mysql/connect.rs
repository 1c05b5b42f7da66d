//! MySQL and MariaDB connections: the URL (`mysql://` / `mariadb://`, the password from
//! the URL or `MYSQL_PWD`), TLS as `ssl-mode` says (rustls, through mysql_async), the
//! safe session settings, and errors described without credentials or values.

use std::path::PathBuf;
use std::time::Duration;

use mysql_async::prelude::Queryable;
use mysql_async::{Conn, OptsBuilder, SslOpts};

use crate::source::db::url::{decode, host_port, redact, Login};
use crate::source::db::ReadError;

/// MySQL's `ssl-mode` (the client's `--ssl-mode`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SslMode {
    /// Plain connection only.
    Disabled,
    /// TLS when the server offers it, plain otherwise (the client's default).
    Preferred,
    /// TLS, the certificate not checked.
    Required,
    /// TLS, the chain checked against the roots (`ssl-ca` or the built-in ones), not the host name.
    VerifyCa,
    /// TLS, the chain and the host name checked.
    VerifyIdentity,
}

impl SslMode {
    fn parse(s: &str) -> Option<SslMode> {
        Some(match s.to_ascii_uppercase().replace('-', "_").as_str() {
            "DISABLED" | "DISABLE" => SslMode::Disabled,
            "PREFERRED" | "PREFER" => SslMode::Preferred,
            "REQUIRED" | "REQUIRE" => SslMode::Required,
            "VERIFY_CA" => SslMode::VerifyCa,
            "VERIFY_IDENTITY" | "VERIFY_FULL" => SslMode::VerifyIdentity,
            _ => return None,
        })
    }
}

/// A parsed MySQL or MariaDB connection target. `password` is never displayed.
#[derive(Clone)]
pub struct MyUrl {
    /// `mysql` or `mariadb`, as the URL said (kept in asset ids).
    pub scheme: &'static str,
    /// Host name or IP address.
    pub host: String,
    /// Port (3306 unless given).
    pub port: u16,
    /// The database (schema) to scan; `None`: every non-system schema.
    pub dbname: Option<String>,
    /// User (the URL's, else the login name, else `root`), password (URL, else
    /// `MYSQL_PWD`), `ssl-mode`, `ssl-ca` (`None`: the built-in roots).
    pub login: Login<SslMode>,
}

impl std::fmt::Debug for MyUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        super::super::url::debug_target(f, "MyUrl", self.address(), &self.login.tls)
    }
}

impl MyUrl {
    /// `mysql://host:port/db` (or `mysql://host:port` for every schema): the address
    /// without credentials, the prefix of every asset id.
    pub fn address(&self) -> String {
        let host = super::super::url::url_host(&self.host);
        match &self.dbname {
            Some(db) => format!("{}://{host}:{}/{db}", self.scheme, self.port),
            None => format!("{}://{host}:{}", self.scheme, self.port),
        }
    }
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

/// Parses `mysql://user:pw@host:port/db?ssl-mode=…&ssl-ca=…&connect_timeout=…` (or
/// `mariadb://…`). Errors name the redacted URL only.
pub fn parse(url: &str) -> Result<MyUrl, String> {
    let (scheme, rest) = if let Some(r) = url.strip_prefix("mysql://") {
        ("mysql", r)
    } else if let Some(r) = url.strip_prefix("mariadb://") {
        ("mariadb", r)
    } else {
        return Err(format!(
            "{} is not a MySQL URL (mysql:// or mariadb://)",
            redact(url)
        ));
    };
    let (userinfo, rest) = match rest.rfind('@') {
        Some(at) => (Some(&rest[..at]), &rest[at + 1..]),
        None => (None, rest),
    };
    let (rest, query) = match rest.find('?') {
        Some(q) => (&rest[..q], Some(&rest[q + 1..])),
        None => (rest, None),
    };
    let (hostport, path) = rest.split_once('/').unwrap_or((rest, ""));
    let (host, port) = host_port(url, hostport)?;
    let (mut user, mut password) = match userinfo {
        Some(info) => match info.split_once(':') {
            Some((u, p)) => (Some(decode(u)), Some(decode(p))),
            None => (Some(decode(info)), None),
        },
        None => (None, None),
    };
    let mut my = MyUrl {
        scheme,
        host: host.unwrap_or_else(|| "localhost".into()),
        port: port.unwrap_or(3306),
        dbname: Some(decode(path.trim_end_matches('/'))).filter(|d| !d.is_empty()),
        login: Login {
            user: String::new(),
            password: None,
            tls: SslMode::Preferred,
            ca_file: None,
            connect_timeout: None,
        },
    };
    for pair in query
        .unwrap_or_default()
        .split('&')
        .filter(|p| !p.is_empty())
    {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let v = decode(v);
        match k.to_ascii_lowercase().replace('-', "_").as_str() {
            "ssl_mode" | "sslmode" => {
                my.login.tls = SslMode::parse(&v).ok_or_else(|| {
                    format!(
                        "{}: invalid ssl-mode {v:?} (DISABLED, PREFERRED, REQUIRED, VERIFY_CA or VERIFY_IDENTITY)",
                        redact(url)
                    )
                })?
            }
            "ssl_ca" | "sslrootcert" => my.login.ca_file = Some(PathBuf::from(v)),
            "connect_timeout" => {
                let secs: u64 = v
                    .parse()
                    .map_err(|_| format!("{}: invalid connect_timeout {v:?}", redact(url)))?;
                if secs > 0 {
                    my.login.connect_timeout = Some(Duration::from_secs(secs.max(1)));
                }
            }
            "user" => user = Some(v),
            "password" => password = Some(v),
            other => tracing::warn!(
                parameter = other,
                url = %redact(url),
                "ignoring an unsupported connection parameter"
            ),
        }
    }
    my.login.user = user
        .filter(|u| !u.is_empty())
        .or_else(|| env("USER"))
        .or_else(|| env("LOGNAME"))
        .unwrap_or_else(|| "root".into());
    my.login.password = password
        .filter(|p| !p.is_empty())
        .or_else(|| env("MYSQL_PWD"));
    Ok(my)
}

/// Session limits.
#[derive(Clone, Copy, Debug)]
pub struct SessionSettings {
    /// `max_statement_time` (MariaDB) / `max_execution_time` (MySQL).
    pub statement_timeout: Duration,
    /// Time allowed to connect (TCP, TLS and authentication).
    pub connect_timeout: Duration,
}

impl SessionSettings {
    /// `lock_wait_timeout` and `innodb_lock_wait_timeout`: shorter than the statement
    /// timeout, so a lock wait is reported as such.
    pub fn lock_timeout_secs(&self) -> u64 {
        (self.statement_timeout.as_secs() / 2).clamp(1, 10)
    }

    /// How long piimap waits for any single reply before giving the connection up.
    pub fn reply_timeout(&self) -> Duration {
        self.statement_timeout + Duration::from_secs(30)
    }
}

/// A short description of a mysql_async error, with the server's error code, never the
/// password nor a value (driver errors that carry row data are named, not displayed).
/// Returns `(kind, message, connection lost)`.
pub fn describe(e: &mysql_async::Error) -> (&'static str, String, bool) {
    use mysql_async::{DriverError, Error};
    match e {
        Error::Server(s) => {
            let kind = match s.code {
                1142 | 1143 | 1044 | 1227 | 1370 => "permission",
                1045 | 1698 => "authentication",
                1205 | 3024 | 1969 | 1317 => "timeout",
                1053 | 1927 | 1152 | 1184 | 2006 | 2013 => "connection",
                _ => "query",
            };
            (
                kind,
                format!("{} (error {}, SQLSTATE {})", s.message, s.code, s.state),
                kind == "connection",
            )
        }
        Error::Io(io) => ("connection", format!("connection error: {io}"), true),
        Error::Driver(DriverError::ConnectionClosed) => {
            ("connection", "the connection was closed".into(), true)
        }
        Error::Driver(
            DriverError::FromValue { .. }
            | DriverError::FromRow { .. }
            | DriverError::UnexpectedPacket { .. },
        ) => ("query", "unexpected data from the server".into(), true),
        Error::Driver(DriverError::NoClientSslFlagFromServer) => (
            "tls",
            "the server does not support TLS (ssl-mode asks for it)".into(),
            false,
        ),
        Error::Driver(d) => ("query", d.to_string(), false),
        Error::Url(_) => ("config", "invalid connection options".into(), false),
        Error::Other(o) => ("query", o.to_string(), false),
    }
}

/// Runs `fut`, turning its error (or no reply within `limit`) into a [`ReadError`]
/// saying what was being done.
pub async fn within<T>(
    limit: Duration,
    what: &str,
    fut: impl std::future::Future<Output = Result<T, mysql_async::Error>>,
) -> Result<T, ReadError> {
    super::super::within_reply(limit, what, fut, describe).await
}

/// A connected, configured, read-only session.
pub struct MySession {
    /// The connection.
    pub conn: Conn,
    /// The server is MariaDB (else MySQL).
    pub mariadb: bool,
    /// `VERSION()`.
    pub version: String,
    /// Whether the connection is encrypted.
    pub tls: bool,
}

/// Opens sessions to one server (shared by the worker threads).
#[derive(Clone, Debug)]
pub struct Connector {
    url: MyUrl,
    settings: SessionSettings,
}

impl Connector {
    /// A connector for `url` with `settings`; fails when the TLS setup cannot work
    /// (a CA file that does not exist).
    pub fn new(url: MyUrl, settings: SessionSettings) -> Result<Self, String> {
        if let Some(ca) = &url.login.ca_file {
            if !ca.is_file() {
                return Err(format!("cannot read ssl-ca {}", ca.display()));
            }
        }
        Ok(Connector { url, settings })
    }

    /// The server's address (`mysql://host:port/db`).
    pub fn address(&self) -> String {
        self.url.address()
    }

    fn opts(&self, tls: Option<SslOpts>) -> OptsBuilder {
        let u = &self.url;
        OptsBuilder::default()
            .ip_or_hostname(u.host.clone())
            .tcp_port(u.port)
            .user(Some(u.login.user.clone()))
            .pass(u.login.password.clone())
            .db_name(u.dbname.clone())
            .prefer_socket(false)
            .stmt_cache_size(0)
            .tcp_nodelay(true)
            .connect_attribute("program_name", "piimap")
            .ssl_opts(tls)
    }

    fn tls_opts(&self) -> Option<SslOpts> {
        let base = SslOpts::default();
        let with_ca = |o: SslOpts| match &self.url.login.ca_file {
            Some(ca) => o.with_root_certs(vec![ca.clone().into()]),
            None => o,
        };
        match self.url.login.tls {
            SslMode::Disabled => None,
            SslMode::Preferred | SslMode::Required => Some(
                base.with_danger_accept_invalid_certs(true)
                    .with_danger_skip_domain_validation(true),
            ),
            SslMode::VerifyCa => Some(with_ca(base).with_danger_skip_domain_validation(true)),
            SslMode::VerifyIdentity => Some(with_ca(base)),
        }
    }

    async fn open(&self) -> Result<(Conn, bool), mysql_async::Error> {
        let tls = self.tls_opts();
        let encrypted = tls.is_some();
        match Conn::new(self.opts(tls)).await {
            Ok(c) => Ok((c, encrypted)),
            // PREFERRED: the server has no TLS, so connect in plain (as the client does).
            Err(mysql_async::Error::Driver(
                mysql_async::DriverError::NoClientSslFlagFromServer,
            )) if self.url.login.tls == SslMode::Preferred => {
                Ok((Conn::new(self.opts(None)).await?, false))
            }
            Err(e) => Err(e),
        }
    }

    /// Connects and makes the session safe: read-only transactions, statement and lock
    /// timeouts, utf8mb4, UTC. The error names the server by its redacted address.
    pub async fn connect(&self) -> Result<MySession, String> {
        let limit = self
            .url
            .login
            .connect_timeout
            .unwrap_or(self.settings.connect_timeout);
        let (mut conn, tls) =
            super::super::connect_within(limit, &self.address(), self.open(), describe).await?;
        let reply = self.settings.reply_timeout();
        let setup = async {
            let version: Option<String> = within(
                reply,
                "reading the server version",
                conn.query_first("SELECT VERSION()"),
            )
            .await?;
            let version = version.unwrap_or_default();
            let mariadb = version.to_ascii_lowercase().contains("mariadb");
            let secs = self.settings.statement_timeout.as_secs_f64().max(0.001);
            let lock = self.settings.lock_timeout_secs();
            let mut statements = vec![
                "SET SESSION TRANSACTION READ ONLY".to_string(),
                "SET NAMES utf8mb4".into(),
                "SET SESSION time_zone = '+00:00'".into(),
                format!("SET SESSION lock_wait_timeout = {lock}"),
                format!("SET SESSION innodb_lock_wait_timeout = {lock}"),
            ];
            if mariadb {
                statements.push(format!("SET SESSION max_statement_time = {secs:.3}"));
            } else {
                statements.push(format!(
                    "SET SESSION max_execution_time = {}",
                    (secs * 1000.0).ceil() as u64
                ));
            }
            for s in &statements {
                within(
                    reply,
                    "configuring the session",
                    conn.query_drop(s.as_str()),
                )
                .await?;
            }
            if !mariadb {
                // MySQL 8 caches table statistics for a day; incremental runs need them now.
                let _ = within(
                    reply,
                    "configuring the session",
                    conn.query_drop("SET SESSION information_schema_stats_expiry = 0"),
                )
                .await;
            }
            Ok::<(String, bool), ReadError>((version, mariadb))
        };
        match setup.await {
            Ok((version, mariadb)) => Ok(MySession {
                conn,
                mariadb,
                version,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_urls_and_never_shows_the_password() {
        let u = parse(
            "mysql://app:s%40cret@db.example.com:3307/shop?ssl-mode=VERIFY_IDENTITY&ssl-ca=/ca.pem",
        )
        .unwrap();
        assert_eq!(
            (u.host.as_str(), u.port, u.login.user.as_str()),
            ("db.example.com", 3307, "app")
        );
        assert_eq!(u.login.password.as_deref(), Some("s@cret"));
        assert_eq!(u.dbname.as_deref(), Some("shop"));
        assert_eq!(u.login.tls, SslMode::VerifyIdentity);
        assert_eq!(u.login.ca_file, Some(PathBuf::from("/ca.pem")));
        assert_eq!(u.address(), "mysql://db.example.com:3307/shop");
        assert!(!format!("{u:?}").contains("s@cret"));

        let u = parse("mariadb://root@127.0.0.1?ssl_mode=disabled").unwrap();
        assert_eq!(u.address(), "mariadb://127.0.0.1:3306");
        assert_eq!(u.login.tls, SslMode::Disabled);
        assert_eq!(u.dbname, None);
        let u = parse("mysql://u@[::1]:3310/d?ssl-mode=required").unwrap();
        assert_eq!(u.address(), "mysql://[::1]:3310/d");
        assert_eq!(u.login.tls, SslMode::Required);
        let u = parse("mysql://u:p@ss@h/d").unwrap();
        assert_eq!(
            (u.login.password.as_deref(), u.host.as_str()),
            (Some("p@ss"), "h")
        );

        for bad in [
            "mysql://u:hunter2@h:notaport/d",
            "mysql://u:hunter2@h/d?ssl-mode=bogus",
            "mysql://u:hunter2@a,b/d",
        ] {
            let e = parse(bad).unwrap_err();
            assert!(!e.contains("hunter2"), "{e}");
        }
    }

    #[test]
    fn lock_waits_end_before_the_statement_timeout() {
        let s = |secs| SessionSettings {
            statement_timeout: Duration::from_secs(secs),
            connect_timeout: Duration::from_secs(1),
        };
        assert_eq!(s(2).lock_timeout_secs(), 1);
        assert_eq!(s(60).lock_timeout_secs(), 10);
        assert_eq!(s(1).lock_timeout_secs(), 1);
    }
}
