//! Database URLs: redaction for anything shown to a person (every kind), and
//! PostgreSQL's `postgres://` / `postgresql://` (libpq URI syntax), with passwords from
//! `PGPASSWORD` and `~/.pgpass`. Which scheme is which kind is [`super::KINDS`].
//!
//! Nothing here ever puts a password into an error message: errors name the redacted
//! URL or the offending parameter only.

use std::path::{Path, PathBuf};
use std::time::Duration;

/// libpq `sslmode`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SslMode {
    /// Plain connection only.
    Disable,
    /// Plain first, TLS if the server insists.
    Allow,
    /// TLS if the server offers it, plain otherwise (libpq's default).
    Prefer,
    /// TLS, certificate chain not verified (libpq semantics) unless a root certificate is given.
    Require,
    /// TLS, chain verified against the roots, host name not checked.
    VerifyCa,
    /// TLS, chain and host name verified.
    VerifyFull,
}

impl SslMode {
    fn parse(s: &str) -> Option<SslMode> {
        Some(match s {
            "disable" => SslMode::Disable,
            "allow" => SslMode::Allow,
            "prefer" => SslMode::Prefer,
            "require" => SslMode::Require,
            "verify-ca" => SslMode::VerifyCa,
            "verify-full" => SslMode::VerifyFull,
            _ => return None,
        })
    }
}

/// Who logs in to a database server, how the link is secured and how long to wait: the
/// part of a connection target PostgreSQL and MySQL share (`Tls`: each one's TLS modes).
/// The password is never displayed.
#[derive(Clone)]
pub struct Login<Tls> {
    /// User (role) name.
    pub user: String,
    /// Password (URL, else the driver's environment or password file), if any.
    pub password: Option<String>,
    /// TLS mode.
    pub tls: Tls,
    /// Root certificate file (`sslrootcert`, `ssl-ca`); `None` for the system roots.
    pub ca_file: Option<PathBuf>,
    /// `connect_timeout` from the URL, if given.
    pub connect_timeout: Option<Duration>,
}

/// A parsed PostgreSQL connection target. `password` is never displayed.
#[derive(Clone)]
pub struct PgUrl {
    /// Host name, IP address, or a Unix-socket directory (starts with `/`).
    pub host: String,
    /// Port.
    pub port: u16,
    /// Database name.
    pub dbname: String,
    /// Role, password (URL, `PGPASSWORD` or `~/.pgpass`), `sslmode`, `sslrootcert`.
    pub login: Login<SslMode>,
}

impl std::fmt::Debug for PgUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        debug_target(f, "PgUrl", self.address(), &self.login.tls)
    }
}

/// A host as it stands in a URL's authority: an IPv6 address in brackets.
pub fn url_host(host: &str) -> std::borrow::Cow<'_, str> {
    if host.contains(':') {
        format!("[{host}]").into()
    } else {
        host.into()
    }
}

/// The `Debug` form of a connection target: its address and TLS mode, never its
/// password (a target printed in a log or a panic must not leak it).
pub fn debug_target(
    f: &mut std::fmt::Formatter<'_>,
    name: &str,
    address: String,
    tls: &dyn std::fmt::Debug,
) -> std::fmt::Result {
    f.debug_struct(name)
        .field("address", &address)
        .field("tls", &tls)
        .finish_non_exhaustive()
}

impl PgUrl {
    /// `postgres://host:port/db`: the database's address without credentials, used as
    /// the prefix of every asset id.
    pub fn address(&self) -> String {
        let host = url_host(&self.host);
        format!("postgres://{host}:{}/{}", self.port, self.dbname)
    }
}

fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Percent-decodes a URL component (invalid escapes are kept as they are).
pub(crate) fn decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            if let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2])) {
                out.push(h << 4 | l);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Where a URL's user info ends: the last `@` of the part before the query. A password
/// with an unescaped `/` or `?` is still cut off (over-redacting a host is harmless,
/// leaking a password is not).
fn userinfo_end(rest: &str) -> Option<usize> {
    rest.rfind('@')
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

/// What a PostgreSQL URL gives, before libpq's defaults fill the rest.
#[derive(Default)]
struct Given {
    host: Option<String>,
    port: Option<u16>,
    user: Option<String>,
    password: Option<String>,
    dbname: Option<String>,
    sslmode: Option<SslMode>,
    sslrootcert: Option<String>,
    connect_timeout: Option<Duration>,
}

/// Parses `postgres://…` or `postgresql://…`, filling libpq's defaults (`PGHOST`,
/// `PGPORT`, `PGUSER`, `PGDATABASE`, `PGSSLMODE`, `PGSSLROOTCERT`) and the password
/// (URL, then `PGPASSWORD`, then the password file). Errors never contain the password.
pub fn parse_postgres(url: &str) -> Result<PgUrl, String> {
    let rest = url
        .strip_prefix("postgres://")
        .or_else(|| url.strip_prefix("postgresql://"))
        .ok_or_else(|| {
            format!(
                "{} is not a PostgreSQL URL (postgres:// or postgresql://)",
                redact(url)
            )
        })?;
    let (userinfo, rest) = match userinfo_end(rest) {
        Some(at) => (Some(&rest[..at]), &rest[at + 1..]),
        None => (None, rest),
    };
    let (rest, query) = match rest.find('?') {
        Some(q) => (&rest[..q], Some(&rest[q + 1..])),
        None => (rest, None),
    };
    let (hostport, path) = match rest.find('/') {
        Some(s) => (&rest[..s], &rest[s + 1..]),
        None => (rest, ""),
    };
    let (host, port) = host_port(url, hostport)?;
    let mut given = Given {
        host,
        port,
        ..Given::default()
    };
    if let Some(info) = userinfo {
        match info.find(':') {
            Some(c) => {
                given.user = Some(decode(&info[..c]));
                given.password = Some(decode(&info[c + 1..]));
            }
            None => given.user = Some(decode(info)),
        }
    }
    given.dbname = (!path.is_empty()).then(|| decode(path));
    for pair in query
        .unwrap_or_default()
        .split('&')
        .filter(|p| !p.is_empty())
    {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        parameter(url, k, decode(v), &mut given)?;
    }
    with_defaults(given)
}

/// The `host[:port]` (or `[v6]:port`) part of a database URL: the host (decoded;
/// `None` when empty) and the port, if given. One host only.
pub fn host_port(url: &str, hostport: &str) -> Result<(Option<String>, Option<u16>), String> {
    if hostport.contains(',') {
        return Err(format!(
            "{}: several hosts in one URL are not supported; give one --db per host",
            redact(url)
        ));
    }
    let (h, p) = if let Some(v6) = hostport.strip_prefix('[') {
        let end = v6
            .find(']')
            .ok_or_else(|| format!("{}: unterminated [IPv6] host", redact(url)))?;
        (&v6[..end], v6[end + 1..].strip_prefix(':'))
    } else {
        match hostport.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (hostport, None),
        }
    };
    let port = match p.filter(|p| !p.is_empty()) {
        Some(p) => Some(
            p.parse::<u16>()
                .map_err(|_| format!("{}: invalid port {p:?}", redact(url)))?,
        ),
        None => None,
    };
    Ok(((!h.is_empty()).then(|| decode(h)), port))
}

/// One `key=value` connection parameter of the query string.
fn parameter(url: &str, k: &str, v: String, given: &mut Given) -> Result<(), String> {
    match k {
        "sslmode" => {
            given.sslmode = Some(SslMode::parse(&v).ok_or_else(|| {
                format!(
                    "{}: invalid sslmode {v:?} (disable, allow, prefer, require, verify-ca, verify-full)",
                    redact(url)
                )
            })?)
        }
        "sslrootcert" => given.sslrootcert = Some(v),
        "host" => given.host = Some(v),
        "port" => {
            given.port = Some(
                v.parse::<u16>()
                    .map_err(|_| format!("{}: invalid port {v:?}", redact(url)))?,
            )
        }
        "user" => given.user = Some(v),
        "password" => given.password = Some(v),
        "dbname" => given.dbname = Some(v),
        "connect_timeout" => {
            let secs: u64 = v
                .parse()
                .map_err(|_| format!("{}: invalid connect_timeout {v:?}", redact(url)))?;
            if secs > 0 {
                given.connect_timeout = Some(Duration::from_secs(secs.max(2)));
            }
        }
        // Set by piimap itself, or irrelevant to a read-only scan.
        "application_name" | "fallback_application_name" | "keepalives" | "keepalives_idle"
        | "target_session_attrs" => {}
        other => {
            tracing::warn!(
                parameter = other,
                url = %redact(url),
                "ignoring an unsupported connection parameter"
            );
        }
    }
    Ok(())
}

/// Fills what the URL did not give from the environment and libpq's defaults.
fn with_defaults(given: Given) -> Result<PgUrl, String> {
    let host = given
        .host
        .filter(|h| !h.is_empty())
        .or_else(|| env("PGHOST"))
        .unwrap_or_else(|| "localhost".into());
    let port = match given.port {
        Some(p) => p,
        None => match env("PGPORT") {
            Some(p) => p
                .parse()
                .map_err(|_| format!("PGPORT={p:?} is not a port number"))?,
            None => 5432,
        },
    };
    let user = given
        .user
        .filter(|u| !u.is_empty())
        .or_else(|| env("PGUSER"))
        .or_else(|| env("USER"))
        .or_else(|| env("LOGNAME"))
        .unwrap_or_else(|| "postgres".into());
    let dbname = given
        .dbname
        .filter(|d| !d.is_empty())
        .or_else(|| env("PGDATABASE"))
        .unwrap_or_else(|| user.clone());
    let sslmode = match given.sslmode {
        Some(m) => m,
        None => match env("PGSSLMODE") {
            Some(m) => SslMode::parse(&m).ok_or_else(|| format!("PGSSLMODE={m:?} is invalid"))?,
            None => SslMode::Prefer,
        },
    };
    let sslrootcert = given
        .sslrootcert
        .or_else(|| env("PGSSLROOTCERT"))
        .filter(|p| !p.is_empty() && p != "system")
        .map(PathBuf::from);
    let password = given
        .password
        .filter(|p| !p.is_empty())
        .or_else(|| env("PGPASSWORD"))
        .or_else(|| {
            let file = env("PGPASSFILE")
                .map(PathBuf::from)
                .or_else(|| env("HOME").map(|h| Path::new(&h).join(".pgpass")))?;
            pgpass_lookup(&file, &host, port, &dbname, &user)
        });
    Ok(PgUrl {
        host,
        port,
        dbname,
        login: Login {
            user,
            password,
            tls: sslmode,
            ca_file: sslrootcert,
            connect_timeout: given.connect_timeout,
        },
    })
}

/// A database URL with the user info and any password removed, for logs, errors,
/// reports and asset ids: `postgres://app:pw@db:5432/x?sslmode=require&password=pw` →
/// `postgres://db:5432/x?sslmode=require`. Strings that are not URLs are returned
/// without anything that looks like user info.
pub fn redact(url: &str) -> String {
    if url.starts_with("sqlite:") && !url.contains('@') {
        return url.to_string();
    }
    let (scheme, rest) = match url.find("://") {
        Some(i) => (&url[..i + 3], &url[i + 3..]),
        None => ("", url),
    };
    let rest = match userinfo_end(rest) {
        Some(at) => &rest[at + 1..],
        None => rest,
    };
    let (base, query) = match rest.find('?') {
        Some(q) => (&rest[..q], Some(&rest[q + 1..])),
        None => (rest, None),
    };
    let mut out = format!("{scheme}{base}");
    if let Some(q) = query {
        let kept: Vec<&str> = q
            .split('&')
            .filter(|p| {
                let key = p.split('=').next().unwrap_or_default().to_ascii_lowercase();
                !(key.contains("password") || key == "user" || key.is_empty())
            })
            .collect();
        if !kept.is_empty() {
            out.push('?');
            out.push_str(&kept.join("&"));
        }
    }
    out
}

/// Splits a `.pgpass` line into its fields, honouring `\:` and `\\`.
fn pgpass_fields(line: &str) -> Vec<String> {
    let mut fields = vec![String::new()];
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let Some(n) = chars.next() {
                    fields.last_mut().unwrap().push(n);
                }
            }
            ':' if fields.len() < 5 => fields.push(String::new()),
            c => fields.last_mut().unwrap().push(c),
        }
    }
    fields
}

