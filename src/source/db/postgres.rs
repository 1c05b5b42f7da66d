//! PostgreSQL, read-only, with tokio-postgres.
//!
//! * Every session is made safe right after connecting: `default_transaction_read_only`,
//!   `statement_timeout`, `lock_timeout`, `idle_in_transaction_session_timeout`,
//!   `application_name = piimap`, and `search_path = pg_catalog` (so no user-defined
//!   function or operator can shadow the ones piimap's queries use). Every read runs in
//!   a `READ ONLY` transaction; piimap never writes.
//! * Tables come from the catalog (`pg_class`): ordinary tables and partitioned parents
//!   (a partitioned table is read once through its parent; its partitions are not listed
//!   separately), optionally views and materialized views. Columns, their types and
//!   comments come from `pg_attribute`.
//! * Every value is converted to text by the server (`col::text`, `host(inet)`,
//!   `to_char(date, 'YYYY-MM-DD')`, arrays joined with U+001F, JSON arrays as JSON) and
//!   received as raw bytes.
//! * Rows are chosen deterministically: `TABLESAMPLE SYSTEM (p) REPEATABLE (seed)` sized
//!   from the planner's row estimate, ordered by a seeded hash of the row's physical
//!   address and cut at N; small tables are read whole. `--full` streams every row through
//!   a cursor in fixed batches (bounded memory). The method used is always stated.

use std::sync::Arc;
use std::time::{Duration, Instant};

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::WebPkiServerVerifier;
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{
    CertificateError, ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme,
};
use tokio_postgres::config::SslMode as WireSslMode;
use tokio_postgres::types::{FromSql, Type};
use tokio_postgres::{Client, Config, NoTls, Row};
use tokio_postgres_rustls::MakeRustlsConnect;

use super::url::{PgUrl, SslMode};
use super::{
    format_percent, quote_ident, rate, Column, ColumnKind, ReadError, RecordSink, RowPusher,
    TableRead,
};
use crate::source::Sampling;

/// Rows fetched per round trip when streaming.
const BATCH_ROWS: i32 = 5000;
/// TABLESAMPLE asks for this many times the rows wanted (SYSTEM samples whole pages, so
/// the count varies), then keeps N by a seeded hash.
const SAMPLE_SAFETY: f64 = 1.5;
/// A sample that returns fewer than this fraction of the rows asked for is retried with a
/// larger percentage.
const SAMPLE_SHORTFALL: f64 = 0.5;
/// At most this many TABLESAMPLE retries.
const SAMPLE_RETRIES: usize = 3;

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

#[derive(Debug)]
struct AcceptAnyCert(Arc<CryptoProvider>);

impl ServerCertVerifier for AcceptAnyCert {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        // libpq `sslmode=require`: encrypted, but the certificate is not checked.
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

/// `verify-ca`: the chain must lead to a trusted root; the host name is not checked.
#[derive(Debug)]
struct ChainOnly(Arc<WebPkiServerVerifier>);

impl ServerCertVerifier for ChainOnly {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        match self
            .0
            .verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
        {
            Err(rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_verify_schemes()
    }
}

fn root_store(rootcert: Option<&std::path::Path>) -> Result<RootCertStore, String> {
    let mut roots = RootCertStore::empty();
    match rootcert {
        Some(path) => {
            let file = std::fs::File::open(path)
                .map_err(|e| format!("cannot read sslrootcert {}: {e}", path.display()))?;
            let mut reader = std::io::BufReader::new(file);
            for cert in rustls_pemfile::certs(&mut reader) {
                let cert =
                    cert.map_err(|e| format!("bad certificate in {}: {e}", path.display()))?;
                roots
                    .add(cert)
                    .map_err(|e| format!("bad certificate in {}: {e}", path.display()))?;
            }
            if roots.is_empty() {
                return Err(format!(
                    "no certificate found in sslrootcert {}",
                    path.display()
                ));
            }
        }
        None => {
            let loaded = rustls_native_certs::load_native_certs();
            let (added, _ignored) = roots.add_parsable_certificates(loaded.certs);
            if added == 0 {
                return Err(
                    "no trusted root certificates found on this system (give sslrootcert=FILE)"
                        .into(),
                );
            }
        }
    }
    Ok(roots)
}

fn tls_config(verify: Option<(SslMode, Option<&std::path::Path>)>) -> Result<ClientConfig, String> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS setup: {e}"))?;
    Ok(match verify {
        None => builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(AcceptAnyCert(provider)))
            .with_no_client_auth(),
        Some((mode, rootcert)) => {
            let roots = Arc::new(root_store(rootcert)?);
            if mode == SslMode::VerifyFull {
                builder.with_root_certificates(roots).with_no_client_auth()
            } else {
                let inner = WebPkiServerVerifier::builder_with_provider(roots, provider)
                    .build()
                    .map_err(|e| format!("TLS setup: {e}"))?;
                builder
                    .dangerous()
                    .with_custom_certificate_verifier(Arc::new(ChainOnly(inner)))
                    .with_no_client_auth()
            }
        }
    })
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

/// Raw bytes of any value (every column piimap selects is text already).
struct Raw<'a>(&'a [u8]);