/// The password for `host:port:db:user` from a libpq password file (`*` matches
/// anything; `\:` and `\\` escape). Like libpq, a file readable by group or others is
/// ignored (with a warning).
pub fn pgpass_lookup(file: &Path, host: &str, port: u16, db: &str, user: &str) -> Option<String> {
    let meta = std::fs::metadata(file).ok()?;
    if !meta.is_file() {
        return None;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if meta.permissions().mode() & 0o077 != 0 {
            tracing::warn!(
                file = %file.display(),
                "password file has group or world access; ignored (chmod 0600 it)"
            );
            return None;
        }
    }
    let text = std::fs::read_to_string(file).ok()?;
    pgpass_match(&text, host, port, db, user)
}

fn pgpass_match(text: &str, host: &str, port: u16, db: &str, user: &str) -> Option<String> {
    let port = port.to_string();
    // libpq: "localhost" also matches a Unix-socket connection.
    let socket = host.starts_with('/');
    for line in text.lines() {
        let line = line.trim_end_matches('\r');
        if line.trim_start().starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let f = pgpass_fields(line);
        if f.len() != 5 {
            continue;
        }
        let ok = |pat: &str, v: &str| pat == "*" || pat == v;
        let host_ok = ok(&f[0], host) || (socket && f[0] == "localhost");
        if host_ok && ok(&f[1], &port) && ok(&f[2], db) && ok(&f[3], user) {
            return Some(f[4].clone());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pg(url: &str) -> PgUrl {
        parse_postgres(url).unwrap()
    }

    #[test]
    fn parses_libpq_uris() {
        let p = pg("postgres://app:s%40cret@db.example.com:6543/sales?sslmode=verify-full&sslrootcert=/ca.pem");
        assert_eq!(p.host, "db.example.com");
        assert_eq!(p.port, 6543);
        assert_eq!(p.dbname, "sales");
        assert_eq!(p.login.user, "app");
        assert_eq!(p.login.password.as_deref(), Some("s@cret"));
        assert_eq!(p.login.tls, SslMode::VerifyFull);
        assert_eq!(p.login.ca_file, Some(PathBuf::from("/ca.pem")));
        assert_eq!(p.address(), "postgres://db.example.com:6543/sales");
        assert!(!format!("{p:?}").contains("s@cret"));

        let p = pg("postgresql://u@[::1]:5433/d?sslmode=disable");
        assert_eq!(p.host, "::1");
        assert_eq!(p.address(), "postgres://[::1]:5433/d");
        assert_eq!(p.login.tls, SslMode::Disable);

        let p = pg("postgres://u@%2Fvar%2Frun%2Fpostgresql/d");
        assert_eq!(p.host, "/var/run/postgresql");
        // A password with an unescaped '@' still ends at the last '@'.
        let p = pg("postgres://u:p@ss@h:1/d");
        assert_eq!(p.login.password.as_deref(), Some("p@ss"));
        assert_eq!(p.host, "h");
    }

    #[test]
    fn bad_urls_do_not_echo_the_password() {
        let e = parse_postgres("postgres://u:hunter2@h:notaport/d")
            .err()
            .unwrap();
        assert!(!e.contains("hunter2"), "{e}");
        let limits = crate::source::db::Limits {
            statement_timeout: Duration::from_secs(1),
            connect_timeout: Duration::from_secs(1),
        };
        // An unknown scheme is filed under its own name, not another kind's.
        let (format, e) = crate::source::db::open("oracle://u:hunter2@h/d", limits)
            .err()
            .unwrap();
        assert_eq!(format, "oracle");
        assert_eq!(
            e.message,
            "unsupported database URL oracle://h/d (expected postgres://, postgresql://, sqlite:, mysql:// or mariadb://)"
        );
        let (format, _) = crate::source::db::open("no scheme at all", limits)
            .err()
            .unwrap();
        assert_eq!(format, "database");
        let e = parse_postgres("postgres://u:hunter2@h/d?sslmode=bogus")
            .err()
            .unwrap();
        assert!(!e.contains("hunter2"), "{e}");
    }

    #[test]
    fn redaction_removes_user_info_and_passwords() {
        assert_eq!(
            redact("postgres://app:pw@db:5432/x?sslmode=require&password=pw2&user=bob"),
            "postgres://db:5432/x?sslmode=require"
        );
        assert_eq!(redact("postgresql://app@db/x"), "postgresql://db/x");
        assert_eq!(redact("postgres://db/x"), "postgres://db/x");
        assert_eq!(redact("sqlite:/tmp/a.db"), "sqlite:/tmp/a.db");
        let r = redact("postgres://u:p/a?s@h:1/d");
        assert!(!r.contains("p/a?s"), "{r}");
        assert_eq!(
            redact("postgres://u:x@h/d?password=&sslmode=disable"),
            "postgres://h/d?sslmode=disable"
        );
    }

    #[test]
    fn pgpass_matching() {
        let file = "# comment\n\
                    db.example.com:5432:sales:app:first\n\
                    *:*:*:app:fallback\n\
                    h\\:x:5432:*:bob:pa\\:ss\\\\word\n";
        assert_eq!(
            pgpass_match(file, "db.example.com", 5432, "sales", "app").as_deref(),
            Some("first")
        );
        assert_eq!(
            pgpass_match(file, "other", 1, "x", "app").as_deref(),
            Some("fallback")
        );
        assert_eq!(
            pgpass_match(file, "h:x", 5432, "d", "bob").as_deref(),
            Some("pa:ss\\word")
        );
        assert_eq!(pgpass_match(file, "h", 5432, "d", "carol"), None);
    }
}