impl<'a> FromSql<'a> for Raw<'a> {
    fn from_sql(
        _ty: &Type,
        raw: &'a [u8],
    ) -> Result<Self, Box<dyn std::error::Error + Sync + Send>> {
        Ok(Raw(raw))
    }

    fn accepts(_ty: &Type) -> bool {
        true
    }
}

async fn within<T>(
    limit: Duration,
    what: &str,
    fut: impl std::future::Future<Output = Result<T, tokio_postgres::Error>>,
) -> Result<T, ReadError> {
    match tokio::time::timeout(limit, fut).await {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => {
            let (kind, message, lost) = describe(&e);
            Err(ReadError {
                kind,
                message: format!("{what}: {message}"),
                connection_lost: lost,
                rows_scanned: 0,
            })
        }
        Err(_) => Err(ReadError {
            kind: "timeout",
            message: format!(
                "{what}: no reply from the server within {}s",
                limit.as_secs()
            ),
            connection_lost: true,
            rows_scanned: 0,
        }),
    }
}

impl Connector {
    /// Prepares TLS for the URL's `sslmode` (system roots or `sslrootcert`).
    pub fn new(url: PgUrl, settings: SessionSettings) -> Result<Self, String> {
        let socket = url.host.starts_with('/');
        let (tls_any, tls_verified) = match url.sslmode {
            _ if socket => {
                if matches!(
                    url.sslmode,
                    SslMode::Require | SslMode::VerifyCa | SslMode::VerifyFull
                ) {
                    return Err(format!(
                        "sslmode={:?} cannot be used with a Unix-socket host",
                        url.sslmode
                    ));
                }
                (None, None)
            }
            SslMode::Disable => (None, None),
            SslMode::Allow | SslMode::Prefer => {
                (Some(MakeRustlsConnect::new(tls_config(None)?)), None)
            }
            SslMode::Require if url.sslrootcert.is_none() => {
                (Some(MakeRustlsConnect::new(tls_config(None)?)), None)
            }
            mode @ (SslMode::Require | SslMode::VerifyCa | SslMode::VerifyFull) => {
                let mode = if mode == SslMode::Require {
                    SslMode::VerifyCa
                } else {
                    mode
                };
                let cfg = tls_config(Some((mode, url.sslrootcert.as_deref())))?;
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
            .user(&self.url.user)
            .dbname(&self.url.dbname)
            .application_name("piimap")
            .connect_timeout(
                self.url
                    .connect_timeout
                    .unwrap_or(self.settings.connect_timeout),
            )
            .keepalives(true)
            .keepalives_idle(Duration::from_secs(30))
            .ssl_mode(ssl);
        if let Some(p) = &self.url.password {
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
        match self.url.sslmode {
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
            .connect_timeout
            .unwrap_or(self.settings.connect_timeout)
            + Duration::from_secs(1);
        let (client, tls) = match tokio::time::timeout(limit, self.open()).await {
            Ok(Ok(c)) => c,
            Ok(Err(e)) => {
                let (_, msg, _) = describe(&e);
                return Err(format!("cannot connect to {}: {msg}", self.address()));
            }
            Err(_) => {
                return Err(format!(
                    "cannot connect to {}: no answer within {}s",
                    self.address(),
                    limit.as_secs()
                ))
            }
        };
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

/// A table (or view) to scan.
#[derive(Clone, Debug)]
pub struct PgTable {
    /// `pg_class.oid`.
    pub oid: u32,
    /// Schema.
    pub schema: String,
    /// Name.
    pub name: String,
    /// `r` table, `p` partitioned table, `v` view, `m` materialized view.
    pub relkind: char,
    /// `pg_class.reltuples` (-1 when never analysed; summed over partitions for `p`).
    pub reltuples: f64,
    /// Columns in order.
    pub columns: Vec<Column>,
}

impl PgTable {
    /// `schema.table`, for globs and asset ids.
    pub fn qualified(&self) -> String {
        format!("{}.{}", self.schema, self.name)
    }

    fn relation_sql(&self) -> String {
        let rel = format!("{}.{}", quote_ident(&self.schema), quote_ident(&self.name));
        if self.relkind == 'r' {
            // Inheritance children are scanned as their own tables.
            format!("ONLY {rel}")
        } else {
            rel
        }
    }
}

/// How a value of a base type is selected as text, or why it is skipped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Render {
    Text,
    Host,
    Date,
    Json,
    Skip(&'static str),
}

fn render(typname: &str, typtype: &str, category: &str) -> Render {
    match typname {
        "text" | "varchar" | "bpchar" | "char" | "name" | "citext" | "uuid" | "xml" | "hstore" => {
            Render::Text
        }
        "json" | "jsonb" => Render::Json,
        "inet" | "cidr" => Render::Host,
        "macaddr" | "macaddr8" => Render::Text,
        "int2" | "int4" | "int8" | "numeric" | "float4" | "float8" | "money" => Render::Text,
        "date" | "timestamp" | "timestamptz" => Render::Date,
        "bool" => Render::Text,
        "bytea" => Render::Skip("binary data (bytea) is not examined"),
        "tsvector" | "tsquery" => {
            Render::Skip("full-text search vector (its source columns are examined)")
        }
        "time" | "timetz" | "interval" => {
            Render::Skip("time of day or interval: no personal data shape")
        }
        _ if typtype == "e" => Render::Text,
        _ if typtype == "c" => Render::Text,
        _ if category == "S" => Render::Text,
        _ => Render::Skip("type not examined"),
    }
}

/// The column's examination kind and its SELECT expression.
fn column_plan(
    name: &str,
    typname: &str,
    typtype: &str,
    category: &str,
    elem: Option<(&str, &str, &str)>,
) -> (ColumnKind, String) {
    let q = quote_ident(name);
    if let Some((et, ett, ec)) = elem {
        return match render(et, ett, ec) {
            Render::Json => (ColumnKind::Json, format!("array_to_json({q})::text")),
            Render::Skip(why) => (
                ColumnKind::Skip(format!("array of {et}: {why}")),
                String::new(),
            ),
            _ => (
                ColumnKind::Elements,
                format!("array_to_string({q}, chr(31))"),
            ),
        };
    }
    match render(typname, typtype, category) {
        Render::Text => (ColumnKind::Text, format!("{q}::text")),
        Render::Host => (ColumnKind::Text, format!("host({q})")),
        Render::Date => (ColumnKind::Text, format!("to_char({q}, 'YYYY-MM-DD')")),
        Render::Json => (ColumnKind::Json, format!("{q}::text")),
        Render::Skip(why) => (ColumnKind::Skip(format!("{typname}: {why}")), String::new()),
    }
}

/// The tables, partitioned parents and (with `views`) views and materialized views of the
/// database, with their columns, outside `pg_catalog`, `information_schema` and `pg_toast`.
pub async fn discover(
    session: &Session,
    views: bool,
    reply: Duration,
) -> Result<Vec<PgTable>, ReadError> {
    let kinds = if views { "'r','p','v','m'" } else { "'r','p'" };
    let rel_filter = format!(
        "c.relkind IN ({kinds}) AND NOT c.relispartition \
         AND n.nspname NOT IN ('pg_catalog', 'information_schema') \
         AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp\\_%'"
    );
    let tables_sql = format!(
        "SELECT c.oid, n.nspname::text, c.relname::text, c.relkind::text, c.reltuples::float8 \
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
         WHERE {rel_filter} ORDER BY n.nspname, c.relname"
    );
    let client = &session.client;
    let rows = within(reply, "listing tables", client.query(&tables_sql, &[])).await?;
    let mut tables: Vec<PgTable> = rows
        .iter()
        .map(|r| PgTable {
            oid: r.get(0),
            schema: r.get(1),
            name: r.get(2),
            relkind: r.get::<_, String>(3).chars().next().unwrap_or('r'),
            reltuples: r.get(4),
            columns: Vec::new(),
        })
        .collect();
    if tables.iter().any(|t| t.relkind == 'p') && session.server_version >= 120_000 {
        let sql = "SELECT t.oid, coalesce(sum(greatest(c.reltuples, 0)), -1)::float8 \
                   FROM pg_class t, LATERAL pg_partition_tree(t.oid) p JOIN pg_class c ON c.oid = p.relid \
                   WHERE t.relkind = 'p' AND NOT t.relispartition AND c.relkind = 'r' GROUP BY t.oid";
        let rows = within(
            reply,
            "estimating partitioned tables",
            client.query(sql, &[]),
        )
        .await?;
        for r in rows {
            let oid: u32 = r.get(0);
            if let Some(t) = tables.iter_mut().find(|t| t.oid == oid) {
                t.reltuples = r.get(1);
            }
        }
    }
    let columns_sql = format!(
        "SELECT a.attrelid, a.attname::text, t.typname::text, t.typtype::text, t.typcategory::text, \
                e.typname::text, e.typtype::text, e.typcategory::text, \
                col_description(a.attrelid, a.attnum) \
         FROM pg_attribute a \
         JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace \
         JOIN pg_type t0 ON t0.oid = a.atttypid \
         JOIN pg_type t ON t.oid = CASE WHEN t0.typtype = 'd' THEN t0.typbasetype ELSE t0.oid END \
         LEFT JOIN pg_type e ON e.oid = t.typelem AND t.typcategory = 'A' \
         WHERE a.attnum > 0 AND NOT a.attisdropped AND {rel_filter} \
         ORDER BY a.attrelid, a.attnum"
    );
    let rows = within(reply, "listing columns", client.query(&columns_sql, &[])).await?;
    let index: std::collections::HashMap<u32, usize> =
        tables.iter().enumerate().map(|(i, t)| (t.oid, i)).collect();
    for r in rows {
        let oid: u32 = r.get(0);
        let Some(&ti) = index.get(&oid) else { continue };
        let name: String = r.get(1);
        let typname: String = r.get(2);
        let typtype: String = r.get(3);
        let category: String = r.get(4);
        let elem: Option<String> = r.get(5);
        let elem_type: Option<String> = r.get(6);
        let elem_cat: Option<String> = r.get(7);
        let comment: Option<String> = r.get(8);
        let elem_ref = elem.as_deref().map(|e| {
            (
                e,
                elem_type.as_deref().unwrap_or("b"),
                elem_cat.as_deref().unwrap_or(""),
            )
        });
        let (kind, expr) = column_plan(&name, &typname, &typtype, &category, elem_ref);
        let type_name = match &elem {
            Some(e) => format!("{e}[]"),
            None => typname,
        };
        tables[ti].columns.push(Column {
            name,
            type_name,
            kind,
            comment: comment.map(|c| c.chars().take(300).collect()),
            expr,
        });
    }
    Ok(tables)
}

/// Reads `columns` (the examined columns of `table`) into `sink`, choosing rows as
/// `sampling` says, and says how.
pub async fn read_table(
    session: &mut Session,
    table: &PgTable,
    columns: &[&Column],
    sampling: Sampling,
    sink: &mut dyn RecordSink,
    reply: Duration,
) -> Result<TableRead, ReadError> {
    let from = table.relation_sql();
    let n = sampling.rows.max(1) as u64;
    let seed = sampling.seed;
    let mut pusher = RowPusher::new(columns, sink);
    if columns.is_empty() {
        return Ok(TableRead {
            rows_total: table.reltuples.max(0.0) as u64,
            rows_scanned: 0,
            method: "rows not read: no column to examine (all skipped or excluded)".into(),
        });
    }
    let exprs: Vec<&str> = columns.iter().map(|c| c.expr.as_str()).collect();
    let select = format!("SELECT {} FROM {from}", exprs.join(", "));
    let client = &mut session.client;
    let mut reader = Reader {
        pusher: &mut pusher,
        sink,
        reply,
    };

    if sampling.full {
        let started = Instant::now();
        let got = reader.stream(client, &select, None, 0).await?;
        return Ok(TableRead {
            rows_total: got.produced,
            rows_scanned: got.pushed,
            method: format!(
                "full: every row, streamed through a read-only cursor in batches of {BATCH_ROWS} ({} rows, {})",
                got.pushed,
                rate(got.pushed, started.elapsed())
            ),
        });
    }

    let estimate = estimate_rows(client, table, &from, reply).await?;

    if table.relkind == 'v' {
        let sql = format!("{select} LIMIT {}", n + 1);
        let got = reader.stream(client, &sql, Some(n), 0).await?;
        return Ok(if got.produced > n {
            TableRead {
                rows_total: estimate.max(n + 1),
                rows_scanned: got.pushed,
                method: format!(
                    "first {n} rows of the view, in the order it returns them (a view cannot be sampled; \
                     the planner estimates {estimate} rows)"
                ),
            }
        } else {
            TableRead {
                rows_total: got.produced,
                rows_scanned: got.pushed,
                method: format!("all rows (view, {} rows)", got.pushed),
            }
        });
    }

    // Rows come in the order of a seeded hash of their address: deterministic for a given
    // seed and table, and uniform (so LIMIT N does not favour the start of the table).
    let order = format!(
        "ORDER BY hashtextextended(tableoid::text || ctid::text, {})",
        seed as i64
    );
    if estimate <= n {
        let sql = format!("{select} {order} LIMIT {}", n + 1);
        let got = reader.stream(client, &sql, Some(n), 0).await?;
        return Ok(if got.produced > n {
            TableRead {
                rows_total: estimate.max(n + 1),
                rows_scanned: got.pushed,
                method: format!(
                    "{n} rows chosen by a seeded hash of the row address (seed {seed}) over a full scan: \
                     the planner estimated {estimate} rows but the table has more than {n}"
                ),
            }
        } else {
            TableRead {
                rows_total: got.produced,
                rows_scanned: got.pushed,
                method: format!("all rows (small table, {} rows)", got.pushed),
            }
        });
    }

    // A big table: TABLESAMPLE SYSTEM sized from the estimate; if the sample falls far
    // short (stale estimate, bloated or mostly empty pages), retry with a larger percentage.
    let mut p = (100.0 * n as f64 * SAMPLE_SAFETY / estimate as f64).min(100.0);
    let want = ((n as f64) * SAMPLE_SHORTFALL).ceil() as u64;
    let mut notes: Vec<String> = Vec::new();
    for attempt in 0.. {
        let pct = format_percent(p);
        let sql =
            format!("{select} TABLESAMPLE SYSTEM ({pct}) REPEATABLE ({seed}) {order} LIMIT {n}");
        let last = p >= 100.0 || attempt >= SAMPLE_RETRIES;
        let got = reader
            .stream(client, &sql, Some(n), if last { 0 } else { want })
            .await?;
        if !got.held_back {
            let mut method = format!(
                "TABLESAMPLE SYSTEM({pct}) REPEATABLE({seed}) LIMIT {n}, rows ordered by a seeded hash of \
                 the row address (planner estimate {estimate} rows)"
            );
            for note in &notes {
                method.push_str("; ");
                method.push_str(note);
            }
            return Ok(TableRead {
                rows_total: estimate,
                rows_scanned: got.pushed,
                method,
            });
        }
        notes.push(format!(
            "SYSTEM({pct}) returned only {} rows, so the sample was retried with a larger percentage",
            got.produced
        ));
        let factor = (n as f64 * SAMPLE_SAFETY / got.produced.max(1) as f64).max(4.0);
        p = (p * factor).min(100.0);
    }
    unreachable!("the loop returns on its last attempt")
}

/// The planner's row estimate (pg_class.reltuples scaled to the current table size, or a
/// size-based guess for a never-analysed table); 0 for an empty table.
async fn estimate_rows(
    client: &Client,
    table: &PgTable,
    from: &str,
    reply: Duration,
) -> Result<u64, ReadError> {
    let plan = within(
        reply,
        "estimating rows",
        client.simple_query(&format!("EXPLAIN (FORMAT JSON) SELECT 1 FROM {from}")),
    )
    .await?;
    let estimate = plan
        .iter()
        .find_map(|m| match m {
            tokio_postgres::SimpleQueryMessage::Row(r) => r.get(0).map(str::to_owned),
            _ => None,
        })
        .and_then(|j| serde_json::from_str::<serde_json::Value>(&j).ok())
        .and_then(|v| v[0]["Plan"]["Plan Rows"].as_f64())
        .unwrap_or(table.reltuples.max(0.0));
    if matches!(table.relkind, 'r' | 'm') {
        // The planner assumes 10 pages for a never-analysed table with no pages yet.
        let size = within(
            reply,
            "reading the table size",
            client.query_one(
                &format!("SELECT pg_relation_size({}::oid::regclass)", table.oid),
                &[],
            ),
        )
        .await?;
        if size.get::<_, i64>(0) == 0 {
            return Ok(0);
        }
    }
    Ok(estimate.max(0.0) as u64)
}

/// What [`Reader::stream`] read.
struct Streamed {
    /// Rows the query produced.
    produced: u64,
    /// Rows pushed into the sink.
    pushed: u64,
    /// The query ended before `hold` rows arrived: nothing was pushed.
    held_back: bool,
}

struct Reader<'a, 's> {
    pusher: &'a mut RowPusher,
    sink: &'a mut (dyn RecordSink + 's),
    reply: Duration,
}

impl Reader<'_, '_> {
    fn push(&mut self, row: &Row, index: u64) {
        for i in 0..row.len() {
            let v: Option<Raw<'_>> = row.try_get(i).unwrap_or(None);
            self.pusher.push(self.sink, i, v.map(|r| r.0), index);
        }
        self.sink.rows(1);
    }

    /// Streams the rows of `sql` through a cursor (portal) of a read-only transaction in
    /// batches of [`BATCH_ROWS`], pushing at most `cap` rows. With `hold > 0` the first
    /// rows are held back until `hold` of them arrived; if the query ends sooner nothing
    /// is pushed (`held_back`), so the caller can retry without double counting.
    async fn stream(
        &mut self,
        client: &mut Client,
        sql: &str,
        cap: Option<u64>,
        hold: u64,
    ) -> Result<Streamed, ReadError> {
        let reply = self.reply;
        let tx = within(
            reply,
            "starting a read-only transaction",
            client.build_transaction().read_only(true).start(),
        )
        .await?;
        let stmt = within(reply, "preparing the query", tx.prepare(sql)).await?;
        let portal = within(reply, "opening a cursor", tx.bind(&stmt, &[])).await?;
        let mut held: Vec<Row> = Vec::new();
        let mut produced = 0u64;
        let mut pushed = 0u64;
        let fetch = || within(reply, "reading rows", tx.query_portal(&portal, BATCH_ROWS));
        let mut batch = fetch().await?;
        loop {
            let more = batch.len() >= BATCH_ROWS as usize;
            let mut take = async |batch: Vec<Row>| {
                // Let the request for the next batch reach the server first: it then
                // produces and sends those rows while this one is classified.
                tokio::task::yield_now().await;
                for row in batch {
                    produced += 1;
                    if cap.is_some_and(|c| pushed >= c) {
                        continue;
                    }
                    if produced <= hold {
                        held.push(row);
                        if produced == hold {
                            for (i, r) in std::mem::take(&mut held).iter().enumerate() {
                                self.push(r, i as u64);
                            }
                            pushed = hold;
                        }
                        continue;
                    }
                    self.push(&row, pushed);
                    pushed += 1;
                }
            };
            if !more {
                take(batch).await;
                break;
            }
            let (next, ()) = tokio::join!(fetch(), take(batch));
            batch = match next {
                Ok(b) => b,
                Err(mut e) => {
                    e.rows_scanned = pushed;
                    return Err(e);
                }
            };
        }
        // Ending a read-only transaction: a rollback is as good as a commit.
        let _ = within(reply, "ending the transaction", tx.rollback()).await;
        Ok(Streamed {
            produced,
            pushed,
            held_back: hold > 0 && produced < hold,
        })
    }
}

/// Per table write counters (`n_tup_ins + n_tup_upd + n_tup_del` from
/// `pg_stat_all_tables`, summed over partitions for a partitioned parent), for
/// incremental runs: unchanged counters and columns mean an unchanged table.
pub async fn write_counters(
    session: &Session,
    reply: Duration,
) -> Result<std::collections::HashMap<u32, i64>, ReadError> {
    let mut out = std::collections::HashMap::new();
    let sql =
        "SELECT s.relid, (s.n_tup_ins + s.n_tup_upd + s.n_tup_del)::int8 FROM pg_stat_all_tables s";
    for r in within(
        reply,
        "reading table statistics",
        session.client.query(sql, &[]),
    )
    .await?
    {
        out.insert(r.get::<_, u32>(0), r.get::<_, i64>(1));
    }
    if session.server_version >= 120_000 {
        let sql = "SELECT t.oid, coalesce(sum(s.n_tup_ins + s.n_tup_upd + s.n_tup_del), 0)::int8 \
                   FROM pg_class t, LATERAL pg_partition_tree(t.oid) p \
                   JOIN pg_stat_all_tables s ON s.relid = p.relid \
                   WHERE t.relkind = 'p' AND NOT t.relispartition GROUP BY t.oid";
        for r in within(
            reply,
            "reading partition statistics",
            session.client.query(sql, &[]),
        )
        .await?
        {
            out.insert(r.get::<_, u32>(0), r.get::<_, i64>(1));
        }
    }
    Ok(out)
}
